"""`hashsim --version` and the --json twins of the CLI's tables (issue 13 item 5).

Needs only the built CLI (HASHSIM_CLI) and Debian's python3; not the bindings.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SRC = os.environ["HASHSIM_SOURCE_DIR"]
CLI = os.environ["HASHSIM_CLI"]


class CliMachineReadable(unittest.TestCase):
    def setUp(self):
        root = os.environ.get("HASHSIM_TEST_TMP") or tempfile.gettempdir()
        os.makedirs(root, exist_ok=True)
        self.tmp = tempfile.mkdtemp(dir=root)

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


if __name__ == "__main__":
    unittest.main()
