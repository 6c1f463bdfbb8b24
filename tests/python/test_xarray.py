"""Every HDF5 file hashsim writes opens in xarray (h5netcdf engine) with named dimensions, coordinates
and CF units/long_name (issue 13 item 1), and carries the same provenance attributes (issue 10 item 2).

Run by CTest with Debian's python3, HASHSIM_CLI at the built `hashsim`, HASHSIM_TEST_TMP owned by
this test. Files are small (few paths, short horizons) to keep the suite fast.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np
import xarray as xr

SRC = os.environ["HASHSIM_SOURCE_DIR"]
CLI = os.environ["HASHSIM_CLI"]
PROVENANCE = {"schema", "schema_version", "hashsim_version", "git_sha", "created_utc", "command_line",
              "data_snapshot", "Conventions"}


def cli(*args):
    subprocess.run([CLI, *args], check=True, capture_output=True)


def open_group(path, group):
    return xr.open_dataset(path, group=group, engine="h5netcdf")


class SelfDescribingFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        root = os.environ.get("HASHSIM_TEST_TMP") or tempfile.gettempdir()
        os.makedirs(root, exist_ok=True)
        cls.tmp = tempfile.mkdtemp(dir=root)
        cls.results = os.path.join(cls.tmp, "base.h5")
        # 5 years: the site horizon of scenarios/site-default.yaml.
        cli("run", os.path.join(SRC, "scenarios", "base.yaml"), "--paths", "6", "--days", "1825", "--threads", "2",
            "-o", cls.results, "--no-progress", "--no-summary")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_results_paths_have_path_and_day_dimensions_with_dates(self):
        ds = open_group(self.results, "scenarios/base/paths")
        hp = ds["hashprice_usd_per_th_day"]
        self.assertEqual(hp.dims, ("path", "day"))
        self.assertEqual(hp.attrs["units"], "USD/(TH/s)/day")
        self.assertIn("hashprice", hp.attrs["long_name"])
        self.assertEqual(ds.sizes["path"], 6)
        self.assertEqual(int(ds["day"][-1]), 1824)
        self.assertIn("date", ds.coords)
        self.assertEqual(str(ds["date"].values[0]), h5py.File(self.results)["scenarios/base"].attrs["start_date"])
        # the fan chart's numbers are the file's numbers
        with h5py.File(self.results) as f:
            np.testing.assert_array_equal(hp.values, f["scenarios/base/paths/hashprice_usd_per_th_day"][()])

    def test_results_scenario_group_names_its_dimensions(self):
        ds = open_group(self.results, "scenarios/base")
        self.assertEqual(set(ds.dims), {"path", "day"})
        self.assertIn("date", ds.coords)

    def test_agents_carry_machine_tariff_strategy_coordinates(self):
        ds = open_group(self.results, "scenarios/base/archetype_final")
        self.assertEqual(ds["btc"].dims, ("path", "agent"))
        for c in ("machine", "strategy", "tariff_usd_per_kwh"):
            self.assertIn(c, ds.coords)
        self.assertEqual(ds["btc"].attrs["units"], "BTC")
        summary = open_group(self.results, "scenarios/base/summary/archetype_final/btc")
        self.assertEqual(summary["p50"].dims, ("agent",))
        self.assertIn("machine", summary.coords)

    def test_summaries_have_the_day_dimension(self):
        ds = open_group(self.results, "scenarios/base/summary/hashprice_usd_per_th_day")
        self.assertEqual(ds["p50"].dims, ("day",))
        self.assertIn("median", ds["p50"].attrs["long_name"].replace("50th percentile", "median"))

    def test_results_root_has_the_provenance_and_schema_version_2(self):
        with h5py.File(self.results) as f:
            self.assertTrue(PROVENANCE <= set(f.attrs), set(f.attrs))
            self.assertEqual(f.attrs["schema"], "hashsim.results")
            self.assertEqual(int(f.attrs["schema_version"]), 2)

    def test_site_file_has_path_and_year_dimensions(self):
        site = os.path.join(self.tmp, "site.h5")
        cli("site", os.path.join(SRC, "scenarios", "site-default.yaml"), "--results", self.results, "-o", site,
            "--no-report")
        ds = open_group(site, "site/scenarios/base/site")
        self.assertEqual(ds["cashflows_site_ccy"].dims, ("path", "year"))
        self.assertEqual(ds["npv_site_ccy"].dims, ("path",))
        self.assertEqual(int(ds["year"][0]), 0)
        sel = open_group(site, "site/selection")
        self.assertEqual(sel["power_w"].dims, ("miner",))
        self.assertEqual(sel["power_w"].attrs["units"], "W")
        with h5py.File(site) as f:
            self.assertTrue(PROVENANCE <= set(f.attrs), set(f.attrs))
            self.assertEqual(f.attrs["schema"], "hashsim.site")
            self.assertIn("site", f.attrs["scenario_yaml"])

    def test_backtest_file_has_the_date_dimension(self):
        out = os.path.join(self.tmp, "backtest.h5")
        cli("backtest", "--data", os.path.join(SRC, "data", "history", "btc_daily_2020_2026_obm.csv"),
            "--from", "2024-01-01", "--to", "2024-03-31", "--machine", "S19 Pro", "--specs",
            os.path.join(SRC, "data", "history", "asic_specs.csv"), "--tariff-usd-per-kwh", "0.05", "--h5", out)
        ds = xr.open_dataset(out, engine="h5netcdf")
        self.assertEqual(ds.sizes["date"], 91)
        self.assertEqual(str(ds["date"].values[0]), "2024-01-01")
        self.assertEqual(ds["profit_usd"].dims, ("date",))
        self.assertEqual(ds["profit_usd"].attrs["units"], "USD")
        with h5py.File(out) as f:
            self.assertTrue(PROVENANCE <= set(f.attrs), set(f.attrs))
            self.assertEqual(f.attrs["schema"], "hashsim.backtest")


if __name__ == "__main__":
    unittest.main()
