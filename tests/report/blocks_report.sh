#!/bin/sh
# The report of a block ledger (issue 16, item 13), end to end: blocks_fake_node serves 1,000 real
# blocks (909458..910457), `hashsim blocks sync` stores them, `hashsim blocks revenue --h5` prices
# two fleets, and `hashsim report --blocks` draws them. Leaves OUT/blocks_revenue.h5 and
# OUT/blocks_report.html for the browser test. Args: hashsim fake_node source_dir out_dir
set -eu
HASHSIM=$1; NODE=$2; SRC=$3; OUT=$4
dir=$(mktemp -d); trap 'exec 3>&-; rm -rf "$dir"' EXIT
mkfifo "$dir/in"
"$NODE" --tip 910457 --user alice --password pw-report-1 < "$dir/in" > "$dir/url" &
exec 3>"$dir/in"   # the node runs until this closes
for i in $(seq 1 100); do [ -s "$dir/url" ] && break; sleep 0.05; done
export BITCOIN_RPC_URL=$(cat "$dir/url") BITCOIN_RPC_USER=alice BITCOIN_RPC_PASSWORD=pw-report-1
cd "$dir"
"$HASHSIM" blocks sync --db l.sqlite --from-height 909458 --batch 500 > out1 2>&1 || { cat out1; exit 1; }
"$HASHSIM" blocks revenue --db l.sqlite --machine "Antminer S21" --machine "S19 Pro" --tariff-usd-per-kwh 0.05 \
  --pool-fee 0.02 --prices "$SRC/data/history/btc_price_usd_daily.csv" --specs "$SRC/data/history/asic_specs.csv" \
  --by day -o days.csv --h5 "$OUT/blocks_revenue.h5" --force > out2 2>&1 || { cat out2; exit 1; }
cat out2
# A report of the ledger alone (no results file).
"$HASHSIM" report --blocks "$OUT/blocks_revenue.h5" -o "$OUT/blocks_report.html" --force > out3 2>&1 || { cat out3; exit 1; }
cat out3
html="$OUT/blocks_report.html"
grep -q '<section id="blocks">' "$html"
grep -q '"n_blocks":1000' "$html"
grep -q '"first_height":909458' "$html"
grep -q 'HS.blockRevenue' "$html"
# The daily sums in the page are those of `blocks revenue --by day`: same days, same block counts.
days=$(awk -F, 'NR>1 {printf "%s\"%s\"", (NR>2?",":""), $1}' days.csv)
grep -qF "\"day\":[$days]" "$html" || { echo "days [$days] not in the page"; exit 1; }
counts=$(awk -F, 'NR>1 {printf "%s%s.0", (NR>2?",":""), $2}' days.csv)
grep -qF "\"blocks\":[$counts]" "$html" || { echo "daily block counts [$counts] not in the page"; exit 1; }
# Not a block revenue file: a clear error, exit 1, no output.
if "$HASHSIM" report --blocks days.csv -o bad.html > out4 2>&1; then cat out4; exit 1; fi
cat out4
grep -q "days.csv: not a block revenue file" out4
test ! -e bad.html
echo "blocks report OK"
