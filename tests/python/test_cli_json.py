"""`hashsim --version` and the --json twins of the CLI's tables (issue 13 item 5).

Needs only the built CLI (HASHSIM_CLI), the loopback fake node (HASHSIM_FAKE_NODE, for the blocks
commands) and Debian's python3; not the bindings. Each --json document is parsed with json.loads
from stdout alone (what is written goes to stderr) and checked against the table's numbers.
"""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from hashsim_testcase import test_root

SRC = os.environ["HASHSIM_SOURCE_DIR"]
CLI = os.environ["HASHSIM_CLI"]
FAKE_NODE = os.environ.get("HASHSIM_FAKE_NODE")
HISTORY = os.path.join(SRC, "data", "history")
BASE = os.path.join(SRC, "scenarios", "base.yaml")


def hashsim(*args, env=None):
    """(stdout, stderr) of a successful run."""
    r = subprocess.run([CLI, *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise AssertionError(f"hashsim {' '.join(args)}: exit {r.returncode}\n{r.stderr[-2000:]}")
    return r.stdout, r.stderr


def document(*args, env=None):
    out, err = hashsim(*args, "--json", env=env)
    return json.loads(out), err


class CliMachineReadable(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(dir=test_root())

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_version_names_version_sha_build_and_simd_width(self):
        r = subprocess.run([CLI, "--version"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^hashsim \d+\.\d+\.\d+\n")
        self.assertRegex(r.stdout, r"\ngit sha: \S+\n")
        self.assertRegex(r.stdout, r"\nbuild: .*(Release|Debug|RelWithDebInfo|MinSizeRel)")
        self.assertRegex(r.stdout, r"\nSIMD width: ((512|256|128)-bit|scalar)")

    def test_run_json_is_the_summary_table_as_json(self):
        out = os.path.join(self.tmp, "r.h5")
        args = [CLI, "run", os.path.join(SRC, "scenarios", "base.yaml"), "--paths", "3", "--days", "40",
                "--threads", "1", "-o", out, "--no-progress"]
        r = subprocess.run(args + ["--json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)  # stdout holds the document only
        self.assertEqual(j["schema"], "hashsim.run_summary")
        self.assertEqual(j["output"], out)
        (row,) = j["scenarios"]
        self.assertEqual((row["name"], row["paths"], row["days"]), ("base", 3, 40))
        # the same numbers as the table (USD/PH/day there, USD/TH/day here)
        table = subprocess.run(args + ["--force"], capture_output=True, text=True).stdout
        line = next(l for l in table.splitlines() if l.startswith("base "))
        p50_end = float(line.split("|")[3].split()[1])
        self.assertAlmostEqual(p50_end, row["hashprice_usd_per_th_day"]["p50_at_horizon"] * 1e3, places=2)
        self.assertGreater(row["price_usd_at_horizon"]["p95"], row["price_usd_at_horizon"]["p5"])

    def test_calibrate_json_has_the_estimates_of_the_table(self):
        fit_yaml = os.path.join(self.tmp, "fit.yaml")
        j, err = document("calibrate", "--from", "2022-01-01", "--to", "2023-12-31", "-o", fit_yaml)
        self.assertEqual((j["schema"], j["schema_version"]), ("hashsim.calibrate", 1))
        self.assertEqual((j["from"], j["to"]), ("2022-01-01", "2023-12-31"))
        self.assertIsNone(j["merton"])  # no --jumps
        vol = j["gbm"]["vol_per_sqrt_year"]
        self.assertGreater(vol["value"], 0.2)
        self.assertGreater(vol["se"], 0.0)
        self.assertGreater(j["fees"]["n_pairs"], 700)
        self.assertIn("wrote " + fit_yaml, err)
        table, _ = hashsim("calibrate", "--from", "2022-01-01", "--to", "2023-12-31")
        self.assertIn(f"log-likelihood {j['gbm']['log_likelihood']:.3f}", table)
        self.assertIn(f"({j['calendar_days']} days)", table)

    def test_backtest_json_totals_equal_the_csv_columns(self):
        csv_out = os.path.join(self.tmp, "bt.csv")
        j, _ = document("backtest", "--from", "2024-01-01", "--to", "2024-03-31", "--machine", "S19 Pro",
                        "--tariff-usd-per-kwh", "0.05", "--capex-usd", "3000", "-o", csv_out)
        self.assertEqual((j["schema"], j["days"]), ("hashsim.backtest", 91))
        with open(csv_out) as f:
            rows = list(csv.DictReader(f))
        self.assertAlmostEqual(j["fleet"]["profit_usd"], sum(float(r["profit_usd"]) for r in rows), places=6)
        self.assertAlmostEqual(j["hashprice_usd_per_th_day"]["first"], float(rows[0]["hashprice_usd_per_th_day"]),
                               places=9)
        self.assertEqual(j["fleet"]["capex_usd"], 3000)
        self.assertIn("payback_date", j["fleet"])

    def test_validate_json_has_horizons_and_the_daily_series(self):
        j, _ = document("validate", "--scenario", BASE, "--from", "2024-01-01", "--days", "40", "--paths", "2", "--threads", "2")
        self.assertEqual((j["schema"], j["days"]), ("hashsim.validate", 40))
        self.assertEqual(len(j["daily"]["simulated_network_hashrate_ths_p50"]), 40)
        self.assertEqual(j["daily"]["date"][0], "2024-01-01")
        self.assertTrue(all("median_abs_log_error" in h for h in j["horizons"]))

    def test_fit_json_lists_every_grid_point_and_the_best(self):
        j, _ = document("fit", "--scenario", BASE, "--from", "2023-01-01", "--to", "2023-04-01", "--every-months", "3", "--paths", "2",
                        "--horizons", "30", "--threads", "2", "--grid", "rules.reinvest_fraction=0.3,0.7")
        self.assertEqual(j["schema"], "hashsim.fit")
        self.assertEqual(j["keys"], ["rules.reinvest_fraction"])
        self.assertEqual([p["values"] for p in j["points"]], [[0.3], [0.7]])
        best = j["points"][j["best"]]
        self.assertEqual(best["objective"], min(p["objective"] for p in j["points"]))
        self.assertEqual(j["best_values"], {"rules.reinvest_fraction": best["values"][0]})

    @unittest.skipUnless(FAKE_NODE, "HASHSIM_FAKE_NODE not set")
    def test_blocks_sync_and_revenue_json(self):
        node = subprocess.Popen([FAKE_NODE, "--tip", "909557"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        db = os.path.join(self.tmp, "ledger.sqlite")
        try:
            env = dict(os.environ, BITCOIN_RPC_URL=node.stdout.readline().strip())
            j, _ = document("blocks", "sync", "--db", db, "--from-height", "909458", env=env)
        finally:
            node.stdin.close()
            node.stdout.close()
            node.wait(timeout=30)
        self.assertEqual(j["schema"], "hashsim.blocks_sync")
        self.assertEqual((j["blocks_added"], j["first_added"], j["last_added"]), (100, 909458, 909557))
        j, _ = document("blocks", "revenue", "--db", db, "--machine", "S19 Pro", "--tariff-usd-per-kwh", "0.05",
                        "--by", "day")
        self.assertEqual((j["schema"], j["blocks"]), ("hashsim.blocks_revenue", 100))
        (m,) = j["machines"]
        self.assertAlmostEqual(m["profit_usd"], m["revenue_usd"] - m["power_cost_usd"], places=6)
        self.assertEqual(sum(j["by"]["columns"]["blocks"]), 100)
        table, _ = hashsim("blocks", "revenue", "--db", db, "--machine", "S19 Pro", "--tariff-usd-per-kwh", "0.05")
        self.assertIn(f"profit {m['profit_usd']:.2f} USD", table)

    def test_json_with_follow_is_a_usage_error(self):
        r = subprocess.run([CLI, "blocks", "sync", "--follow", "--json", "--db", os.path.join(self.tmp, "x.sqlite")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)


if __name__ == "__main__":
    unittest.main()
