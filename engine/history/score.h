#pragma once
// `hashsim score`: the agent model's forecasts of network hashrate and hashprice scored on
// rolling origins of real history, beside three naive baselines (metrics: scoring.h).
//
// Origins: the first day of every `every_months`-th month from `from` to `to` (inclusive).
// For an origin o (day 0) the model starts from that day's row as `hashsim validate` does (price,
// mean difficulty, first height, fee per block, actual hashrate) and runs max(horizons) days over
// `paths` paths, in one or both modes:
//   replay     real price and real fees per block replayed (tests the miner model alone);
//   simulated  price log-GBM with mu, sigma fitted by MLE (calibrate.h) on the daily prices of the
//              `price_fit_days` days up to o, fees lognormal AR(1) fitted on the `fee_fit_days`
//              days up to o (tests the whole forecast; nothing after o is used).
// Truth, day d: hashrate = trailing `trailing_days`-day mean of the implied hashrate (as in
// `backtest` and `validate`); hashprice = (subsidy + fees) * price / one-day implied hashrate of
// the day (USD per TH/s per day; = (subsidy + fee per block) * price * 86400e12 / (D * 2^32),
// free of block-count noise, the same form the simulator's hashprice takes).
// Horizon H scores days 1..H of each origin whose day H is inside the data; the table pools the
// days of all such origins (median |e|, bias, mean CRPS, band coverage, PIT histogram).
//
// Baselines (point forecasts, scored with CRPS = |e|), computed on the same origins from data up
// to o only:
//   persistence       ln H_{o+d} = ln H_o
//   trailing trend    OLS of ln H on day over the 365 days up to o, extrapolated
//   price elasticity  b from OLS of ln H_t on ln P_{t-L} over the `elasticity_fit_days` days up to
//                     o (L = `elasticity_lag_days`), anchored: ln H_{o+d} = ln H_o + b (ln
//                     P_{o+d-L}
//                     - ln P_{o-L}); P after o is the mode's price: the real one (replay) or the
//                     fitted GBM's median path P_o e^{(mu - sigma^2/2) t} (simulated).
// Their hashprice: 144 (subsidy(height_o + 144 d) + fee_d) P_d / H_d with the same price and fee
// inputs as the model's mode (real; or the fitted median price and median fee when simulated).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/util/daily_table.h"
#include "engine/history/scoring.h"
#include "engine/util/atomic_file.h"
#include "engine/scenario/scenario.h"

namespace hashsim::history {

enum class ScoreMode { Replay, Simulated };
const char* score_mode_name(ScoreMode m);

struct ScoreOptions {
  std::string from = "2021-08-01", to = "2025-06-01";  // origins (first day of a month)
  int every_months = 1;
  std::vector<int> horizons{30, 90, 180, 365};
  std::vector<ScoreMode> modes{ScoreMode::Replay, ScoreMode::Simulated};
  std::int64_t paths = 32;
  int threads = 0;
  int trailing_days = 7;
  int trend_days = 365;
  int price_fit_days = 730;
  int fee_fit_days = 365;
  int elasticity_lag_days = 90;
  int elasticity_fit_days = 730;
  // Origins before this date (YYYY-MM-DD) use `early_scenario` (e.g. the 2021 catalogue).
  std::string early_before;
  // Observed hashrate (default): the runs draw Poisson block counts, and the agents' hashrate is
  // scored as the truth is measured, the trailing `trailing_days`-day mean of the implied hashrate
  // blocks_d * D_{d-1} * 2^32 / 86400 / 1e12 (days up to the origin from the data), so the forecast
  // carries the block-count noise of the measurement (sd of ln about 1 / sqrt(144 *
  // trailing_days) = 0.031 for 7 days). false (--fleet-hashrate): the fleet's hashrate itself,
  // expected block arrivals (the harness before issue 15's calibration step).
  bool observed_hashrate = true;
  // Origins whose daily bands are kept (report fan chart): dates, or first / middle / last.
  std::vector<std::string> fan_origins;
};

inline const char* const kForecasters[] = {"agents", "persistence", "trend", "elasticity"};
inline constexpr int kForecasterCount = 4;
inline const char* const kVariables[] = {"network_hashrate_ths", "hashprice_usd_per_th_day"};
inline constexpr int kVariableCount = 2;

// One origin x horizon x mode x variable x forecaster (a CSV row).
struct ScoreRow {
  ScoreMode mode = ScoreMode::Replay;
  int variable = 0;
  int forecaster = 0;
  std::string origin;
  int horizon_days = 0;
  scoring::Summary summary;
  double log_error_at_horizon = 0.0;
};

// Pooled over origins (a table cell group).
struct ScoreCell {
  ScoreMode mode = ScoreMode::Replay;
  int variable = 0;
  int forecaster = 0;
  int horizon_days = 0;
  std::size_t origins = 0;
  scoring::Summary summary;
};

// Daily bands of one origin (fan chart).
struct ScoreFan {
  ScoreMode mode = ScoreMode::Replay;
  int variable = 0;
  std::string origin;
  std::vector<std::string> dates;  // day 0 .. n-1
  std::vector<double> actual, p5, p25, p50, p75, p95, trend, persistence, elasticity;
};

struct ScoreResult {
  std::vector<std::string> origins;
  std::vector<ScoreRow> rows;
  std::vector<ScoreCell> cells;
  std::vector<ScoreFan> fans;
  std::string scenario_name, early_scenario_name;
  ScoreOptions options;
};

// `daily`: btc_daily_2020_2026_obm.csv (truth, start rows, fees); `prices`: btc_price_usd_daily.csv
// (price history reaching before the daily file, for the price fit and the elasticity). Throws
// Error for a scenario without agents, origins outside the data (naming the first and last
// possible), bad options.
ScoreResult run_score(const scenario::Scenario& s, const std::optional<scenario::Scenario>& early,
                      const DailyTable& daily, const DailyTable& prices, const ScoreOptions& o);

std::string score_table(const ScoreResult& r);
// Long-format CSV, one line per ScoreRow.
// An existing file is replaced only with mode kReplace (engine/util/atomic_file.h).
void write_score_csv(const ScoreResult& r, const std::filesystem::path& path,
                     Overwrite mode = Overwrite::kReplace);
// JSON for the report's "Forecast scores" section (`hashsim report --score`): schema
// "hashsim-score-1", options, pooled cells {mode, variable, forecaster, horizon_days, origins,
// days, median_abs_log_error, bias_mean_log_error, crps, coverage_p5_p95, coverage_p25_p75, pit}
// (null for what a point forecast lacks) and fans {mode, variable, origin, date, actual, p5..p95,
// persistence, trend, elasticity}. Written atomically.
inline constexpr const char* kScoreJsonSchema = "hashsim-score-1";
std::string score_json(const ScoreResult& r);
void write_score_json(const ScoreResult& r, const std::filesystem::path& path,
                      Overwrite mode = Overwrite::kReplace);

}  // namespace hashsim::history
