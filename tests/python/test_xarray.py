"""Every HDF5 file hashsim writes opens in xarray (h5netcdf engine) with named dimensions, coordinates
and CF units/long_name (issue 13 item 1), and carries the same provenance attributes (issue 10 item 2).

Run by CTest with Debian's python3, HASHSIM_CLI at the built `hashsim`, HASHSIM_TEST_TMP owned by
this test. Files are small (few paths, short horizons) to keep the suite fast.
"""
import os
import subprocess
import unittest

import h5py
import numpy as np
import xarray as xr
from hashsim_testcase import TempDirTestCase

from hashsim import schema  # group and dataset names (engine/io/schema.h)

SRC = os.environ["HASHSIM_SOURCE_DIR"]
CLI = os.environ["HASHSIM_CLI"]
FAKE_NODE = os.environ["HASHSIM_FAKE_NODE"]  # tests/blocks/fake_node_main.cpp: a loopback Bitcoin Core
BASE = schema.scenario_group("base")
PATHS = f"{BASE}/{schema.PATHS_GROUP}"
SUMMARY = f"{BASE}/{schema.SUMMARY_GROUP}"
HP = "hashprice_usd_per_th_day"
PROVENANCE = {"schema", "schema_version", "hashsim_version", "git_sha", "created_utc", "command_line",
              "data_snapshot", "Conventions"}


def cli(*args, env=None):
    r = subprocess.run([CLI, *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise AssertionError(f"hashsim {' '.join(args)}: exit {r.returncode}\n{r.stderr[-2000:]}")


def open_group(path, group):
    return xr.open_dataset(path, group=group, engine="h5netcdf")


class SelfDescribingFiles(TempDirTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.results = os.path.join(cls.tmp, "base.h5")
        # 5 years: the site horizon of scenarios/site-default.yaml.
        cli("run", os.path.join(SRC, "scenarios", "base.yaml"), "--paths", "6", "--days", "1825", "--threads", "2",
            "-o", cls.results, "--no-progress", "--no-summary")

    def test_results_paths_have_path_and_day_dimensions_with_dates(self):
        ds = open_group(self.results, PATHS)
        hp = ds["hashprice_usd_per_th_day"]
        self.assertEqual(hp.dims, ("path", "day"))
        self.assertEqual(hp.attrs["units"], "USD/(TH/s)/day")
        self.assertIn("hashprice", hp.attrs["long_name"])
        self.assertEqual(ds.sizes["path"], 6)
        self.assertEqual(int(ds["day"][-1]), 1824)
        self.assertIn("date", ds.coords)
        self.assertEqual(str(ds["date"].values[0]), h5py.File(self.results)[BASE].attrs["start_date"])
        # the fan chart's numbers are the file's numbers
        with h5py.File(self.results) as f:
            np.testing.assert_array_equal(hp.values, f[f"{PATHS}/{HP}"][()])

    def test_results_scenario_group_is_the_scenarios_dataset(self):
        # Schema v3: the scenario group alone holds the daily series and their summaries.
        ds = open_group(self.results, BASE)
        self.assertEqual(set(ds.dims), {"path", "day", "quantile"})
        self.assertIn("date", ds.coords)
        hp = ds["hashprice_usd_per_th_day"]
        self.assertEqual(hp.dims, ("path", "day"))
        self.assertEqual(hp.attrs["units"], "USD/(TH/s)/day")
        q = ds["hashprice_usd_per_th_day_quantiles"]
        self.assertEqual(q.dims, ("quantile", "day"))
        np.testing.assert_array_equal(ds["quantile"].values, [0.05, 0.25, 0.5, 0.75, 0.95])
        self.assertEqual(ds["hashprice_usd_per_th_day_mean"].dims, ("day",))
        self.assertEqual(ds["hashprice_usd_per_th_day_stderr"].dims, ("day",))
        with h5py.File(self.results) as f:
            np.testing.assert_array_equal(q.sel(quantile=0.5).values,
                                          f[f"{SUMMARY}/{HP}/p50"][()])
            np.testing.assert_array_equal(hp.values, f[f"{PATHS}/{HP}"][()])
        # the stored quantiles are numpy's linear ones of the paths
        np.testing.assert_allclose(q.values, hp.quantile(ds["quantile"].values, dim="path").values, rtol=1e-12)

    def test_agents_carry_machine_tariff_strategy_coordinates(self):
        ds = open_group(self.results, f"{BASE}/{schema.ARCHETYPE_FINAL_GROUP}")
        self.assertEqual(ds["btc"].dims, ("path", "agent"))
        for c in ("machine", "strategy", "tariff_usd_per_kwh"):
            self.assertIn(c, ds.coords)
        self.assertEqual(ds["btc"].attrs["units"], "BTC")
        summary = open_group(self.results, f"{SUMMARY}/{schema.ARCHETYPE_FINAL_GROUP}/btc")
        self.assertEqual(summary["p50"].dims, ("agent",))
        self.assertIn("machine", summary.coords)

    def test_summaries_have_the_day_dimension_and_a_quantile_coordinate(self):
        ds = open_group(self.results, f"{SUMMARY}/{HP}")
        self.assertEqual(ds["p50"].dims, ("day",))
        self.assertIn("median", ds["p50"].attrs["long_name"].replace("50th percentile", "median"))
        self.assertEqual(ds["quantiles"].dims, ("quantile", "day"))
        np.testing.assert_array_equal(ds["quantile"].values, [0.05, 0.25, 0.5, 0.75, 0.95])
        np.testing.assert_array_equal(ds["quantiles"].sel(quantile=0.95).values, ds["p95"].values)
        agents = open_group(self.results, f"{SUMMARY}/{schema.ARCHETYPE_FINAL_GROUP}/btc")
        self.assertEqual(agents["quantiles"].dims, ("quantile", "agent"))
        self.assertIn("machine", agents.coords)

    def test_results_root_has_the_provenance_and_schema_version_3(self):
        with h5py.File(self.results) as f:
            self.assertTrue(PROVENANCE <= set(f.attrs), set(f.attrs))
            self.assertEqual(f.attrs["schema"], "hashsim.results")
            self.assertEqual(int(f.attrs["schema_version"]), 3)

    @classmethod
    def site_file(cls):
        if not hasattr(cls, "_site"):
            cls._site = os.path.join(cls.tmp, "site.h5")
            cli("site", os.path.join(SRC, "scenarios", "site-default.yaml"), "--results", cls.results, "-o",
                cls._site, "--no-report")
        return cls._site

    @classmethod
    def backtest_file(cls):
        if not hasattr(cls, "_backtest"):
            cls._backtest = os.path.join(cls.tmp, "backtest.h5")
            cli("backtest", "--data", os.path.join(SRC, "data", "history", "btc_daily_2020_2026_obm.csv"),
                "--from", "2024-01-01", "--to", "2024-03-31", "--machine", "S19 Pro", "--specs",
                os.path.join(SRC, "data", "history", "asic_specs.csv"), "--tariff-usd-per-kwh", "0.05",
                "--h5", cls._backtest)
        return cls._backtest

    @classmethod
    def block_revenue_file(cls):
        """`blocks sync` from the loopback fake node (100 real blocks), then `blocks revenue --h5`."""
        if not hasattr(cls, "_blocks"):
            node = subprocess.Popen([FAKE_NODE, "--tip", "909557"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    text=True)
            try:
                url = node.stdout.readline().strip()
                env = dict(os.environ, BITCOIN_RPC_URL=url)
                db = os.path.join(cls.tmp, "ledger.sqlite")
                cli("blocks", "sync", "--db", db, "--from-height", "909458", env=env)
            finally:
                node.stdin.close()
                node.stdout.close()
                node.wait(timeout=30)
            cls._blocks = os.path.join(cls.tmp, "revenue.h5")
            cli("blocks", "revenue", "--db", db, "--machine", "S19 Pro", "--machine", "Antminer S21",
                "--tariff-usd-per-kwh", "0.05", "--prices", os.path.join(SRC, "data", "history", "btc_price_usd_daily.csv"),
                "--specs", os.path.join(SRC, "data", "history", "asic_specs.csv"),
                "-o", os.path.join(cls.tmp, "revenue.csv"), "--h5", cls._blocks)
        return cls._blocks

    def test_site_file_has_path_and_year_dimensions(self):
        site = self.site_file()
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
        out = self.backtest_file()
        ds = xr.open_dataset(out, engine="h5netcdf")
        self.assertEqual(ds.sizes["date"], 91)
        self.assertEqual(str(ds["date"].values[0]), "2024-01-01")
        self.assertEqual(ds["profit_usd"].dims, ("date",))
        self.assertEqual(ds["profit_usd"].attrs["units"], "USD")
        with h5py.File(out) as f:
            self.assertTrue(PROVENANCE <= set(f.attrs), set(f.attrs))
            self.assertEqual(f.attrs["schema"], "hashsim.backtest")

    def test_block_revenue_file_has_the_height_dimension(self):
        out = self.block_revenue_file()
        ds = xr.open_dataset(out, engine="h5netcdf")
        self.assertEqual(ds.sizes["height"], 100)
        self.assertEqual(int(ds["height"][0]), 909458)
        profit = [v for v in ds.data_vars if v.endswith("_profit_usd")]
        self.assertEqual(len(profit), 2)
        self.assertEqual(ds[profit[0]].dims, ("height",))
        machines = open_group(out, "machines")
        self.assertEqual(machines["power_w"].dims, ("name",))
        with h5py.File(out) as f:
            self.assertTrue(PROVENANCE <= set(f.attrs), set(f.attrs))
            self.assertEqual(f.attrs["schema"], "hashsim.block_revenue")

    def test_every_group_of_every_file_kind_opens_with_named_dimensions(self):
        """Results, site, backtest and block revenue: no dataset of any group is left to phony_dim_*."""
        files = {"results": self.results, "site": self.site_file(), "backtest": self.backtest_file(),
                 "block_revenue": self.block_revenue_file()}
        for kind, path in files.items():
            groups = ["/"]
            with h5py.File(path) as f:
                self.assertEqual(f.attrs["schema"], "hashsim." + kind)
                f.visititems(lambda name, obj: groups.append(name) if isinstance(obj, h5py.Group) else None)
            opened = 0
            for group in groups:
                with self.subTest(kind=kind, group=group):
                    ds = open_group(path, group)
                    phony = [d for d in ds.dims if str(d).startswith("phony_dim")]
                    self.assertEqual(phony, [], f"{kind} {group}")
                    opened += len(ds.variables) > 0
            self.assertGreater(opened, 0, kind)

if __name__ == "__main__":
    unittest.main()
