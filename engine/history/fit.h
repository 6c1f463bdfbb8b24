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
// supply.shipped_share_per_month.
const std::vector<std::string>& fit_parameter_keys();
// Sets one parameter in a scenario's agents config; throws Error for an unknown key or a value
// outside the YAML range of the key.
void apply_fit_parameter(scenario::Scenario& s, const std::string& key, double value);

// Throws Error for an empty grid, unknown keys, empty value lists, more than 10000 points, or
// origins after train_until.
FitResult run_fit(const scenario::Scenario& base, const std::optional<scenario::Scenario>& early,
                  const DailyTable& daily, const DailyTable& prices, const FitOptions& o);

std::string fit_table(const FitResult& r);
// The YAML fragment (`agents:` with the winning values under rules / shocks / supply, the
// command's options and the profiles as comments). Written atomically.
std::string fit_yaml(const FitResult& r);
void write_fit_yaml(const FitResult& r, const std::filesystem::path& path,
                    Overwrite mode = Overwrite::kReplace);

}  // namespace hashsim::history
