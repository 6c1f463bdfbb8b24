#pragma once
// Agents on history: run the agent model with the real price path (and optionally the real fees
// per block) replayed from the daily data, from a historical start date whose conditions come from
// that day's row, and compare the simulated network hashrate with the actual one.
//
// Start (day 0 = --from): price_usd of the day, difficulty_mean, first_height, fee per block =
// fees_btc / blocks, network hashrate = the actual series' day-0 value. Actual hashrate: the
// trailing 7-day mean of the implied hashrate (blocks * difficulty * 2^32 / 86400 / 1e12), as in
// `hashsim backtest` (causal; one day's block count is Poisson-noisy). Simulated: the median over
// paths of the agents' network hashrate on each day (paths differ only when fees are simulated).
//
// Error on day d: e_d = ln(simulated_d / actual_d). Per horizon H (30, 90, 180 days, and the whole
// window): median |e_d| and bias = mean e_d over days 1..H, and e_H itself (positive bias: the
// agents run more hashrate than the network did).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/util/daily_table.h"
#include "engine/scenario/scenario.h"

namespace hashsim::history {

struct ValidateOptions {
  std::string from;  // YYYY-MM-DD, day 0
  int days = 365;
  std::int64_t paths = 16;
  bool replay_fees = true;  // fees per block from the data; else the scenario's fee model
  int threads = 0;
  int trailing_days = 7;
};

struct HorizonError {
  int days = 0;       // H; the whole window: days - 1
  std::string label;  // "30 d", ..., "all"
  double median_abs_log_error = 0.0;
  double bias_mean_log_error = 0.0;
  double log_error_at_end = 0.0;
};

struct ValidateResult {
  std::vector<std::string> dates;
  std::vector<double> actual_ths, simulated_p50_ths, simulated_p5_ths, simulated_p95_ths, price_usd;
  std::vector<HorizonError> horizons;
  scenario::StartConditions start;
  std::string scenario_name, catalogue;
};

// Throws Error if the scenario has no agent model (network.model: agents, profile default), the
// window is outside the data, or a needed value is blank (prices are interpolated over gaps).
ValidateResult run_validate(scenario::Scenario s, const DailyTable& table,
                            const ValidateOptions& o);

std::string validate_report(const ValidateResult& r);

}  // namespace hashsim::history
