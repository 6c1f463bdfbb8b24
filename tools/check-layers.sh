#!/usr/bin/env bash
# Checks the module layers (README.md, "Architecture"): every #include of a project header from
# engine/, agents/, tools/hashsim/ or python/ must name the including module itself or a module it
# may depend on. Prints each forbidden include as file:line: from -> to, and exits 1 if any.
# Usage: tools/check-layers.sh [repository root]   (CTest runs it as architecture_layers)
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

core="util net rng market chain agents scenario io sim"
declare -A allowed=(
  # Core, bottom up: each floor may use the floors below it.
  [util]=""
  [net]="util"
  [rng]="util"
  [market]="rng util"
  [chain]="rng util"
  [agents]="market chain rng util"
  [scenario]="agents market chain rng util"
  [io]="scenario agents market chain rng util"
  [sim]="io scenario agents market chain rng util"
  # Applications: the core, never each other.
  [live]="$core"
  [site]="$core"
  [history]="$core"
  [blocks]="$core"
  # Scenarios -> results file with start sources from live data (engine/sim/simulate_file).
  [simfile]="$core live"
  # Report and dashboard present results, site analyses, live data and block ledgers.
  [report]="$core site live blocks"
  # Front ends may use everything.
  [cli]="$core simfile live site history blocks report"
  [python]="$core simfile live site history blocks report"
)

module_of() {
  case "$1" in
    engine/sim/simulate_file*) echo simfile ;;
    engine/*/*) local p=${1#engine/}; echo "${p%%/*}" ;;
    agents/*) echo agents ;;
    tools/hashsim/*) echo cli ;;
    python/*) echo python ;;
    *) echo "" ;;
  esac
}

status=0
while IFS= read -r file; do
  from=$(module_of "$file")
  [[ -n "$from" ]] || continue
  if [[ ! -v "allowed[$from]" ]]; then
    echo "$file: module '$from' is not in the layer table of tools/check-layers.sh"
    status=1
    continue
  fi
  while IFS=: read -r line target; do
    to=$(module_of "$target")
    [[ -z "$to" || "$to" == "$from" ]] && continue
    if [[ " ${allowed[$from]} " != *" $to "* ]]; then
      echo "$file:$line: $from -> $to (#include \"$target\")"
      status=1
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" |
           sed 's/^\([0-9]*\):[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1:\2/')
done < <(find engine agents tools/hashsim python -type f \( -name '*.h' -o -name '*.cpp' -o -name '*.in' \) | sort)

if [[ $status -eq 0 ]]; then echo "layers ok"; fi
exit $status
