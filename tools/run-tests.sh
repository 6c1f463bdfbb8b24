#!/usr/bin/env bash
# Sets up (Debian packages), builds and runs hashsim's whole test suite.
# Usage: bash tools/run-tests.sh        (from anywhere inside the repository)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/install-deps.sh
build="${HASHSIM_TEST_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DHASHSIM_BUILD_TESTS=ON -DHASHSIM_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 900
