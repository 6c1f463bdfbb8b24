#include "engine/history/halvings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/units.h"

namespace hashsim::history {

namespace {
using units::kHalvingInterval;
constexpr double kTargetPoints = 0.10;

// min over d = 1..window of v[h + d] / v[h] - 1, and the day it is reached.
std::pair<double, int> trough(const std::vector<double>& v, std::size_t h, int window) {
  double best = HUGE_VAL;
  int day = 0;
  for (int d = 1; d <= window && h + static_cast<std::size_t>(d) < v.size(); ++d) {
    const double x = v[h + static_cast<std::size_t>(d)] / v[h] - 1.0;
    if (x < best) {
      best = x;
      day = d;
    }
  }
  return {best, day};
}
}  // namespace

bool HalvingRow::within_target() const {
  return std::fabs(model_trough[1] - actual_trough) <= kTargetPoints;
}

HalvingResult run_halvings(const scenario::Scenario& s,
                           const std::optional<scenario::Scenario>& early, const DailyTable& daily,
                           const DailyTable& prices, const HalvingOptions& o) {
  if (o.lead_days < 1 || o.lead_days > 365)
    throw Error("--lead-days = " + std::to_string(o.lead_days) + " is not in [1, 365]");
  if (o.window_days < 1 || o.window_days > 365)
    throw Error("--window-days = " + std::to_string(o.window_days) + " is not in [1, 365]");
  HalvingResult r;
  r.options = o;
  r.scenario_name = s.name;
  const std::size_t c_first = daily.column({"first_height"});
  const std::size_t c_last = daily.column({"last_height"});
  const double first_h = daily.number(0, c_first), last_h = daily.number(daily.size() - 1, c_last);
  for (std::int64_t k = 1; k <= 32; ++k) {
    const std::int64_t height = k * kHalvingInterval;
    if (static_cast<double>(height) > last_h) break;
    if (static_cast<double>(height) < first_h) {
      r.skipped_heights.push_back(height);
      continue;
    }
    // The halving day: the row whose heights hold the halving block.
    std::size_t row = 0;
    while (row < daily.size() && daily.number(row, c_last) < static_cast<double>(height)) ++row;
    const std::int64_t hday = daily.day(row);
    std::int64_t od = hday - o.lead_days;
    while (std::stoi(civil_from_days(od).substr(8, 2)) > 28) --od;
    ScoreOptions so;
    so.from = so.to = civil_from_days(od);
    const int lead = static_cast<int>(hday - od);
    so.horizons = {lead + o.window_days};
    so.modes = {ScoreMode::Replay};
    so.paths = o.paths;
    so.threads = o.threads;
    so.early_before = o.early_before;
    so.observed_hashrate = o.observed_hashrate;
    so.fan_origins = {"first"};
    ScoreResult sr;
    try {
      sr = run_score(s, early, daily, prices, so);
    } catch (const Error&) {  // not enough data before or after this halving
      r.skipped_heights.push_back(height);
      continue;
    }
    const ScoreFan* fan = nullptr;
    for (const auto& f : sr.fans)
      if (f.variable == 0) fan = &f;
    if (!fan || fan->actual.size() <=
                    static_cast<std::size_t>(lead) + static_cast<std::size_t>(o.window_days)) {
      r.skipped_heights.push_back(height);
      continue;
    }
    HalvingRow hr;
    hr.height = height;
    hr.date = civil_from_days(hday);
    hr.origin = so.from;
    const auto h = static_cast<std::size_t>(lead);
    std::tie(hr.actual_trough, hr.actual_trough_day) = trough(fan->actual, h, o.window_days);
    hr.model_trough[0] = trough(fan->p5, h, o.window_days).first;
    std::tie(hr.model_trough[1], hr.model_trough_day) = trough(fan->p50, h, o.window_days);
    hr.model_trough[2] = trough(fan->p95, h, o.window_days).first;
    r.rows.push_back(hr);
  }
  if (r.rows.empty())
    throw Error(daily.path().string() +
                ": no halving lies inside the data with --lead-days before and --window-days "
                "after it (and the score harness's fit windows before the start)");
  return r;
}

std::string halvings_table(const HalvingResult& r) {
  std::string out;
  char buf[320];
  std::snprintf(
      buf, sizeof buf,
      "halving troughs, real price and fees replayed: scenario %s, %lld paths, start %d d "
      "before, trough = min over days 1..%d of H / H(halving day) - 1 (trailing 7-day "
      "%s hashrate)\n",
      r.scenario_name.c_str(), static_cast<long long>(r.options.paths), r.options.lead_days,
      r.options.window_days,
      r.options.observed_hashrate ? "implied" : "implied (real) / fleet (model)");
  out += buf;
  out +=
      "  height   halving day  start        real (day)       model P50 (day)  model P5 / P95      "
      "   P50 - real  within 10 pp\n";
  for (const auto& row : r.rows) {
    std::snprintf(buf, sizeof buf,
                  "  %-8lld %-12s %-12s %+6.1f %% (%3d)   %+6.1f %% (%3d)   %+6.1f %% / %+6.1f %%  "
                  "%+6.1f pp    %s\n",
                  static_cast<long long>(row.height), row.date.c_str(), row.origin.c_str(),
                  100.0 * row.actual_trough, row.actual_trough_day, 100.0 * row.model_trough[1],
                  row.model_trough_day, 100.0 * row.model_trough[0], 100.0 * row.model_trough[2],
                  100.0 * (row.model_trough[1] - row.actual_trough),
                  row.within_target() ? "yes" : "NO");
    out += buf;
  }
  for (std::int64_t h : r.skipped_heights)
    out +=
        "  " + std::to_string(h) + ": not measured (outside the daily data or its fit windows)\n";
  return out;
}

}  // namespace hashsim::history
