# %% [markdown]
# # Hashprice and site NPV under price volatility
#
# A researcher's workflow with the `hashsim` Python package: simulate bull, bear and volatile
# markets at three price volatilities (`scenarios/volatility-sweep.yaml`, a grid on
# `price.vol_per_sqrt_year`), open the results with xarray, draw hashprice fans and the
# distribution of the site's NPV (`scenarios/site-default.yaml`), and measure how the median
# hashprice responds to the volatility.
#
# The same code is `examples/volatility_sweep.py` (a plain script) and
# `examples/volatility_sweep.ipynb` (this notebook); the test suite runs both
# (`ctest -L python`). Settings come from the environment: `HASHSIM_EXAMPLE_PATHS` (paths per
# scenario, default 200), `HASHSIM_EXAMPLE_OUT` (output folder, default `results/examples`).

# %%
import os

import matplotlib

matplotlib.use("Agg")  # files, no display needed
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr

import hashsim

if "__file__" in globals():
    ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
else:  # a notebook runs in examples/
    ROOT = os.environ.get("HASHSIM_SOURCE_DIR", os.path.abspath(".."))
PATHS = int(os.environ.get("HASHSIM_EXAMPLE_PATHS", "200"))
OUT = os.environ.get("HASHSIM_EXAMPLE_OUT", os.path.join(ROOT, "results", "examples"))
os.makedirs(OUT, exist_ok=True)
print(f"hashsim {hashsim.__version__} ({hashsim.git_sha}), {PATHS} paths per scenario -> {OUT}")

# %% [markdown]
# ## Simulate
# The sweep's nine scenarios (3 markets x 3 volatilities) plus `base`, which the site analysis
# uses to choose its miner, go into one results file. Five years: the site's horizon.

# %%
scenarios = hashsim.load_sweep(os.path.join(ROOT, "scenarios", "volatility-sweep.yaml"), paths=PATHS)
scenarios.append(hashsim.load_scenario(os.path.join(ROOT, "scenarios", "base.yaml"), paths=PATHS))
results = hashsim.run(scenarios, out=os.path.join(OUT, "volatility.h5"), force=True)
names = [s.name for s in scenarios]
print(results, names)

# %% [markdown]
# ## Load with xarray
# `hashsim.open_results` gives each scenario's group as a Dataset (dimensions `path`, `day`,
# `quantile`, the ISO `date` coordinate; the same as `xarray.open_dataset(file,
# group="scenarios/<name>", engine="h5netcdf")`). Stack the hashprice of every scenario along a new
# `scenario` dimension, labelled by market and volatility.

# %%
def market_and_vol(s):
    vol = dict(kv.split("=") for kv in s.variant.split(",")).get("price.vol_per_sqrt_year") if s.variant else None
    return s.name.split("[")[0], float(vol) if vol else np.nan


datasets = hashsim.open_results(results)
hp = xr.concat([datasets[n]["hashprice_usd_per_th_day"] for n in names], dim=pd.Index(names, name="scenario"))
hp = hp.assign_coords(market=("scenario", [market_and_vol(s)[0] for s in scenarios]),
                      vol=("scenario", [market_and_vol(s)[1] for s in scenarios]))
print(hp.sizes, hp.attrs["units"])

# %% [markdown]
# ## Hashprice fans
# P5-P95 band and median over paths, one panel per market, one colour per volatility.

# %%
markets = ["bull", "bear", "volatile"]
fig, axes = plt.subplots(1, len(markets), figsize=(12, 3.5), sharey=True)
for ax, market in zip(axes, markets):
    for n in hp.scenario.values[hp.market.values == market]:
        q = hp.sel(scenario=n).quantile([0.05, 0.5, 0.95], dim="path")
        years = q.day / 365.0
        ax.fill_between(years, q.sel(quantile=0.05), q.sel(quantile=0.95), alpha=0.2)
        ax.plot(years, q.sel(quantile=0.5), label=f"vol {float(hp.vol.sel(scenario=n)):g}")
    ax.set_title(market)
    ax.set_xlabel("years")
axes[0].set_ylabel(f"hashprice ({hp.attrs['units']})")
axes[-1].legend()
fig.savefig(os.path.join(OUT, "hashprice_fans.png"), dpi=80)

# %% [markdown]
# ## Site NPV distribution
# `hashsim.site` returns the same summary as `hashsim site --json`; with `out=` it also writes
# the per-path metrics, which open in xarray with the `path` and `year` dimensions.

# %%
site_h5 = os.path.join(OUT, "site.h5")
summary = hashsim.site(os.path.join(ROOT, "scenarios", "site-default.yaml"), results, out=site_h5, force=True)
npv = {n: xr.open_dataset(site_h5, group=f"site/scenarios/{n}/site", engine="h5netcdf")["npv_site_ccy"] for n in names}
currency = npv[names[0]].attrs["units"]  # the site's currency (CF units of npv_site_ccy)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.boxplot([npv[n].values for n in names], vert=False, labels=names)
ax.axvline(0.0, color="grey", lw=0.8)
ax.set_xlabel(f"site NPV ({currency})")
fig.tight_layout()
fig.savefig(os.path.join(OUT, "site_npv.png"), dpi=80)
print({n: float(npv[n].median()) for n in names})

# %% [markdown]
# ## Sensitivity of the median hashprice to the volatility
# Median over paths of the mean hashprice in the final year, per market and volatility, and the
# slope of a least-squares line through the three points (USD/TH/day per unit of
# vol_per_sqrt_year).

# %%
last_year = hp.where(hp.day >= hp.day.max() - 364, drop=True).mean("day").median("path")
table = last_year.to_dataframe(name="median_hashprice").reset_index()[["market", "vol", "median_hashprice"]]
table = table[table.market.isin(markets)].sort_values(["market", "vol"])
slopes = {m: float(np.polyfit(g.vol, g.median_hashprice, 1)[0]) for m, g in table.groupby("market")}
print(table.to_string(index=False))
print("d median hashprice / d vol:", slopes)
assert all(np.isfinite(v) for v in slopes.values())
