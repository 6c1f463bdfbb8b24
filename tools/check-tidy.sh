#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy: warnings are errors) over every C++ translation unit of a
# configured build folder, using its compile_commands.json.
# Usage: bash tools/check-tidy.sh [build-folder]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build}"
[ -f "$build/compile_commands.json" ] || { echo "check-tidy: no $build/compile_commands.json (configure first)" >&2; exit 2; }
files=$(git ls-files '*.cpp' | grep -v '^web/')
echo "check-tidy: $(echo "$files" | wc -l) files, $(clang-tidy --version | grep -i version | head -1)"
echo "$files" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet
echo "check-tidy: clean"
