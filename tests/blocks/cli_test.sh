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
! grep -q "pw-Secret-42" out out1 out2 out3
echo "blocks CLI OK"
