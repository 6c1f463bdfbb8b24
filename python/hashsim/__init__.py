"""hashsim from Python: the same engine, scenarios and files as the `hashsim` command.

    import hashsim
    s = hashsim.load_scenario("scenarios/base.yaml", paths=200, days=730,
                              **{"price.vol_per_sqrt_year": 0.8})
    r = hashsim.run(s, threads=2)              # in memory: numpy arrays [paths, days]
    r["paths/hashprice_usd_per_th_day"].mean(axis=0)
    hashsim.run(s, out="results/base.h5")      # the same file `hashsim run` writes

Errors in scenario files raise hashsim.Error, which carries .file, .line and .key when the
message names them. The GIL is released while simulating.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _hashsim

__version__: str = _hashsim.__version__
git_sha: str = _hashsim.git_sha
Scenario = _hashsim.Scenario
schema = _hashsim.schema  # names of groups, datasets and dimensions (engine/io/schema.h)

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["Error", "Scenario", "RunResult", "load_scenario", "load_sweep", "run", "sweep", "site", "live",
           "open_results", "schema", "__version__", "git_sha"]


class Error(ValueError):
    """Bad input or a failed operation; the message names file, line, key and allowed range.

    Attributes (None when the message does not name them): file, line, key.
    """

    # "scenarios/bear.yaml:14: price.vol_per_sqrt_year = -0.3 is not in [0, 5]"
    _WHERE = re.compile(r"^(?P<file>[^:\n]+?):(?P<line>\d+): (?P<key>[A-Za-z_][\w.\[\]-]*)")

    def __init__(self, message: str):
        super().__init__(message)
        m = self._WHERE.match(message)
        self.file: Optional[str] = m.group("file") if m else None
        self.line: Optional[int] = int(m.group("line")) if m else None
        self.key: Optional[str] = m.group("key") if m else None


def _translate_errors(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _hashsim.Error as e:
            raise Error(str(e)) from None
    return wrapper


def _yaml_value(value: Any) -> str:
    """A Python value as YAML text (JSON is YAML 1.2 flow syntax)."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _command_line(fn: str, **kwargs: Any) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if v is not None)
    return f"python: hashsim.{fn}({args})"


@_translate_errors
def load_scenario(path: PathLike, *, paths: Optional[int] = None, days: Optional[int] = None,
                  seed: Optional[int] = None, **overrides: Any) -> Scenario:
    """Load and validate a scenario YAML file.

    paths, days, seed: as the CLI's --paths, --days, --seed.
    overrides: dotted scenario keys as in a sweep grid, e.g.
        load_scenario(f, **{"price.vol_per_sqrt_year": 0.8})  or  price__vol_per_sqrt_year=0.8
    (a double underscore stands for a dot). Keys absent from the file are created.
    Raises hashsim.Error naming file, line and key on bad input.
    """
    keys = [(k.replace("__", "."), _yaml_value(v)) for k, v in overrides.items()]
    return _hashsim.load_scenario(os.fspath(path), keys, paths, days, seed)


@_translate_errors
def load_sweep(path: PathLike, *, paths: Optional[int] = None, days: Optional[int] = None,
               seed: Optional[int] = None) -> List[Scenario]:
    """The scenarios of a sweep file (grid points expanded), as `hashsim sweep` would run them."""
    return _hashsim.load_sweep(os.fspath(path), paths, days, seed)


@dataclass
class RunResult:
    """One scenario simulated in memory.

    arrays: dataset name as in the results file ("paths/price_usd", "fleets/value_usd", ...) ->
            float64 array [paths, ...]; the last axis is the recorded day.
    day:    recorded day indices; date: their ISO dates (numpy datetime64[D]).
    units:  dataset name -> unit.
    """
    name: str
    arrays: Dict[str, np.ndarray]
    day: np.ndarray
    date: np.ndarray
    units: Dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]

    def keys(self) -> Iterable[str]:
        return self.arrays.keys()


def _as_scenario(scenario: Union[Scenario, PathLike], paths: Optional[int], days: Optional[int],
                 seed: Optional[int]) -> Scenario:
    if isinstance(scenario, Scenario):
        if paths is not None or days is not None or seed is not None:
            # Reload so that the overrides are validated exactly as the loader does.
            return _hashsim.load_scenario(scenario.file, _variant_keys(scenario), paths, days, seed)
        return scenario
    return _hashsim.load_scenario(os.fspath(scenario), [], paths, days, seed)


def _variant_keys(s: Scenario) -> List[tuple]:
    if not s.variant:
        return []
    return [tuple(kv.split("=", 1)) for kv in s.variant.split(",")]


@_translate_errors
def run(scenario: Union[Scenario, PathLike, Sequence[Union[Scenario, PathLike]]], *, paths: Optional[int] = None,
        days: Optional[int] = None, seed: Optional[int] = None, threads: int = 0, block_paths: int = 64,
        out: Optional[PathLike] = None, force: bool = False) -> Union[RunResult, str]:
    """Simulate a scenario (a Scenario or a YAML path), or with out= a list of them into one file.

    out=None: returns a RunResult with numpy arrays [paths, recorded days] per dataset (one scenario).
    out=path: writes the HDF5 results file, identical in every dataset to `hashsim run ... -o path`
              (written to path.partial, renamed when complete), and returns the path. A list of
              scenarios goes into one file, one group each, as `hashsim sweep` does.
    force=True replaces an existing file (as the CLI's --force); otherwise an existing file is an error.
    threads=0 uses all cores; results are the same for any threads and block_paths.
    The GIL is released while simulating.
    """
    many = isinstance(scenario, (list, tuple))
    if many and out is None:
        raise Error("run: a list of scenarios needs out= (one results file); run them one by one for arrays")
    items = list(scenario) if many else [scenario]
    scenarios = [_as_scenario(s, paths, days, seed) for s in items]
    if out is not None:
        return _hashsim.run_to_file(scenarios, os.fspath(out), threads, block_paths,
                                    _command_line("run", scenario=",".join(s.name for s in scenarios), paths=paths,
                                                  days=days, seed=seed, out=os.fspath(out)), force)
    s = scenarios[0]
    r = _hashsim.run_in_memory(s, threads, block_paths)
    meta = r["meta"]
    every = int(meta["record_every_days"])
    day = np.arange(0, int(meta["horizon_days"]), every, dtype=np.int64)
    date = np.datetime64(meta["start_date"], "D") + day.astype("timedelta64[D]")
    return RunResult(name=meta["name"], arrays=dict(r["arrays"]), day=day, date=date, units=dict(meta["units"]))


@_translate_errors
def sweep(path: PathLike, out: PathLike, *, paths: Optional[int] = None, days: Optional[int] = None,
          seed: Optional[int] = None, threads: int = 0, block_paths: int = 64, force: bool = False) -> str:
    """Run every scenario (and grid point) of a sweep file into one results file, as `hashsim sweep`."""
    scenarios = _hashsim.load_sweep(os.fspath(path), paths, days, seed)
    return _hashsim.run_to_file(scenarios, os.fspath(out), threads, block_paths,
                                _command_line("sweep", path=os.fspath(path), paths=paths, days=days, seed=seed,
                                              out=os.fspath(out)), force)


@_translate_errors
def site(site_yaml: PathLike, results: PathLike, scenarios: Optional[Sequence[str]] = None, *,
         out: Optional[PathLike] = None, force: bool = False) -> Dict[str, Any]:
    """Site economics over a results file: the same document as `hashsim site ... --json`.

    scenarios: names in the results file (default: every scenario).
    out=path also writes the site HDF5 file (as `hashsim site ... -o path`: per-path NPV, IRR and
    cash flows by year, openable with xarray); force=True replaces an existing file.
    """
    command = _command_line("site", site_yaml=os.fspath(site_yaml), results=os.fspath(results),
                            out=os.fspath(out) if out is not None else None)
    return json.loads(_hashsim.site_json(os.fspath(site_yaml), os.fspath(results), list(scenarios or []),
                                         os.fspath(out) if out is not None else "", force, command))


@_translate_errors
def live(*, refresh: bool = False, offline: bool = False) -> Dict[str, Any]:
    """Today's network snapshot (price, difficulty, height, FX) with sources and ages, as `hashsim live --json`.

    Settings come from the environment (LIVE_DATA_* variables, see the README); offline=True never
    touches the network (cache, then static defaults).
    """
    return json.loads(_hashsim.live_json(refresh, offline))


def open_results(path: PathLike, *, engine: str = "h5netcdf") -> Dict[str, Any]:
    """Every scenario of a results file as an xarray Dataset, by scenario name (in file order).

    Each is xarray.open_dataset(path, group="scenarios/<name>", engine=engine): the daily series
    [path, day] with their _mean, _stderr and _quantiles [quantile, day] summaries and the date
    coordinate (results schema 3; for a version 2 file the series only). Per-agent and fleet outputs are in the subgroups
    (group="scenarios/<name>/fleets", ...). Needs xarray and h5netcdf (Debian python3-xarray,
    python3-h5netcdf).
    """
    import h5py
    import xarray

    path = os.fspath(path)
    with h5py.File(path, "r") as f:
        kind = f.attrs.get(schema.ATTR_SCHEMA, b"")
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        version = int(f.attrs.get(schema.ATTR_SCHEMA_VERSION, 0))
        if kind != schema.KIND_RESULTS or not 2 <= version <= schema.RESULTS_VERSION:
            raise Error(f"{path}: schema {kind or 'none'} version {version}; open_results reads "
                        f"{schema.KIND_RESULTS} versions 2 to {schema.RESULTS_VERSION} (version 1 files "
                        f"have no dimension names: read them with h5py)")
        names_attr = f.attrs.get(schema.ATTR_SCENARIO_NAMES, "")
        names_attr = names_attr.decode() if isinstance(names_attr, bytes) else str(names_attr)
        names = [n for n in names_attr.split("\n") if n] or list(f[schema.SCENARIOS_GROUP].keys())
    # Version 2 has the series (no summaries) only in the paths subgroup.
    sub = "" if version >= 3 else "/" + schema.PATHS_GROUP
    return {n: xarray.open_dataset(path, group=schema.scenario_group(n) + sub, engine=engine) for n in names}
