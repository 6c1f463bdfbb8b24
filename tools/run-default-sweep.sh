#!/usr/bin/env bash
# Sets up (Debian packages), builds hashsim (Release) and runs the default scenario sweep,
# writing results/default-sweep.h5 and printing the summary table.
# Extra arguments go to `hashsim sweep` (e.g. --paths 10000 --threads 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target hashsim
# The job regenerates its own results/ files on every run, so it replaces them (--force).
./build/tools/hashsim/hashsim sweep scenarios/default-sweep.yaml -o results/default-sweep.h5 --force "$@"
# The default site (1 MW at GBP 0.06/kWh) priced over the sweep's base/bull/bear paths (halving-stress
# runs 3 years, shorter than the 5-year site horizon).
./build/tools/hashsim/hashsim site scenarios/site-default.yaml --results results/default-sweep.h5 \
  --scenarios base,bull,bear -o results/site-default.h5 --json results/site-default.json --force
# Charts of the sweep and the site, one self-contained HTML file (opens offline).
./build/tools/hashsim/hashsim report results/default-sweep.h5 --site results/site-default.h5 -o results/report.html --force
echo "open results/report.html in a browser; or run: ./build/tools/hashsim/hashsim serve --results results/default-sweep.h5"
