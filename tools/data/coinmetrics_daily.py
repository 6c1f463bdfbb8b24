#!/usr/bin/env python3
"""Derive data/history/btc_daily_2016_2020_cm.csv from the Coin Metrics community daily CSV.

Usage: coinmetrics_daily.py COINMETRICS_CSV EPOCHS_CSV OUT_CSV [--from YYYY-MM-DD]

COINMETRICS_CSV: Coin Metrics community `btc.csv` columns (date, PriceUSD, HashRate, DiffMean,
BlkCnt, IssTotNtv, FeeTotNtv, ...), e.g. the shared collection's coinmetrics_btc_daily_2009_2020.csv.
EPOCHS_CSV: data/history/btc_difficulty_epochs.csv (epoch, start_height, end_height, difficulty).
Writes the columns of btc_daily_2020_2026_obm.csv (data/history/README.md) so that `hashsim
halvings --data` and `hashsim score --data` can read it:
  blocks = BlkCnt; first/last_height = cumulative BlkCnt from the genesis day, shifted by a
  constant so that the last day (2020-07-27) ends at height 641098, the block before the OBM
  file's first height (641099 on 2020-07-28): Coin Metrics' day counts drift from the true heights
  by a few blocks (data/history/README.md gives the residuals); fees_btc = FeeTotNtv;
  issuance_btc = IssTotNtv; difficulty_mean = DiffMean; difficulty_eod = the epochs file's
  difficulty of the epoch holding last_height; hashrate_implied_ths = HashRate
  (= BlkCnt * DiffMean * 2^32 / 86400 / 1e12); price_usd = PriceUSD; price_source = cm.
"""
import csv
import sys

OBM_FIRST_HEIGHT = 641099  # btc_daily_2020_2026_obm.csv, 2020-07-28


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    cm_path, epochs_path, out_path = argv[1:4]
    start = argv[5] if len(argv) > 5 and argv[4] == "--from" else "2016-01-01"
    epochs = []
    with open(epochs_path) as f:
        for r in csv.DictReader(f):
            epochs.append((int(r["start_height"]), int(r["end_height"]), r["difficulty"]))
    rows = []
    cum = 0
    with open(cm_path) as f:
        for r in csv.DictReader(f):
            blocks = int(float(r["BlkCnt"] or 0))
            rows.append((r, blocks, cum))
            cum += blocks
    shift = (OBM_FIRST_HEIGHT - 1) - (cum - 1)
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "blocks", "first_height", "last_height", "fees_btc", "issuance_btc",
                    "difficulty_mean", "difficulty_eod", "hashrate_implied_ths", "price_usd",
                    "price_source"])
        for r, blocks, first in rows:
            if r["date"] < start:
                continue
            if blocks <= 0 or not r["PriceUSD"] or not r["DiffMean"]:
                sys.exit(f"{cm_path}: {r['date']}: missing blocks, price or difficulty")
            first += shift
            last = first + blocks - 1
            eod = next(d for s, e, d in epochs if s <= last <= e)
            w.writerow([r["date"], blocks, first, last, r["FeeTotNtv"], r["IssTotNtv"],
                        r["DiffMean"], eod, r["HashRate"], r["PriceUSD"], "cm"])
    print(f"wrote {out_path}: shift {shift:+d} blocks", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
