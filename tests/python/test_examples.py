"""examples/: the researcher's workflow runs as a script and as a notebook (issue 13 item 3).

The script runs with Debian's python3; the notebook is executed by `jupyter nbconvert --execute`
(Debian jupyter-nbconvert + python3-ipykernel, tools/install-deps.sh). Both use few paths
(HASHSIM_EXAMPLE_PATHS) and write into a folder this test owns.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

from hashsim_testcase import TempDirTestCase

SRC = os.environ["HASHSIM_SOURCE_DIR"]
EXAMPLES = os.path.join(SRC, "examples")
sys.path.insert(0, EXAMPLES)
import make_notebook  # noqa: E402

PATHS = "4"


class Examples(TempDirTestCase):

    def env(self, out):
        e = dict(os.environ, HASHSIM_EXAMPLE_PATHS=PATHS, HASHSIM_EXAMPLE_OUT=out, MPLBACKEND="Agg")
        return e

    def check_outputs(self, out):
        for name in ("volatility.h5", "site.h5", "hashprice_fans.png", "site_npv.png"):
            self.assertGreater(os.path.getsize(os.path.join(out, name)), 1000, name)

    def test_notebook_holds_the_script_cells(self):
        with open(os.path.join(EXAMPLES, "volatility_sweep.py"), encoding="utf-8") as f:
            want = make_notebook.cells_of(f.read())
        with open(os.path.join(EXAMPLES, "volatility_sweep.ipynb"), encoding="utf-8") as f:
            nb = json.load(f)
        got = [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]
        self.assertEqual(got, want, "run /usr/bin/python3 examples/make_notebook.py after editing the script")

    def test_script_runs(self):
        out = os.path.join(self.tmp, "script")
        r = subprocess.run([sys.executable, os.path.join(EXAMPLES, "volatility_sweep.py")], env=self.env(out),
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.assertIn("d median hashprice / d vol", r.stdout)
        self.check_outputs(out)

    def test_notebook_executes_with_nbconvert(self):
        out = os.path.join(self.tmp, "notebook")
        os.makedirs(out, exist_ok=True)
        nbconvert = shutil.which("jupyter-nbconvert")
        self.assertIsNotNone(nbconvert, "jupyter-nbconvert not installed (tools/install-deps.sh)")
        r = subprocess.run([nbconvert, "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
                            "--output-dir", out, os.path.join(EXAMPLES, "volatility_sweep.ipynb")],
                           env=self.env(out), cwd=EXAMPLES, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        self.check_outputs(out)
        with open(os.path.join(out, "volatility_sweep.ipynb"), encoding="utf-8") as f:
            executed = json.load(f)
        text = "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
        self.assertIn("d median hashprice / d vol", text)


if __name__ == "__main__":
    unittest.main()
