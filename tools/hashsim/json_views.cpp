#include "tools/hashsim/json_views.h"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "engine/io/schema.h"

namespace hashsim::cli {

namespace {
using nlohmann::json;

// NaN and infinities (an undefined estimate) as null; nlohmann would write them as null too, but
// saying so here keeps the documented schema independent of the library's choice.
json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json estimate(const history::Estimate& e) { return {{"value", num(e.value)}, {"se", num(e.se)}}; }
json numbers(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(num(x));
  return a;
}
json head(const char* schema) {
  return {{"schema", std::string("hashsim.") + schema}, {"schema_version", kJsonSchemaVersion}};
}
}  // namespace

json calibrate_json(const history::Calibration& c) {
  json j = head("calibrate");
  j["data_file"] = c.data_file;
  j["from"] = c.from;
  j["to"] = c.to;
  j["calendar_days"] = c.calendar_days;
  j["missing_price_days"] = c.missing_price_days;
  j["missing_fee_days"] = c.missing_fee_days;
  j["gbm"] = nullptr;
  j["merton"] = nullptr;
  j["fees"] = nullptr;
  if (c.has_price)
    j["gbm"] = {{"n_returns", c.gbm.n_returns},
                {"dt_years", c.gbm.dt_years},
                {"log_drift_per_year", estimate(c.gbm.log_drift_per_year)},
                {"drift_per_year", estimate(c.gbm.drift_per_year)},
                {"vol_per_sqrt_year", estimate(c.gbm.vol_per_sqrt_year)},
                {"log_likelihood", num(c.gbm.log_likelihood)}};
  if (c.has_jumps)
    j["merton"] = {
        {"n_returns", c.merton.n_returns},
        {"dt_years", c.merton.dt_years},
        {"diffusion_log_drift_per_year", estimate(c.merton.diffusion_log_drift_per_year)},
        {"drift_per_year", estimate(c.merton.drift_per_year)},
        {"vol_per_sqrt_year", estimate(c.merton.vol_per_sqrt_year)},
        {"intensity_per_year", estimate(c.merton.intensity_per_year)},
        {"log_mean", estimate(c.merton.log_mean)},
        {"log_sd", estimate(c.merton.log_sd)},
        {"log_likelihood", num(c.merton.log_likelihood)},
        {"evaluations", c.merton.evaluations},
        {"converged", c.merton.converged},
        {"information_ok", c.merton.information_ok}};
  if (c.has_fees)
    j["fees"] = {{"n_pairs", c.fees.n_pairs},
                 {"log_median", estimate(c.fees.log_median)},
                 {"median_btc_per_block", estimate(c.fees.median_btc_per_block)},
                 {"log_sd", estimate(c.fees.log_sd)},
                 {"ar1_phi", estimate(c.fees.ar1_phi)},
                 {"innovation_sd", estimate(c.fees.innovation_sd)},
                 {"sample_log_sd", num(c.fees.sample_log_sd)}};
  return j;
}

json backtest_json(const history::BacktestResult& r, const history::BacktestOptions& o) {
  json j = head("backtest");
  const auto& hp = r.column("hashprice_usd_per_th_day");
  const double n = static_cast<double>(r.dates.size());
  j["from"] = r.dates.front();
  j["to"] = r.dates.back();
  j["days"] = r.dates.size();
  j["data_file"] = r.data_file;
  j["hashrate_method"] = o.method == history::HashrateMethod::Implied ? "implied" : "difficulty";
  j["hashrate_window_days"] = o.trailing_days;
  j["filled_price_dates"] = r.filled_price_dates;
  j["hashprice_usd_per_th_day"] = {{"first", num(hp.front())},
                                   {"last", num(hp.back())},
                                   {"mean", num(r.total("hashprice_usd_per_th_day") / n)}};
  j["fleet"] = nullptr;
  if (o.fleet) {
    json fl = {{"label", o.fleet->label},
               {"machine_hashrate_ths", o.fleet->machine_hashrate_ths},
               {"machine_power_w", o.fleet->machine_power_w},
               {"count", o.fleet->count},
               {"tariff_usd_per_kwh", o.tariff_usd_per_kwh},
               {"pool_fee", o.pool_fee},
               {"revenue_btc", num(r.total("fleet_revenue_btc"))},
               {"revenue_usd", num(r.total("fleet_revenue_usd"))},
               {"power_cost_usd", num(r.total("power_cost_usd"))},
               {"profit_usd", num(r.total("profit_usd"))},
               {"capex_usd", nullptr},
               {"cumulative_cashflow_usd_at_end", nullptr},
               {"payback_date", nullptr},
               {"payback_days", nullptr}};
    if (o.capex_usd) {
      fl["capex_usd"] = *o.capex_usd;
      fl["cumulative_cashflow_usd_at_end"] = num(r.column("cumulative_cashflow_usd").back());
      if (r.payback_date) fl["payback_date"] = *r.payback_date;
      if (r.payback_days) fl["payback_days"] = *r.payback_days;
    }
    j["fleet"] = fl;
  }
  return j;
}

json validate_json(const history::ValidateResult& r) {
  json j = head("validate");
  j["scenario"] = r.scenario_name;
  j["catalogue"] = r.catalogue;
  j["from"] = r.dates.empty() ? "" : r.dates.front();
  j["to"] = r.dates.empty() ? "" : r.dates.back();
  j["days"] = r.dates.size();
  json h = json::array();
  for (const auto& e : r.horizons)
    h.push_back({{"days", e.days},
                 {"label", e.label},
                 {"median_abs_log_error", num(e.median_abs_log_error)},
                 {"bias_mean_log_error", num(e.bias_mean_log_error)},
                 {"log_error_at_end", num(e.log_error_at_end)}});
  j["horizons"] = h;
  j["daily"] = {{"date", r.dates},
                {"price_usd", numbers(r.price_usd)},
                {"actual_network_hashrate_ths", numbers(r.actual_ths)},
                {"simulated_network_hashrate_ths_p5", numbers(r.simulated_p5_ths)},
                {"simulated_network_hashrate_ths_p50", numbers(r.simulated_p50_ths)},
                {"simulated_network_hashrate_ths_p95", numbers(r.simulated_p95_ths)}};
  return j;
}

json fit_json(const history::FitResult& r) {
  json j = head("fit");
  j["scenario"] = r.scenario_name;
  j["early_scenario"] = r.early_scenario_name.empty() ? json(nullptr) : json(r.early_scenario_name);
  j["origins"] = r.origins;
  j["horizons_days"] = r.options.score.horizons;
  j["train_until"] = r.options.train_until;
  json keys = json::array();
  for (const auto& g : r.options.grid) keys.push_back(g.key);
  j["keys"] = keys;
  json points = json::array();
  for (const auto& p : r.points)
    points.push_back({{"values", p.values},
                      {"objective", num(p.objective)},
                      {"crps_by_horizon", numbers(p.crps_by_horizon)},
                      {"median_abs_log_error_by_horizon", numbers(p.median_error_by_horizon)}});
  j["points"] = points;
  j["best"] = r.points.empty() ? json(nullptr) : json(r.best);
  json best = json::object();
  if (!r.points.empty())
    for (std::size_t k = 0; k < r.options.grid.size(); ++k)
      best[r.options.grid[k].key] = r.points[r.best].values[k];
  j["best_values"] = best;
  return j;
}

json blocks_sync_json(const blocks::SyncReport& r, const std::string& source,
                      const std::string& db) {
  json j = head("blocks_sync");
  j["db"] = db;
  j["source"] = source;
  j["tip_height"] = r.tip_height;
  j["blocks_added"] = r.blocks_added;
  j["first_added"] = r.blocks_added > 0 ? json(r.first_added) : json(nullptr);
  j["last_added"] = r.blocks_added > 0 ? json(r.last_added) : json(nullptr);
  j["batches"] = r.batches;
  j["reorgs"] = r.reorgs;
  j["blocks_rolled_back"] = r.blocks_rolled_back;
  j["fork_height"] = r.fork_height ? json(*r.fork_height) : json(nullptr);
  j["note"] = r.note;
  return j;
}

json blocks_revenue_json(const blocks::BlockRevenueResult& r, const blocks::BlockRevenueOptions& o,
                         const std::string& price_file, const blocks::RevenueSummary* by_period) {
  json j = head("blocks_revenue");
  const auto& t = r.column(io::schema::kBlockTimeUnix);
  j["first_height"] = r.heights.front();
  j["last_height"] = r.heights.back();
  j["blocks"] = r.heights.size();
  j["days"] = (t.back() - t.front()) / 86400.0;
  j["price_file"] = price_file;
  j["tariff_usd_per_kwh"] = o.tariff_usd_per_kwh;
  j["pool_fee"] = o.pool_fee;
  j["clamped_intervals"] = r.clamped_intervals;
  j["unknown_intervals"] = r.unknown_intervals;
  json machines = json::array();
  for (const auto& m : o.machines) {
    const std::string s = blocks::machine_slug(m.name);
    machines.push_back({{"name", m.name},
                        {"slug", s},
                        {"count", m.count},
                        {"hashrate_ths", m.hashrate_ths},
                        {"power_w", m.power_w},
                        {"revenue_btc", num(r.total(s + io::schema::kMachineRevenueBtc))},
                        {"revenue_usd", num(r.total(s + io::schema::kMachineRevenueUsd))},
                        {"power_cost_usd", num(r.total(s + io::schema::kMachinePowerCost))},
                        {"profit_usd", num(r.total(s + io::schema::kMachineProfit))}});
  }
  j["machines"] = machines;
  j["by"] = nullptr;
  if (by_period) {
    json cols = json::object();
    for (const auto& c : by_period->columns) cols[c.name] = numbers(c.values);
    j["by"] = {{"period", by_period->key_name}, {"keys", by_period->keys}, {"columns", cols}};
  }
  return j;
}

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(2) << "\n";
  std::cout.flush();
}

}  // namespace hashsim::cli
