#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy: warnings are errors) over the project's translation units of a
# configured build folder (its compile_commands.json), in parallel with Debian's run-clang-tidy.
# Which files: the library and front-end sources (engine/, agents/, tools/hashsim/, python/) and
# every header of theirs they include (.clang-tidy HeaderFilterRegex). Tests and benchmarks are
# left out: they are ~40 % of the translation units (GoogleTest macros make them the slowest to
# analyse) and the checks are for the code that ships.
# Usage: bash tools/check-tidy.sh [build-folder] [file-regex]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
build="${1:-build}"
files="${2:-^$root/(engine|agents|tools/hashsim|python)/.*\.cpp\$}"
[ -f "$build/compile_commands.json" ] || { echo "check-tidy: no $build/compile_commands.json (configure first)" >&2; exit 2; }
runner="$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)"
[ -n "$runner" ] || { echo "check-tidy: run-clang-tidy not found (Debian package clang-tidy)" >&2; exit 2; }
echo "check-tidy: $(clang-tidy --version | grep -i version | head -1), $(nproc) jobs, files matching $files"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# run-clang-tidy prints every command line and clang's "N warnings generated" counts: keep the
# findings only (without colour codes), and its exit status (non-zero when any file has a finding).
# -Wno-unknown-warning-option: clang does not know GCC's -Wno-restrict (CMakeLists.txt).
if "$runner" -p "$build" -j "$(nproc)" -quiet -extra-arg=-Wno-unknown-warning-option \
  -extra-arg=-Wno-ignored-optimization-argument "$files" >"$log" 2>&1; then
  echo "check-tidy: clean ($(grep -c '^clang-tidy' "$log" || true) files)"
else
  sed 's/\x1b\[[0-9;]*m//g' "$log" |
    grep -v '^clang-tidy\|warnings\? generated\|^Suppressed \|^Use -header-filter\|^$' || true
  echo "check-tidy: findings above (run-clang-tidy failed)" >&2
  exit 1
fi
