#!/usr/bin/env bash
# Sets up (Debian packages), builds and runs hashsim's whole test suite: this is what CI runs.
# Usage: bash tools/run-tests.sh        (from anywhere inside the repository)
#        HASHSIM_SKIP="tidy sanitize" bash tools/run-tests.sh    (locally: leave stages out)
#
# Stages, in order (each stops the run on failure); all five run by default (CI):
#   1. format   clang-format --dry-run -Werror over every C++ file (tools/check-format.sh)
#   2. build    Release, warnings as errors, Python module on, into build/ (HASHSIM_TEST_BUILD_DIR overrides)
#   3. test     the whole CTest suite, in parallel
#   4. tidy     clang-tidy with .clang-tidy over the project's translation units (tools/check-tidy.sh)
#   5. sanitize AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/, -O1 -g1, portable:
#               no AVX2, so its golden test also checks the AVX2 build's bytes) and the
#               suite again under it. The Python module is left out (it would need the ASan runtime
#               preloaded into the interpreter), so are tests labelled no_sanitize (see there).
# HASHSIM_SKIP names stages to leave out (format build test tidy sanitize; "test" needs "build" to
# have run before into the same folder). Each stage's wall time is printed at the end.
# Time on the 2-core CI machine (clean clone, no ccache): see README.md "Tests"; stages 4 and 5
# are about two thirds of it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="$(nproc)"
skip=" ${HASHSIM_SKIP:-} "
timings=""
t_start=$SECONDS
t_stage=$SECONDS
current=""
finish_stage() {
  if [ -n "$current" ]; then timings+="$(printf '  %-28s %5d s' "$current" $((SECONDS - t_stage)))"$'\n'; fi
  current=""
}
report() {
  local rc=$?
  finish_stage
  echo
  echo "=== run-tests: stage times (wall)"
  printf '%s' "$timings"
  printf '  %-28s %5d s\n' "total" $((SECONDS - t_start))
  [ "$rc" -eq 0 ] || echo "=== run-tests: FAILED (exit $rc)"
}
trap report EXIT
stage() {
  finish_stage
  current="$1"
  t_stage=$SECONDS
  echo
  echo "=== run-tests: $1 ($(date -u +%H:%M:%S))"
}
wanted() { [[ "$skip" != *" $1 "* ]] || { echo; echo "=== run-tests: $1 skipped (HASHSIM_SKIP)"; return 1; }; }

stage "0/5 deps"
bash tools/install-deps.sh

if wanted format; then
  stage "1/5 format"
  bash tools/check-format.sh
fi

build="${HASHSIM_TEST_BUILD_DIR:-build}"
if wanted build; then
  stage "2/5 build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DHASHSIM_BUILD_TESTS=ON -DHASHSIM_BUILD_BENCH=ON \
    -DHASHSIM_WERROR=ON -DHASHSIM_PYTHON=ON >/dev/null
  cmake --build "$build" -j"$jobs"
fi

if wanted test; then
  stage "3/5 test"
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 900
fi

if wanted tidy; then
  stage "4/5 tidy"
  bash tools/check-tidy.sh "$build"
fi

if wanted sanitize; then
  stage "5/5 sanitize build"
  asan="${HASHSIM_ASAN_BUILD_DIR:-build-asan}"
  # -O1 -g1: instrumented code at -O2 takes longer to compile for no more findings; -g1 (line
  # tables) is what the sanitizers' stack traces need. No -DNDEBUG, so library assertions
  # (Eigen's bounds checks) stay on. Benchmarks are Release-only measurements: not built.
  # -DHASHSIM_AVX2=OFF: this build is also the portable (SSE2, no -march) one, so its golden_tests
  # check that results are the same bytes as the AVX2 Release build's (issue 11: identical for any
  # build; the golden file is shared).
  cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DHASHSIM_SANITIZE=ON -DHASHSIM_PYTHON=OFF \
    -DHASHSIM_AVX2=OFF -DHASHSIM_BUILD_TESTS=ON -DHASHSIM_BUILD_BENCH=OFF >/dev/null
  cmake --build "$asan" -j"$jobs"
  stage "5/5 sanitize test"
  # detect_leaks=0: LeakSanitizer needs ptrace, which containers often refuse; leaks are not what
  # this stage is for (use-after-scope, overflows and undefined behaviour are).
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir "$asan" --output-on-failure -j"$jobs" --timeout 1800 -LE no_sanitize
fi
finish_stage
