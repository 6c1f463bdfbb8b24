"""The README's xarray example (section "Output schema (HDF5)") runs as written.

The code block after the marker `<!-- readme-example: xarray -->` is executed in a temporary
directory holding results/default-sweep.h5 from a small `hashsim sweep` (few paths, short horizon).
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import matplotlib

from hashsim_testcase import test_root

matplotlib.use("Agg")

SRC = os.environ["HASHSIM_SOURCE_DIR"]
CLI = os.environ["HASHSIM_CLI"]


def readme_block(marker):
    text = open(os.path.join(SRC, "README.md"), encoding="utf-8").read()
    m = re.search(re.escape(marker) + r"\s*```python\n(.*?)```", text, re.S)
    if not m:
        raise AssertionError(f"README.md has no python block after {marker}")
    return m.group(1)


class ReadmeExample(unittest.TestCase):
    def test_xarray_fan_chart_example_runs(self):
        tmp = tempfile.mkdtemp(dir=test_root())
        try:
            subprocess.run([CLI, "sweep", os.path.join(SRC, "scenarios", "default-sweep.yaml"), "--paths", "4",
                            "--days", "90", "--threads", "2", "-o", os.path.join(tmp, "results", "default-sweep.h5"),
                            "--no-progress", "--no-summary"], check=True, capture_output=True)
            code = readme_block("<!-- readme-example: xarray -->")
            self.assertLessEqual(len(code.strip().splitlines()), 5)
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                exec(compile(code, "README.md", "exec"), {})
            finally:
                os.chdir(cwd)
            self.assertGreater(os.path.getsize(os.path.join(tmp, "hashprice_fan.png")), 1000)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
