"""Writes volatility_sweep.ipynb from volatility_sweep.py (cells marked `# %%`, markdown cells
`# %% [markdown]`), so the script and the notebook hold the same code. The test suite checks
that they agree (tests/python/test_examples.py): after editing the script, run
    /usr/bin/python3 examples/make_notebook.py
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def cells_of(script_text):
    """[(kind, source)] of a percent-format script: kind "markdown" or "code"."""
    cells, kind, lines = [], None, []

    def flush():
        if kind is not None:
            while lines and not lines[-1].strip():
                lines.pop()
            cells.append((kind, "\n".join(lines)))

    for line in script_text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind == "markdown":
            lines.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def notebook(cells):
    out = []
    for kind, src in cells:
        cell = {"cell_type": kind, "metadata": {}, "source": src.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        out.append(cell)
    return {"cells": out, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                                       "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def main(name="volatility_sweep"):
    with open(os.path.join(HERE, name + ".py"), encoding="utf-8") as f:
        nb = notebook(cells_of(f.read()))
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"
    with open(os.path.join(HERE, name + ".ipynb"), "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
