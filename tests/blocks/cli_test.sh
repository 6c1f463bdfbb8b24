#!/bin/sh
# hashsim blocks sync / revenue end to end against blocks_fake_node. Args: hashsim fake_node source_dir
set -eu
HASHSIM=$1; NODE=$2; SRC=$3
dir=$(mktemp -d); trap 'exec 3>&-; rm -rf "$dir"' EXIT
mkfifo "$dir/in"
"$NODE" --tip 910457 --user alice --password 'pw-Secret-42' < "$dir/in" > "$dir/url" &
exec 3>"$dir/in"   # the node runs until this closes
for i in $(seq 1 100); do [ -s "$dir/url" ] && break; sleep 0.05; done
export BITCOIN_RPC_URL=$(cat "$dir/url") BITCOIN_RPC_USER=alice BITCOIN_RPC_PASSWORD='pw-Secret-42'
cd "$dir"
# Bad password: exit 1, auth message, no secret.
if BITCOIN_RPC_PASSWORD=wrong "$HASHSIM" blocks sync --db l.sqlite --from-height 909458 > out 2>&1; then cat out; exit 1; fi
grep -q "authentication failed" out
# ... and leaves no ledger (nor lock) file behind.
test ! -e l.sqlite && test ! -e l.sqlite.lock
"$HASHSIM" blocks sync --db l.sqlite --from-height 909458 --batch 400 > out1 2>&1
cat out1
grep -q "added 1000 blocks (909458..910457) in 3 batches" out1
"$HASHSIM" blocks sync --db l.sqlite > out2 2>&1
cat out2
grep -q "up to date: no new blocks" out2
"$HASHSIM" blocks revenue --db l.sqlite --machine "Antminer S21" --machine "S19 Pro" --tariff-usd-per-kwh 0.05 \
  --prices "$SRC/data/history/btc_price_usd_daily.csv" --specs "$SRC/data/history/asic_specs.csv" -o rev.csv --h5 rev.h5 > out3 2>&1
cat out3
grep -q "blocks 909458..910457 (1000 blocks" out3
test "$(wc -l < rev.csv)" -eq 1001
head -1 rev.csv | grep -q "bitmain_antminer_s21_profit_usd,bitmain_antminer_s19_pro_revenue_btc"
test -s rev.h5
# Provenance: the command line keeps its quoting; version and git sha are recorded.
grep -aqF -- "--machine 'Antminer S21' --machine 'S19 Pro'" rev.h5
grep -aq "git_sha" rev.h5 && grep -aq "hashsim_version" rev.h5
# Monthly summary: one row per month, the sums as CSV.
"$HASHSIM" blocks revenue --db l.sqlite --machine "Antminer S21" --prices "$SRC/data/history/btc_price_usd_daily.csv" \
  --specs "$SRC/data/history/asic_specs.csv" --by month -o month.csv > out4 2>&1
cat out4
head -1 month.csv | grep -q "^month,blocks,interval_s,"
test "$(awk -F, 'NR>1 {n += $2} END {print n}' month.csv)" -eq 1000
! grep -q "pw-Secret-42" out out1 out2 out3 out4
# Two syncs of one ledger at once: the second stops at once with a clear message.
exec 3>&-
"$NODE" --tip 912457 --user alice --password 'pw-Secret-42' --post-delay-ms 100 < "$dir/in" > "$dir/url2" &
exec 3>"$dir/in"
for i in $(seq 1 100); do [ -s "$dir/url2" ] && break; sleep 0.05; done
export BITCOIN_RPC_URL=$(cat "$dir/url2")
"$HASHSIM" blocks sync --db l.sqlite --batch 100 > out5 2>&1 &
first=$!
for i in $(seq 1 100); do [ -e l.sqlite.lock ] && break; sleep 0.05; done
if "$HASHSIM" blocks sync --db l.sqlite > out6 2>&1; then cat out6; exit 1; fi
cat out6
grep -q "another \`hashsim blocks sync\` (pid [0-9]*) is writing l.sqlite" out6
wait $first
grep -q "added 2000 blocks (910458..912457)" out5
echo "blocks CLI OK"
