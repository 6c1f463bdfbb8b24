#pragma once
// `hashsim halvings`: the agents' hashrate response to the real halvings (issue 15 item 3), driven
// by the real price and fees (the score harness's replay mode, score.h). For each halving height
// (a multiple of 210000) whose day lies inside the data with `lead_days` before it and
// `window_days` after it, the model starts `lead_days` before the halving day (day of month moved
// back to <= 28, as score origins need) and runs to window_days after it. With H_d the hashrate
// measured as in `score` (trailing 7-day mean implied hashrate; the model's from its own Poisson
// blocks) and h the halving day:
//   trough = min over d = 1..window_days of H_{h+d} / H_h - 1
// for the truth, and per band for the model (its P5, P50 and P95 across paths, each relative to
// its own value on the halving day, so a level error before the halving does not count).
// The target (issue 15): |model P50 trough - real trough| <= 10 percentage points.
#include <optional>
#include <string>
#include <vector>

#include "engine/history/score.h"

namespace hashsim::history {

struct HalvingOptions {
  int lead_days = 60;
  int window_days = 60;
  std::int64_t paths = 16;
  int threads = 0;
  std::string early_before;  // as ScoreOptions::early_before
  bool observed_hashrate = true;
};

struct HalvingRow {
  std::int64_t height = 0;
  std::string date, origin;                  // halving day; model start
  double actual_trough = 0.0;                // fraction (-0.09: 9 % below the halving day)
  int actual_trough_day = 0;                 // days after the halving
  double model_trough[3] = {0.0, 0.0, 0.0};  // P5, P50, P95 bands
  int model_trough_day = 0;                  // of the P50 band
  bool within_target() const;                // |P50 - actual| <= 0.10
};

struct HalvingResult {
  std::vector<HalvingRow> rows;
  std::vector<std::int64_t> skipped_heights;  // halvings the data cannot serve (named in the table)
  std::string scenario_name;
  HalvingOptions options;
};

// Throws Error when no halving fits inside the data, or for bad options.
HalvingResult run_halvings(const scenario::Scenario& s,
                           const std::optional<scenario::Scenario>& early, const DailyTable& daily,
                           const DailyTable& prices, const HalvingOptions& o);
std::string halvings_table(const HalvingResult& r);

}  // namespace hashsim::history
