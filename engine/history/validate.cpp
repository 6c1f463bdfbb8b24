#include "engine/history/validate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "engine/history/backtest.h"
#include "engine/history/history_run.h"
#include "engine/util/temp_file.h"
#include "engine/sim/runner.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"
#include "engine/util/stats.h"

namespace hashsim::history {

namespace {
double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, q);
}

void check_validate_inputs(const scenario::Scenario& s, const ValidateOptions& o) {
  if (!s.agents || s.network.kind != scenario::NetworkModelKind::Agents)
    throw Error(s.file.string() +
                ": validate needs network.model: agents (the agents drive the hashrate)");
  if (s.agents->profile != agents::RuleProfile::Default)
    throw Error(s.file.string() +
                ": validate needs agents.profile: default (reference-2021 replays its own paths)");
  if (o.days < 2) throw OptionError("{days} = " + std::to_string(o.days) + " must be >= 2");
  if (o.paths < 1) throw OptionError("{paths} must be >= 1");
  if (o.from.empty()) throw OptionError("{from} is required (YYYY-MM-DD)");
}

// The simulated network hashrate of every path, [path][day].
std::vector<double> simulate_hashrate(const scenario::Scenario& s, const ValidateOptions& o,
                                      std::size_t n) {
  const std::size_t slot = series_slot(s, scenario::Series::NetworkHashrateThs);
  sim::RunOptions ro;
  ro.threads = o.threads;
  return run_and_gather(s, o.paths, ro, {{slot, n}}).front();
}

// Error of the p50 on days 1..h: median |e|, mean e and e on day h.
HorizonError horizon_error(const std::vector<double>& err, int h, const std::string& label) {
  HorizonError e;
  e.days = h;
  e.label = label;
  std::vector<double> abs_err;
  double sum = 0.0;
  for (int d = 1; d <= h; ++d) {
    abs_err.push_back(std::fabs(err[static_cast<std::size_t>(d)]));
    sum += err[static_cast<std::size_t>(d)];
  }
  e.median_abs_log_error = quantile(abs_err, 0.5);
  e.bias_mean_log_error = sum / h;
  e.log_error_at_end = err[static_cast<std::size_t>(h)];
  return e;
}

// The simulated bands of each day, and the errors of the p50 by horizon (30, 90, 180 d within the
// run, and the whole run).
void add_bands_and_errors(const std::vector<double>& sim, std::int64_t paths, ValidateResult& r) {
  const std::size_t n = r.dates.size();
  std::vector<double> across(static_cast<std::size_t>(paths));
  std::vector<double> err(n);
  for (std::size_t d = 0; d < n; ++d) {
    for (std::size_t p = 0; p < across.size(); ++p) across[p] = sim[p * n + d];
    r.simulated_p50_ths.push_back(quantile(across, 0.5));
    r.simulated_p5_ths.push_back(quantile(across, 0.05));
    r.simulated_p95_ths.push_back(quantile(across, 0.95));
    err[d] = std::log(r.simulated_p50_ths[d] / r.actual_ths[d]);
  }
  for (int h : {30, 90, 180})
    if (h < static_cast<int>(n))
      r.horizons.push_back(horizon_error(err, h, std::to_string(h) + " d"));
  r.horizons.push_back(
      horizon_error(err, static_cast<int>(n) - 1, "all (" + std::to_string(n - 1) + " d)"));
}
}  // namespace

ValidateResult run_validate(scenario::Scenario s, const DailyTable& table,
                            const ValidateOptions& o) {
  check_validate_inputs(s, o);
  // Actual series: the daily backtest's columns (same hashrate definition, price gaps filled).
  BacktestOptions bo;
  bo.from = o.from;
  bo.to = add_days(o.from, o.days - 1);
  bo.trailing_days = o.trailing_days;
  bo.fill_price_gaps = true;
  const BacktestResult bt = run_backtest(table, bo);
  const std::size_t n = bt.dates.size();

  ValidateResult r;
  r.dates = bt.dates;
  r.actual_ths = bt.column("network_hashrate_ths");
  r.price_usd = bt.column("price_usd");
  r.scenario_name = s.name;
  r.catalogue = s.agents->catalogue_file.string();

  TempFile replay("hashsim-validate");
  write_replay_inputs(replay.path(), bt, 0, n);
  replay_price_and_fees(s, replay.path(), o.replay_fees);
  start_on_backtest_row(s, bt, 0);
  s.horizon_days = static_cast<int>(n);
  s.paths = o.paths;
  s.record.every_days = 1;
  if (!s.records(scenario::Series::NetworkHashrateThs))
    s.record.series.push_back(scenario::Series::NetworkHashrateThs);
  r.start = s.start;
  add_bands_and_errors(simulate_hashrate(s, o, n), o.paths, r);
  return r;
}

std::string validate_report(const ValidateResult& r) {
  std::string s;
  char buf[256];
  std::snprintf(buf, sizeof buf, "validate %s..%s (%zu days), scenario %s, catalogue %s\n",
                r.dates.front().c_str(), r.dates.back().c_str(), r.dates.size(),
                r.scenario_name.c_str(), r.catalogue.c_str());
  s += buf;
  std::snprintf(buf, sizeof buf,
                "start %s: price %.2f USD, difficulty %.6g, height %.0f, fee %.6f BTC/block, "
                "hashrate %.4g TH/s\n",
                r.start.date.c_str(), r.start.price_usd, r.start.difficulty, r.start.height,
                r.start.fee_btc_per_block, r.start.network_hashrate_ths);
  s += buf;
  s += "error e = ln(simulated p50 / actual trailing-7-day implied hashrate), days 1..H\n";
  std::snprintf(buf, sizeof buf, "  %-14s %22s %22s %16s\n", "horizon", "median |e|", "bias mean e",
                "e at H");
  s += buf;
  for (const auto& h : r.horizons) {
    std::snprintf(buf, sizeof buf, "  %-14s %14.4f (%5.1f%%) %14.4f (%+5.1f%%) %16.4f\n",
                  h.label.c_str(), h.median_abs_log_error,
                  100.0 * (std::exp(h.median_abs_log_error) - 1.0), h.bias_mean_log_error,
                  100.0 * (std::exp(h.bias_mean_log_error) - 1.0), h.log_error_at_end);
    s += buf;
  }
  const std::size_t last = r.dates.size() - 1;
  std::snprintf(buf, sizeof buf,
                "last day %s: actual %.4g TH/s, simulated p50 %.4g (p5 %.4g, p95 %.4g)\n",
                r.dates[last].c_str(), r.actual_ths[last], r.simulated_p50_ths[last],
                r.simulated_p5_ths[last], r.simulated_p95_ths[last]);
  s += buf;
  return s;
}

}  // namespace hashsim::history
