"""The hashsim Python bindings: same numbers as the CLI, errors with file/line/key, overrides.

Run by CTest (tests/python/CMakeLists.txt) with PYTHONPATH pointing at the build tree's package,
HASHSIM_CLI at the built `hashsim` and HASHSIM_TEST_TMP at a directory this test owns.
"""
import json
import os
import subprocess
import threading
import unittest

import h5py
import numpy as np

import hashsim
from hashsim_testcase import TempDirTestCase

SRC = os.environ["HASHSIM_SOURCE_DIR"]
CLI = os.environ["HASHSIM_CLI"]
BASE = os.path.join(SRC, "scenarios", "base.yaml")
SCHEMA = hashsim.schema  # group and dataset names (engine/io/schema.h)
BASE_GROUP = SCHEMA.scenario_group("base")
HASHPRICE = SCHEMA.paths_dataset("hashprice_usd_per_th_day")
PRICE = SCHEMA.paths_dataset("price_usd")


def datasets(path, group):
    """Every dataset under group by every name it has (visititems would name a linked one once)."""
    out = {}

    def walk(g, prefix):
        for name, obj in g.items():
            if isinstance(obj, h5py.Group):
                walk(obj, prefix + name + "/")
            else:
                out[prefix + name] = obj[()]
    with h5py.File(path, "r") as f:
        walk(f[group], "")
    return out


def same(x, y):
    """Bit-identical numbers (NaN equal to NaN), or equal strings."""
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "OSU" or y.dtype.kind in "OSU":
        return x.shape == y.shape and x.tolist() == y.tolist()
    return x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()


class Bindings(TempDirTestCase):

    def test_file_written_from_python_equals_the_cli_file_dataset_for_dataset(self):
        cli_out = os.path.join(self.tmp, "cli.h5")
        py_out = os.path.join(self.tmp, "py.h5")
        subprocess.run([CLI, "run", BASE, "--paths", "6", "--days", "90", "--seed", "11", "--threads", "1",
                        "-o", cli_out, "--no-progress", "--no-summary"], check=True, capture_output=True)
        s = hashsim.load_scenario(BASE, paths=6, days=90, seed=11)
        self.assertEqual(hashsim.run(s, out=py_out, threads=2), py_out)
        a, b = datasets(cli_out, BASE_GROUP), datasets(py_out, BASE_GROUP)
        self.assertEqual(sorted(a), sorted(b))
        self.assertGreater(len(a), 10)
        for name in a:
            self.assertEqual(same(a[name], b[name]), True, name)

    def test_in_memory_arrays_equal_the_file_and_carry_days_and_dates(self):
        out = os.path.join(self.tmp, "mem.h5")
        s = hashsim.load_scenario(BASE, paths=5, days=60, seed=3)
        hashsim.run(s, out=out)
        r = hashsim.run(s, threads=1, block_paths=2)
        f = datasets(out, BASE_GROUP)
        hp = r[HASHPRICE]
        self.assertEqual(hp.shape, (5, 60))
        for name, arr in r.arrays.items():
            self.assertTrue(same(arr, f[name]), name)
        self.assertEqual(str(r.date[0]), s.start_date)
        self.assertEqual(r.day[-1], 59)
        self.assertEqual(r.units[PRICE], "USD/BTC")

    def test_dotted_overrides_change_exactly_that_key(self):
        s = hashsim.load_scenario(BASE, paths=4, days=30, **{"price.vol_per_sqrt_year": 0.9})
        self.assertEqual(s.variant, "price.vol_per_sqrt_year=0.9")
        t = hashsim.load_scenario(BASE, paths=4, days=30, price__vol_per_sqrt_year=0.9)
        a = hashsim.run(s)[PRICE]
        self.assertEqual(a.tobytes(), hashsim.run(t)[PRICE].tobytes())
        base = hashsim.run(hashsim.load_scenario(BASE, paths=4, days=30))[PRICE]
        self.assertFalse(np.array_equal(a, base))
        np.testing.assert_array_equal(a[:, 0], base[:, 0])  # same start

    def test_bad_value_raises_error_with_file_line_and_key(self):
        with self.assertRaises(hashsim.Error) as ctx:
            hashsim.load_scenario(BASE, **{"price.vol_per_sqrt_year": -0.3})
        e = ctx.exception
        self.assertEqual(e.key, "price.vol_per_sqrt_year")
        self.assertEqual(e.file, "override")  # the value came from the call, not the file
        self.assertIn("base.yaml", str(e))
        self.assertIn("is not in", str(e))

    def test_bad_value_in_the_file_names_its_line(self):
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(BASE) as f:
            text = f.read().replace("vol_per_sqrt_year: 0.572", "vol_per_sqrt_year: -0.5")
        with open(bad, "w") as f:
            f.write(text)
        with self.assertRaises(hashsim.Error) as ctx:
            hashsim.load_scenario(bad)
        self.assertEqual(ctx.exception.file, bad)
        self.assertEqual(ctx.exception.key, "price.vol_per_sqrt_year")
        self.assertGreater(ctx.exception.line, 1)

    def test_missing_file_is_an_error_not_a_crash(self):
        with self.assertRaises(hashsim.Error):
            hashsim.load_scenario(os.path.join(self.tmp, "nope.yaml"))

    def test_gil_is_released_while_simulating(self):
        # A Python thread keeps running (takes the GIL) while the engine simulates in another.
        s = hashsim.load_scenario(BASE, paths=64, days=1825)
        ticks = []
        done = threading.Event()

        def ticker():
            while not done.is_set():
                ticks.append(1)
                done.wait(0.001)
        t = threading.Thread(target=ticker)
        t.start()
        hashsim.run(s, threads=1)
        done.set()
        t.join()
        self.assertGreater(len(ticks), 5)

    def test_site_matches_the_cli_json(self):
        results = os.path.join(self.tmp, "site-results.h5")
        sweep = os.path.join(self.tmp, "sweep.yaml")
        with open(sweep, "w") as f:
            f.write("name: py-site\nscenarios: [%s, %s, %s]\n" % tuple(
                os.path.join(SRC, "scenarios", n + ".yaml") for n in ("base", "bull", "bear")))
        hashsim.sweep(sweep, results, paths=4, days=1825)
        site_yaml = os.path.join(SRC, "scenarios", "site-default.yaml")
        cli_json = os.path.join(self.tmp, "site.json")
        subprocess.run([CLI, "site", site_yaml, "--results", results, "--json", cli_json, "--no-report"],
                       check=True, capture_output=True)
        with open(cli_json) as f:
            expected = json.load(f)
        got = hashsim.site(site_yaml, results)
        for d in (expected, got):  # what records the run, not the result (the clock may tick between them)
            d.pop("command_line", None)
            d.pop("created_utc", None)
        self.assertEqual(got, expected)

    def test_live_offline_gives_a_snapshot_with_sources(self):
        env = dict(os.environ)
        os.environ["HASHSIM_CACHE_DIR"] = os.path.join(self.tmp, "live-cache")
        try:
            snap = hashsim.live(offline=True)
        finally:
            os.environ.clear()
            os.environ.update(env)
        self.assertIn("values", snap)
        self.assertIn("price_usd", snap["values"])
        self.assertEqual(snap["values"]["price_usd"]["source"], "static")

    def test_help_shows_signature_and_docstring(self):
        doc = hashsim.run.__doc__
        self.assertIn("out=None", doc)
        import inspect
        self.assertIn("threads", str(inspect.signature(hashsim.run)))


if __name__ == "__main__":
    unittest.main()
