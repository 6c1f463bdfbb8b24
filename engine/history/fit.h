#pragma once
// `hashsim fit`: calibration of agent parameters to history (issue 15 item 2). Every point of a
// grid of parameter values is scored with the forecast harness (score.h) on rolling origins of a
// training window, and the point with the lowest objective wins:
//   objective = mean over the horizons H of the pooled CRPS of ln(network hashrate) over days
//   1..H of every origin (agents forecaster, the options' modes; CRPS as in scoring.h).
// The profile of each parameter (the best objective with that parameter held at each of its
// values, the others free over the grid) is reported as a cheap stand-in for a
// profile-likelihood interval. Origins must end by `train_until` (default 2024-06-01), so that
// 2024-07 onwards stays out of sample. Results are a pure function of the scenarios, the data and
// the options (each origin has its own seed, score.h).
#include <optional>
#include <string>
#include <vector>

#include "engine/history/score.h"

namespace hashsim::history {

struct FitParameter {
  std::string key;  // one of fit_parameter_keys()
  std::vector<double> values;
};

struct FitOptions {
  ScoreOptions score;  // origins, paths, horizons, modes
  std::vector<FitParameter> grid;
  std::string train_until = "2024-06-01";
};

struct FitPoint {
  std::vector<double> values;  // in grid order
  double objective = 0.0;
  std::vector<double> crps_by_horizon;  // pooled CRPS per horizon (objective = their mean)
  std::vector<double> median_error_by_horizon;
  // Per origin (in FitResult::origins order): mean over the horizons of that origin's CRPS (modes
  // averaged); NaN where the origin does not reach every horizon. The standard errors below
  // come from these.
  std::vector<double> objective_by_origin;
};

// Sampling uncertainty of a fitted value, from the paired differences of per-origin objectives
// (the origins are the sample): for grid point k, delta_i = objective_i(k) - objective_i(best),
// se_k = sd(delta) / sqrt(N). A value of parameter j is inside its interval when the best point
// with j held at it (its profile) has mean delta <= se_k (the one-standard-error rule, Hastie,
// Tibshirani & Friedman 2009 section 7.10). sd = (hi - lo) / 2 is what a path draws with
// (agents.uncertainty); 0 when only the best value is inside (then the grid is too coarse to say).
struct FitInterval {
  double lo = 0.0, hi = 0.0, sd = 0.0;
};

struct FitResult {
  FitOptions options;
  std::vector<std::string> origins;
  std::vector<FitPoint> points;  // the whole grid, first parameter slowest
  std::size_t best = 0;
  std::string scenario_name, early_scenario_name;
};

// Keys: rules.expected_difficulty_growth_per_year, rules.reinvest_fraction, rules.max_payback_days,
// rules.band_capacity_growth_per_year, shocks.rate_per_year, shocks.fraction_max,
// supply.shipped_share_per_month, supply.growth_per_year, and the per-path spreads
// uncertainty.{expected_difficulty_growth_per_year,reinvest_fraction,band_capacity_growth_per_year,
// supply_growth_per_year}_sd (agents.uncertainty; CRPS is a proper score, so minimising it over a
// spread fits the spread's size).
const std::vector<std::string>& fit_parameter_keys();
// Sets one parameter in a scenario's agents config; throws Error for an unknown key or a value
// outside the YAML range of the key.
void apply_fit_parameter(scenario::Scenario& s, const std::string& key, double value);

// Throws Error for an empty grid, unknown keys, empty value lists, more than 10000 points, or
// origins after train_until.
FitResult run_fit(const scenario::Scenario& base, const std::optional<scenario::Scenario>& early,
                  const DailyTable& daily, const DailyTable& prices, const FitOptions& o);

FitInterval fit_interval(const FitResult& r, std::size_t parameter);

std::string fit_table(const FitResult& r);
// The YAML fragment (`agents:` with the winning values under rules / shocks / supply, the
// command's options and the profiles as comments). Written atomically.
std::string fit_yaml(const FitResult& r);
void write_fit_yaml(const FitResult& r, const std::filesystem::path& path,
                    Overwrite mode = Overwrite::kReplace);

}  // namespace hashsim::history
