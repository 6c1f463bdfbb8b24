#include "engine/site/site_output.h"
// write_site_hdf5: the /site group of an HDF5 file (layout: scenarios/README-site.md, "Outputs";
// names: engine/io/schema.h, "site files"). Each dataset's CF units and long name are written next
// to it.

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "engine/io/hdf5.h"
#include "engine/io/schema.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"

namespace hashsim::site {

namespace {

namespace schema = io::schema;

// ---- HDF5 pieces -------------------------------------------------------------------------

void write_matrix(hid_t parent, const std::string& name, const std::vector<double>& v,
                  std::uint64_t rows, std::uint64_t cols) {
  h5::Handle ds =
      h5::create_array(parent, name, {rows, cols}, {std::min<std::uint64_t>(rows, 4096), cols}, 4);
  if (rows && cols) h5::write_rows(ds.get(), 0, rows, v.data());
}

// One field of a list of records as the dataset `name`: get(record) for each record, numbers or
// strings.
template <class Record, class Get>
void write_field(hid_t group, const char* name, const std::vector<Record>& records, Get get) {
  using Value = std::decay_t<std::invoke_result_t<Get, const Record&>>;
  std::vector<Value> v;
  v.reserve(records.size());
  for (const auto& r : records) v.push_back(get(r));
  if constexpr (std::is_same_v<Value, std::string>)
    h5::write_strings(group, name, v);
  else
    h5::write_vector(group, name, v);
}

// The names of a list of records (miners, policies, drivers) as the dimension scale `dim`.
template <class Record, class Get>
void write_coordinate(hid_t group, const char* dim, const std::vector<Record>& records, Get get,
                      const std::string& long_name) {
  write_field(group, dim, records, get);
  schema::make_scale(group, dim, "", long_name);
}

// The same along the dimension `dim` (a scale already in `group`), with CF units and long name.
template <class Record, class Get>
void write_column(hid_t group, const char* name, const std::vector<Record>& records, Get get,
                  const char* dim, const std::string& units = "",
                  const std::string& long_name = "") {
  write_field(group, name, records, get);
  schema::attach_dimensions(group, name, {dim}, units, long_name);
}

// ---- /site/selection ---------------------------------------------------------------------

void write_selection(hid_t parent, const char* name, const Selection& s) {
  h5::Handle g = h5::create_group(parent, name);
  const hid_t x = g.get();
  const auto& m = s.miners;
  // Dimensions: the miner names and the grid of power prices are the coordinates.
  write_coordinate(
      x, schema::kDimMiner, m, [](const MinerEconomics& e) { return e.offer.name; },
      "miner model offered");
  const char* miner = schema::kDimMiner;
  write_column(
      x, schema::kSiteSelHashrateThs, m,
      [](const MinerEconomics& e) { return e.offer.hashrate_ths; }, miner, "TH/s");
  write_column(
      x, schema::kSiteSelPowerW, m, [](const MinerEconomics& e) { return e.offer.power_w; }, miner,
      "W");
  write_column(
      x, schema::kSiteSelPrice, m, [](const MinerEconomics& e) { return e.offer.price_site_ccy; },
      miner, "site currency");
  write_column(
      x, schema::kSiteSelEnergy, m, [](const MinerEconomics& e) { return e.energy_kwh_per_day; },
      miner, "kWh/day");
  write_column(
      x, schema::kSiteSelCostPerDay, m,
      [](const MinerEconomics& e) { return e.cost_per_day_site_ccy; }, miner, "site currency/day");
  write_column(
      x, schema::kSiteSelRevenuePerDay, m,
      [](const MinerEconomics& e) { return e.revenue_per_day_site_ccy; }, miner,
      "site currency/day");
  write_column(
      x, schema::kSiteSelProfitPerDay, m,
      [](const MinerEconomics& e) { return e.profit_per_day_site_ccy; }, miner,
      "site currency/day");
  write_column(
      x, schema::kSiteSelPaybackDays, m, [](const MinerEconomics& e) { return e.payback_days; },
      miner, "day");
  write_column(
      x, schema::kSiteSelBreakevenPowerPrice, m,
      [](const MinerEconomics& e) { return e.breakeven_power_price_per_kwh; }, miner,
      "site currency/kWh");
  h5::write_vector(x, schema::kDimGridPrice, s.grid_power_prices_per_kwh);
  schema::make_scale(x, schema::kDimGridPrice, "site currency/kWh",
                     "power price of the sensitivity grid");
  const auto ng = s.grid_power_prices_per_kwh.size(), nm = m.size();
  write_matrix(x, schema::kSiteGridCost, s.grid_cost_per_th_day_site_ccy, ng, nm);
  schema::attach_dimensions(x, schema::kSiteGridCost, {schema::kDimGridPrice, miner},
                            "site currency/(TH/s)/day", "power cost per TH/s per day on the grid");
  write_matrix(x, schema::kSiteGridPayback, s.grid_payback_days, ng, nm);
  schema::attach_dimensions(x, schema::kSiteGridPayback, {schema::kDimGridPrice, miner}, "day",
                            "payback time on the grid");
  h5::set_attr(x, schema::kAttrSelHashpriceUsd, s.hashprice_usd_per_th_day);
  h5::set_attr(x, schema::kAttrSelPowerPrice, s.power_price_per_kwh);
  h5::set_attr(x, schema::kAttrSelChosen, s.chosen ? m[*s.chosen].offer.name : std::string());
  h5::set_attr(x, schema::kAttrReason, s.reason);
}

// ---- /site and /site/build ---------------------------------------------------------------

void write_site_attributes(hid_t s, const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  h5::set_attr(s, schema::kAttrSiteResultsFile, r.results_file.string());
  h5::set_attr(s, schema::kAttrSiteYaml, a.config.yaml_text);
  h5::set_attr(s, schema::kAttrSiteCurrency, a.config.currency);
  h5::set_attr(s, schema::kAttrSiteFxUsdToSite, a.fx.usd_to_site);
  h5::set_attr(s, schema::kAttrSiteFxSource, a.fx.source);
  h5::set_attr(s, schema::kAttrSelectionScenario, a.selection_scenario);
  h5::set_attr(s, schema::kAttrDiscountRate, a.config.discount_rate_per_year);
  h5::set_attr(s, schema::kAttrHorizonYears, static_cast<std::int64_t>(a.config.horizon_years));
  h5::set_attr(s, schema::kAttrSummaryJson, summary_json(r).dump());
}

void write_build(hid_t parent, const SiteBuild& x) {
  h5::Handle g = h5::create_group(parent, schema::kSiteBuildGroup);
  const hid_t b = g.get();
  h5::set_attr(b, schema::kAttrBuildMiner, x.plant.miner.name);
  h5::set_attr(b, schema::kAttrBuildNMiners, x.plant.n_miners);
  h5::set_attr(b, schema::kAttrBuildEffectivePowerKw, x.effective_power_kw);
  h5::set_attr(b, schema::kAttrBuildUsedPowerKw, x.used_power_kw);
  h5::set_attr(b, schema::kAttrBuildUnusedPowerKw, x.unused_power_kw);
  h5::set_attr(b, schema::kAttrBuildHashrateThs, x.plant.hashrate_ths);
  h5::set_attr(b, schema::kAttrBuildEnergy, x.plant.energy_kwh_per_day);
  h5::set_attr(b, schema::kAttrBuildCapex, x.plant.capex_total());
  h5::set_attr(b, schema::kAttrBuildCapexMiners, x.plant.capex_miners_site_ccy);
  h5::set_attr(b, schema::kAttrBuildCapexInfrastructure, x.plant.capex_infra_site_ccy);
  h5::set_attr(b, schema::kAttrBuildRevenuePerDay, x.revenue_per_day_site_ccy);
  h5::set_attr(b, schema::kAttrBuildGrossProfitPerDay, x.gross_profit_per_day_site_ccy);
}

// ---- /site/scenarios/<name> --------------------------------------------------------------

void write_scenario_attributes(hid_t g, const ScenarioResult& sr) {
  h5::set_attr(g, schema::kAttrNPaths, static_cast<std::int64_t>(sr.n_paths));
  h5::set_attr(g, schema::kAttrYears, static_cast<std::int64_t>(sr.years));
  h5::set_attr(g, schema::kAttrMedianPath, static_cast<std::int64_t>(sr.median_path));
  h5::set_attr(g, schema::kAttrNpvP50Base, sr.npv_p50_base);
  if (sr.breakeven.found) {
    h5::set_attr(g, schema::kAttrBreakevenRevenueFactor, sr.breakeven.revenue_factor);
    h5::set_attr(g, schema::kAttrBreakevenBtcPriceUsd, sr.breakeven.btc_price_usd_day0);
    h5::set_attr(g, schema::kAttrBreakevenHashpriceUsd, sr.breakeven.hashprice_usd_per_th_day);
  }
}

// The site's NPV under each operating policy, along the dimension `mode`.
void write_policies(hid_t parent, const std::vector<PolicyResult>& policies,
                    const std::string& currency) {
  if (policies.empty()) return;
  h5::Handle g = h5::create_group(parent, schema::kSitePoliciesGroup);
  const hid_t x = g.get();
  const char* mode = schema::kDimPolicy;
  write_coordinate(
      x, mode, policies, [](const PolicyResult& p) { return p.mode; }, "operating policy");
  write_column(
      x, schema::kSitePolicyNpvMean, policies, [](const PolicyResult& p) { return p.npv.mean; },
      mode, currency, "mean NPV over paths");
  write_column(
      x, schema::kSitePolicyNpvP50, policies, [](const PolicyResult& p) { return p.npv.p50; }, mode,
      currency, "median NPV over paths");
  write_column(
      x, schema::kSitePolicyPNpvNegative, policies,
      [](const PolicyResult& p) { return p.p_npv_negative; }, mode, "1",
      "probability that the NPV is negative");
  write_column(
      x, schema::kSitePolicyDaysOnShare, policies,
      [](const PolicyResult& p) { return p.mean_days_on_share; }, mode, "1",
      "mean share of days the miners run");
}

// The median site NPV with each driver at its low and high value, along the dimension `driver`.
void write_tornado(hid_t parent, const std::vector<TornadoBar>& bars, const std::string& currency) {
  if (bars.empty()) return;
  h5::Handle g = h5::create_group(parent, schema::kSiteTornadoGroup);
  const hid_t x = g.get();
  const char* driver = schema::kDimDriver;
  write_coordinate(
      x, driver, bars, [](const TornadoBar& b) { return b.driver; }, "sensitivity driver");
  write_column(
      x, schema::kSiteTornadoLowLabel, bars, [](const TornadoBar& b) { return b.low_label; },
      driver);
  write_column(
      x, schema::kSiteTornadoHighLabel, bars, [](const TornadoBar& b) { return b.high_label; },
      driver);
  write_column(
      x, schema::kSiteTornadoNpvLow, bars, [](const TornadoBar& b) { return b.npv_p50_low; },
      driver, currency, "median NPV with the driver at its low value");
  write_column(
      x, schema::kSiteTornadoNpvHigh, bars, [](const TornadoBar& b) { return b.npv_p50_high; },
      driver, currency, "median NPV with the driver at its high value");
}

// The most real IRR roots of any path (at least 1): the width of irr_roots.
std::size_t irr_root_columns(const PathMetrics& m) {
  std::size_t n = 1;
  for (const auto& rr : m.irr_roots) n = std::max(n, rr.size());
  return n;
}

// Every real IRR root of each path as [path, irr_root], NaN-padded to `columns`.
std::vector<double> padded_irr_roots(const PathMetrics& m, std::size_t n_paths,
                                     std::size_t columns) {
  std::vector<double> roots(n_paths * columns, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < n_paths; ++i)
    std::copy(m.irr_roots[i].begin(), m.irr_roots[i].end(),
              roots.begin() + static_cast<std::ptrdiff_t>(i * columns));
  return roots;
}

// One play: its summary as attributes and its per-path metrics [path] (cash flows [path, year]).
void write_play(hid_t parent, const PlayResult& p, const ScenarioResult& sr,
                const std::string& currency) {
  h5::Handle g = h5::create_group(parent, p.key);
  const hid_t x = g.get();
  h5::set_attr(x, schema::kAttrLabel, p.label);
  h5::set_attr(x, schema::kAttrAvailable, static_cast<std::int64_t>(p.available));
  if (!p.available) {
    h5::set_attr(x, schema::kAttrReason, p.unavailable_reason);
    return;
  }
  const PlaySummary& s = p.summary;
  h5::set_attr(x, schema::kAttrPlayCapital, p.capital_site_ccy);
  h5::set_attr(x, schema::kAttrPlayPNpvNegative, s.p_npv_negative);
  h5::set_attr(x, schema::kAttrPlayPPaybackNever, s.p_payback_never);
  h5::set_attr(x, schema::kAttrPlayShareNoIrr, s.share_no_irr);
  h5::set_attr(x, schema::kAttrPlayShareMultipleIrr, s.share_multiple_irr);
  h5::set_attr(x, schema::kAttrPlayPaybackApplicable,
               static_cast<std::int64_t>(p.payback_applicable));
  h5::set_attr(x, schema::kAttrPlayNpvP5, s.risk.npv_p5);
  h5::set_attr(x, schema::kAttrPlayExpectedShortfall, s.risk.expected_shortfall);

  const PathMetrics& m = p.metrics;
  const std::size_t max_roots = irr_root_columns(m);
  std::vector<std::int64_t> year(static_cast<std::size_t>(sr.years) + 1);
  for (std::size_t y = 0; y < year.size(); ++y) year[y] = static_cast<std::int64_t>(y);
  schema::write_index_dimension(x, schema::kDimPath, sr.n_paths, "Monte Carlo path");
  schema::write_dimension(x, schema::kDimYear, year, "year",
                          "years since the investment (0: the outlay)");
  schema::write_index_dimension(x, schema::kDimIrrRoot, max_roots,
                                "real root of the NPV polynomial");
  const char* path = schema::kDimPath;
  write_matrix(x, schema::kSiteCashflows, p.cashflows, sr.n_paths, year.size());
  schema::attach_dimensions(x, schema::kSiteCashflows, {path, schema::kDimYear}, currency,
                            "net cash flow of the year");
  const auto per_path = [&](const char* name, const auto& values, const std::string& units,
                            const std::string& long_name) {
    h5::write_vector(x, name, values);
    schema::attach_dimensions(x, name, {path}, units, long_name);
  };
  per_path(schema::kSiteNpv, m.npv_site_ccy, currency, "net present value");
  per_path(schema::kSiteIrr, m.irr, "1/year", "internal rate of return");
  per_path(schema::kSiteIrrStatus,
           std::vector<std::int64_t>(m.irr_status.begin(), m.irr_status.end()), "1",
           "IRR status (0 unique, 1 none, 2 several)");
  per_path(schema::kSiteRoic, m.roic, "1", "return on invested capital");
  per_path(schema::kSiteMirr, m.mirr, "1/year", "modified internal rate of return");
  per_path(schema::kSiteInvested, p.invested_site_ccy, currency, "capital invested");
  write_matrix(x, schema::kSiteIrrRoots, padded_irr_roots(m, sr.n_paths, max_roots), sr.n_paths,
               max_roots);
  schema::attach_dimensions(x, schema::kSiteIrrRoots, {path, schema::kDimIrrRoot}, "1/year",
                            "every real IRR root (NaN-padded)");
  per_path(schema::kSitePaybackYears, m.payback_years, "year", "payback time");
  per_path(schema::kSiteDiscountedPaybackYears, m.discounted_payback_years, "year",
           "discounted payback time");
}

void write_scenario(hid_t site, const ScenarioResult& sr, const std::string& currency) {
  h5::Handle g = h5::create_group(site, schema::scenario_group(sr.scenario));
  write_scenario_attributes(g.get(), sr);
  write_policies(g.get(), sr.policies, currency);
  write_tornado(g.get(), sr.tornado, currency);
  for (const auto& p : sr.plays) write_play(g.get(), p, sr, currency);
}

}  // namespace

void write_site_hdf5(const SiteRun& r, const std::filesystem::path& path, Overwrite mode) {
  AtomicOutput out(path, mode);
  write_site_hdf5(r, out);
  out.commit();
}

void write_site_hdf5(const SiteRun& r, AtomicOutput& out) {
  const SiteAnalysis& a = r.analysis;
  const nlohmann::json inputs{{"results_file", r.results_file.string()},
                              {"fx_source", a.fx.source}};
  const schema::Provenance provenance{.kind = schema::kKindSite,
                                      .version = schema::kSiteVersion,
                                      .command_line = r.command_line,
                                      .scenario_text = a.config.yaml_text,
                                      .seed = std::nullopt,
                                      .data_snapshot_json = inputs.dump()};
  schema::write_file(out, provenance, [&](hid_t root) {
    h5::Handle g = h5::create_group(root, schema::kSiteGroup);
    const hid_t s = g.get();
    write_site_attributes(s, r);
    write_selection(s, schema::kSiteSelectionGroup, a.selection);
    if (a.hosted_selection)
      write_selection(s, schema::kSiteHostedSelectionGroup, *a.hosted_selection);
    if (a.site) write_build(s, *a.site);
    for (const auto& sr : a.scenarios) write_scenario(s, sr, a.config.currency);
  });
}

}  // namespace hashsim::site
