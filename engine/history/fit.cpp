#include "engine/history/fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"

namespace hashsim::history {

namespace {
struct KeyRange {
  const char* key;
  double lo, hi;
};
// The YAML ranges of the keys (agents/agents_config.cpp).
constexpr KeyRange kKeys[] = {
    {"rules.expected_difficulty_growth_per_year", 0.0, 5.0},
    {"rules.reinvest_fraction", 0.0, 1.0},
    {"rules.max_payback_days", 1.0, 3650.0},
    {"rules.band_capacity_growth_per_year", -1.0, 10.0},
    {"rules.equilibrium_growth_per_year", -1.0, 5.0},
    {"shocks.rate_per_year", 0.0, 365.0},
    {"shocks.fraction_max", 0.0, 0.99},
    {"supply.shipped_share_per_month", 0.0, 10.0},
    {"supply.growth_per_year", -1.0, 10.0},
    {"uncertainty.expected_difficulty_growth_per_year_sd", 0.0, 5.0},
    {"uncertainty.reinvest_fraction_sd", 0.0, 1.0},
    {"uncertainty.band_capacity_growth_per_year_sd", 0.0, 10.0},
    {"uncertainty.supply_growth_per_year_sd", 0.0, 10.0},
    {"uncertainty.hashrate_drift_per_year_sd", 0.0, 5.0},
    {"uncertainty.hashrate_drift_per_year", -5.0, 5.0},
};

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace

const std::vector<std::string>& fit_parameter_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const auto& r : kKeys) k.push_back(r.key);
    return k;
  }();
  return keys;
}

void apply_fit_parameter(scenario::Scenario& s, const std::string& key_in, double value) {
  // "early.KEY": the early scenario's own value of KEY (run_fit applies it to that one only).
  const std::string key = key_in.rfind("early.", 0) == 0 ? key_in.substr(6) : key_in;
  const KeyRange* range = nullptr;
  for (const auto& r : kKeys)
    if (key == r.key) range = &r;
  if (!range) {
    std::string known;
    for (const auto& k : fit_parameter_keys()) known += (known.empty() ? "" : ", ") + k;
    throw Error("fit: unknown parameter '" + key + "' (known: " + known + ")");
  }
  if (!(value >= range->lo && value <= range->hi))
    throw Error("fit: " + key + " = " + num(value) + " is not in [" + num(range->lo) + ", " +
                num(range->hi) + "]");
  if (!s.agents) throw Error(s.file.string() + ": fit needs a scenario with agents");
  auto& a = *s.agents;
  if (key == "rules.expected_difficulty_growth_per_year")
    a.rules.expected_difficulty_growth_per_year = value;
  else if (key == "rules.reinvest_fraction")
    a.rules.reinvest_fraction = value;
  else if (key == "rules.max_payback_days")
    a.rules.max_payback_days = value;
  else if (key == "rules.band_capacity_growth_per_year")
    a.rules.band_capacity_growth_per_year = value;
  else if (key == "rules.equilibrium_growth_per_year")
    a.rules.equilibrium_growth_per_year = value;
  else if (key == "shocks.rate_per_year")
    a.shocks.rate_per_year = value;
  else if (key == "shocks.fraction_max")
    a.shocks.fraction_max = std::max(value, a.shocks.fraction_min);
  else if (key == "supply.shipped_share_per_month")
    a.rules.supply_share_per_month = value;
  else if (key == "supply.growth_per_year")
    a.rules.supply_growth_per_year = value;
  else if (key == "uncertainty.expected_difficulty_growth_per_year_sd")
    a.uncertainty.expected_difficulty_growth_sd = value;
  else if (key == "uncertainty.reinvest_fraction_sd")
    a.uncertainty.reinvest_fraction_sd = value;
  else if (key == "uncertainty.band_capacity_growth_per_year_sd")
    a.uncertainty.band_capacity_growth_sd = value;
  else if (key == "uncertainty.supply_growth_per_year_sd")
    a.uncertainty.supply_growth_sd = value;
  else if (key == "uncertainty.hashrate_drift_per_year_sd")
    a.uncertainty.hashrate_drift_sd = value;
  else if (key == "uncertainty.hashrate_drift_per_year")
    a.uncertainty.hashrate_drift = value;
}

namespace {

// Checks the grid's keys, values and size; returns its number of points.
std::size_t check_grid(const scenario::Scenario& base, const FitOptions& o) {
  if (o.grid.empty()) throw OptionError("fit: the {grid} is empty (give KEY=V1,V2,...)");
  std::size_t points = 1;
  for (const auto& p : o.grid) {
    if (p.values.empty()) throw OptionError("fit: {grid} " + p.key + " has no values");
    for (const auto& q : o.grid)
      if (&q != &p && q.key == p.key) throw OptionError("fit: {grid} names " + p.key + " twice");
    scenario::Scenario probe = base;
    for (double v : p.values) apply_fit_parameter(probe, p.key, v);  // checks key and range
    points *= p.values.size();
    if (points > 10000) throw Error("fit: the grid has more than 10000 points");
  }
  return points;
}

// Value index of each parameter at grid point k: a mixed-radix index, the last parameter fastest.
std::vector<std::size_t> grid_index(std::size_t k, const std::vector<FitParameter>& grid) {
  std::vector<std::size_t> idx(grid.size(), 0);
  std::size_t rest = k;
  for (std::size_t j = grid.size(); j-- > 0;) {
    idx[j] = rest % grid[j].values.size();
    rest /= grid[j].values.size();
  }
  return idx;
}

// The grid point's values applied to the scenario and the early one (keys "early.*" to the early
// one only, last, so that they override a shared key); its values into p.
void apply_grid_point(const std::vector<FitParameter>& grid, const std::vector<std::size_t>& idx,
                      scenario::Scenario& s, std::optional<scenario::Scenario>& e, FitPoint& p) {
  for (std::size_t j = 0; j < grid.size(); ++j) {
    const double v = grid[j].values[idx[j]];
    p.values.push_back(v);
    if (grid[j].key.rfind("early.", 0) != 0) {
      apply_fit_parameter(s, grid[j].key, v);
      if (e) apply_fit_parameter(*e, grid[j].key, v);
    }
  }
  for (std::size_t j = 0; j < grid.size(); ++j)
    if (grid[j].key.rfind("early.", 0) == 0) {
      if (!e) throw Error("fit: --grid " + grid[j].key + " needs --early-scenario");
      apply_fit_parameter(*e, grid[j].key, grid[j].values[idx[j]]);
    }
}

// The point's objective: the agents' CRPS of ln hashrate pooled per horizon, averaged over the
// horizons; and per origin (NaN where an origin does not reach every horizon in every mode).
void add_objectives(const ScoreResult& sr, FitPoint& p) {
  double sum = 0.0;
  for (int h : sr.options.horizons) {
    double crps = 0.0, err = 0.0, n = 0.0;
    for (const auto& c : sr.cells)
      if (c.variable == 0 && c.forecaster == 0 && c.horizon_days == h) {
        crps += c.summary.crps_mean;
        err += c.summary.median_abs_log_error;
        n += 1.0;
      }
    if (n == 0.0)
      throw Error("fit: no origin reaches the horizon " + std::to_string(h) + " d inside the data");
    p.crps_by_horizon.push_back(crps / n);
    p.median_error_by_horizon.push_back(err / n);
    sum += crps / n;
  }
  p.objective = sum / static_cast<double>(p.crps_by_horizon.size());
  for (const auto& origin : sr.origins) {
    double crps = 0.0, n = 0.0;
    for (const auto& row : sr.rows)
      if (row.variable == 0 && row.forecaster == 0 && row.origin == origin) {
        crps += row.summary.crps_mean;
        n += 1.0;
      }
    const double full = static_cast<double>(sr.options.horizons.size() * sr.options.modes.size());
    p.objective_by_origin.push_back(n == full ? crps / n : std::nan(""));
  }
}

}  // namespace

FitResult run_fit(const scenario::Scenario& base, const std::optional<scenario::Scenario>& early,
                  const DailyTable& daily, const DailyTable& prices, const FitOptions& o) {
  const std::size_t points = check_grid(base, o);
  if (parse_iso_date(o.score.to) > parse_iso_date(o.train_until))
    throw OptionError("fit: {to} = " + o.score.to + " is after the end of the training window " +
                      o.train_until + " (origins after it are kept out of sample)");

  FitResult r;
  r.options = o;
  r.scenario_name = base.name;
  if (early) r.early_scenario_name = early->name;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < points; ++k) {
    scenario::Scenario s = base;
    std::optional<scenario::Scenario> e = early;
    FitPoint p;
    apply_grid_point(o.grid, grid_index(k, o.grid), s, e, p);
    const ScoreResult sr = run_score(s, e, daily, prices, o.score);
    if (r.origins.empty()) r.origins = sr.origins;
    add_objectives(sr, p);
    if (p.objective < best) {
      best = p.objective;
      r.best = r.points.size();
    }
    r.points.push_back(std::move(p));
  }
  return r;
}

namespace {
// Best objective with parameter j held at each of its values.
std::vector<double> profile(const FitResult& r, std::size_t j) {
  const auto& vals = r.options.grid[j].values;
  std::vector<double> best(vals.size(), std::numeric_limits<double>::infinity());
  for (const auto& p : r.points)
    for (std::size_t v = 0; v < vals.size(); ++v)
      if (p.values[j] == vals[v]) best[v] = std::min(best[v], p.objective);
  return best;
}
}  // namespace

FitInterval fit_interval(const FitResult& r, std::size_t j) {
  const FitPoint& best = r.points[r.best];
  FitInterval iv;
  iv.lo = iv.hi = best.values[j];
  // Profile point of each value: the best grid point with parameter j held at it.
  const auto& vals = r.options.grid[j].values;
  for (double v : vals) {
    const FitPoint* prof = nullptr;
    for (const auto& p : r.points)
      if (p.values[j] == v && (!prof || p.objective < prof->objective)) prof = &p;
    if (!prof) continue;
    double sum = 0.0, sum2 = 0.0, n = 0.0;
    for (std::size_t i = 0; i < prof->objective_by_origin.size(); ++i) {
      const double d = prof->objective_by_origin[i] - best.objective_by_origin[i];
      if (std::isnan(d)) continue;
      sum += d;
      sum2 += d * d;
      n += 1.0;
    }
    if (n < 2.0) continue;
    const double mean = sum / n;
    const double se = std::sqrt(std::max(sum2 - n * mean * mean, 0.0) / (n - 1.0) / n);
    if (mean <= se) {
      iv.lo = std::min(iv.lo, v);
      iv.hi = std::max(iv.hi, v);
    }
  }
  iv.sd = 0.5 * (iv.hi - iv.lo);
  return iv;
}

std::string fit_table(const FitResult& r) {
  std::string out = "fit: " + std::to_string(r.points.size()) + " grid points, " +
                    std::to_string(r.origins.size()) + " origins " +
                    (r.origins.empty() ? "" : r.origins.front() + ".." + r.origins.back()) +
                    "; objective = mean CRPS of ln hashrate over horizons";
  for (int h : r.options.score.horizons) out += " " + std::to_string(h);
  out += " d\n";
  for (const auto& g : r.options.grid) out += g.key + "\t";
  out += "objective\tCRPS by horizon\tmedian |log error| by horizon\n";
  for (std::size_t k = 0; k < r.points.size(); ++k) {
    const auto& p = r.points[k];
    for (double v : p.values) out += num(v) + "\t";
    out += num(p.objective) + "\t";
    for (double c : p.crps_by_horizon) out += num(c) + " ";
    out += "\t";
    for (double c : p.median_error_by_horizon) out += num(c) + " ";
    out += k == r.best ? "\t<- best\n" : "\n";
  }
  out += "one-standard-error intervals (paired differences over origins; sd = half-width):\n";
  for (std::size_t j = 0; j < r.options.grid.size(); ++j) {
    const FitInterval iv = fit_interval(r, j);
    out += "  " + r.options.grid[j].key + ": best " + num(r.points[r.best].values[j]) + ", [" +
           num(iv.lo) + ", " + num(iv.hi) + "], sd " + num(iv.sd) + "\n";
  }
  return out;
}

std::string fit_yaml(const FitResult& r) {
  const FitPoint& b = r.points[r.best];
  std::string y =
      "# hashsim fit: agent parameters calibrated to history (README \"Miner agents\", hashsim "
      "fit).\n";
  y += "# scenario " + r.scenario_name +
       (r.early_scenario_name.empty() ? "" : ", early scenario " + r.early_scenario_name) + "; " +
       std::to_string(r.origins.size()) + " origins " +
       (r.origins.empty() ? "" : r.origins.front() + ".." + r.origins.back()) + " every " +
       std::to_string(r.options.score.every_months) + " month(s), " +
       std::to_string(r.options.score.paths) + " paths, modes";
  for (auto m : r.options.score.modes) y += std::string(" ") + score_mode_name(m);
  y += "\n# objective: mean pooled CRPS of ln(network hashrate), horizons";
  for (int h : r.options.score.horizons) y += " " + std::to_string(h);
  y += " d; best " + num(b.objective) + " (CRPS";
  for (double c : b.crps_by_horizon) y += " " + num(c);
  y += ")\n# profiles (best objective with the parameter held at each value):\n";
  for (std::size_t j = 0; j < r.options.grid.size(); ++j) {
    const auto prof = profile(r, j);
    y += "#   " + r.options.grid[j].key + ":";
    for (std::size_t v = 0; v < prof.size(); ++v)
      y += " " + num(r.options.grid[j].values[v]) + " -> " + num(prof[v]) + ";";
    const FitInterval iv = fit_interval(r, j);
    y += " one-SE interval [" + num(iv.lo) + ", " + num(iv.hi) + "], sd " + num(iv.sd) + "\n";
  }
  y += "agents:\n";
  for (const char* section : {"rules", "shocks", "supply", "uncertainty"}) {
    std::string body;
    for (std::size_t j = 0; j < r.options.grid.size(); ++j) {
      const std::string& key = r.options.grid[j].key;
      const std::string prefix = std::string(section) + ".";
      if (key.rfind(prefix, 0) != 0) continue;
      const std::string name = key.substr(prefix.size());
      body += "    " + name + ": " + num(b.values[j]) + "\n";
    }
    if (!body.empty()) y += std::string("  ") + section + ":\n" + body;
  }
  return y;
}

void write_fit_yaml(const FitResult& r, const std::filesystem::path& path, Overwrite mode) {
  write_file_atomic(path, fit_yaml(r), mode);
}

}  // namespace hashsim::history
