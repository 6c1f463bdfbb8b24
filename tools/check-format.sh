#!/usr/bin/env bash
# Fails when any tracked C++ file differs from what clang-format makes of it (.clang-format).
# Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=$(git ls-files '*.cpp' '*.h' '*.hpp' 2>/dev/null || find engine agents tests bench python examples -name '*.cpp' -o -name '*.h')
echo "check-format: $(echo "$files" | wc -l) files, $(clang-format --version)"
echo "$files" | xargs clang-format --dry-run -Werror
echo "check-format: clean"
