#!/usr/bin/env bash
# Sets up (Debian packages), builds and runs hashsim's whole test suite: this is what CI runs.
# Usage: bash tools/run-tests.sh        (from anywhere inside the repository)
#        HASHSIM_FULL=1 bash tools/run-tests.sh    (also stages 4 and 5)
#
# Stages, in order (each stops the run on failure):
#   1. format   clang-format --dry-run -Werror over every C++ file (tools/check-format.sh)
#   2. build    Release, warnings as errors, Python module on, into build/ (HASHSIM_TEST_BUILD_DIR overrides)
#   3. test     the whole CTest suite, in parallel
#   4. tidy     clang-tidy with .clang-tidy over the project's translation units (tools/check-tidy.sh)
#   5. sanitize AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/) and the suite
#               again under it (the Python module is left out: it would need the ASan runtime
#               preloaded into the interpreter; tests labelled no_sanitize are left out, see there)
# CI runs stages 1-3. Stages 4 and 5 run with HASHSIM_FULL=1: they have not yet completed a run on
# the whole tree (issue 10), and a stage that has never passed would only turn CI red.
# Time on the 2-core CI machine: not yet measured end to end on an idle machine (issue 10). Measured
# while ~5 other builds shared the 2 cores (load ~10): stage 2 from a cold cache 43 min wall (15 min
# CPU); stage 4 ~1 min wall per file at one job; stage 5's build reached 16 % in 15 min. Idle
# estimate: build ~10, tests ~3, tidy ~10, ASan build ~20, ASan tests ~15 min (~60 of the 90 allowed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/install-deps.sh
jobs="$(nproc)"
stage() { echo; echo "=== run-tests: $1 ($(date -u +%H:%M:%S))"; }

stage "1/5 format"
bash tools/check-format.sh

stage "2/5 build (Release, -Werror, Python module)"
build="${HASHSIM_TEST_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DHASHSIM_BUILD_TESTS=ON -DHASHSIM_BUILD_BENCH=ON \
  -DHASHSIM_WERROR=ON -DHASHSIM_PYTHON=ON >/dev/null
cmake --build "$build" -j"$jobs"

stage "3/5 test"
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 900

if [ "${HASHSIM_FULL:-0}" != "1" ]; then
  echo "run-tests: tidy and sanitizer stages skipped (HASHSIM_FULL=1 runs them)"
  exit 0
fi

stage "4/5 tidy"
bash tools/check-tidy.sh "$build"

stage "5/5 sanitize (ASan + UBSan)"
asan="${HASHSIM_ASAN_BUILD_DIR:-build-asan}"
cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHASHSIM_SANITIZE=ON -DHASHSIM_PYTHON=OFF \
  -DHASHSIM_BUILD_TESTS=ON -DHASHSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$asan" -j"$jobs"
# detect_leaks=0: LeakSanitizer needs ptrace, which containers often refuse; leaks are not what
# this stage is for (use-after-scope, overflows and undefined behaviour are).
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ctest --test-dir "$asan" --output-on-failure -j"$jobs" --timeout 1800 -LE no_sanitize
stage "done"
