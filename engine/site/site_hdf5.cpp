#include "engine/site/site_output.h"
// write_site_hdf5: the /site group of an HDF5 file (layout: scenarios/README-site.md, "Outputs").

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/io/hdf5.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/io/schema.h"
#include "engine/util/error.h"

namespace hashsim::site {

namespace {

// ---- HDF5 pieces -------------------------------------------------------------------------

void write_matrix(hid_t parent, const std::string& name, const std::vector<double>& v,
                  std::uint64_t rows, std::uint64_t cols) {
  h5::Handle ds =
      h5::create_array(parent, name, {rows, cols}, {std::min<std::uint64_t>(rows, 4096), cols}, 4);
  if (rows && cols) h5::write_rows(ds.get(), 0, rows, v.data());
}

// Dimension scales and CF attributes of one play's per-path metrics.
void describe_play(hid_t pg, std::size_t n_paths, int years, std::size_t max_roots,
                   const std::string& currency) {
  namespace schema = io::schema;
  schema::write_index_dimension(pg, schema::kDimPath, n_paths, "Monte Carlo path");
  std::vector<std::int64_t> year(static_cast<std::size_t>(years) + 1);
  for (std::size_t y = 0; y < year.size(); ++y) year[y] = static_cast<std::int64_t>(y);
  schema::write_dimension(pg, schema::kDimYear, year, "year",
                          "years since the investment (0: the outlay)");
  schema::write_index_dimension(pg, schema::kDimIrrRoot, max_roots,
                                "real root of the NPV polynomial");
  schema::attach_dimensions(pg, "cashflows_site_ccy", {schema::kDimPath, schema::kDimYear},
                            currency, "net cash flow of the year");
  schema::attach_dimensions(pg, "npv_site_ccy", {schema::kDimPath}, currency, "net present value");
  schema::attach_dimensions(pg, "irr", {schema::kDimPath}, "1/year", "internal rate of return");
  schema::attach_dimensions(pg, "irr_status", {schema::kDimPath}, "1",
                            "IRR status (0 unique, 1 none, 2 several)");
  schema::attach_dimensions(pg, "roic", {schema::kDimPath}, "1", "return on invested capital");
  schema::attach_dimensions(pg, "mirr", {schema::kDimPath}, "1/year",
                            "modified internal rate of return");
  schema::attach_dimensions(pg, "invested_site_ccy", {schema::kDimPath}, currency,
                            "capital invested");
  schema::attach_dimensions(pg, "irr_roots", {schema::kDimPath, schema::kDimIrrRoot}, "1/year",
                            "every real IRR root (NaN-padded)");
  schema::attach_dimensions(pg, "payback_years", {schema::kDimPath}, "year", "payback time");
  schema::attach_dimensions(pg, "discounted_payback_years", {schema::kDimPath}, "year",
                            "discounted payback time");
}

void write_selection(hid_t parent, const std::string& name, const Selection& s) {
  h5::Handle g = h5::create_group(parent, name);
  std::vector<std::string> names;
  std::vector<double> th, w, price, energy, cost, rev, profit, payback, breakeven;
  for (const auto& e : s.miners) {
    names.push_back(e.offer.name);
    th.push_back(e.offer.hashrate_ths);
    w.push_back(e.offer.power_w);
    price.push_back(e.offer.price_site_ccy);
    energy.push_back(e.energy_kwh_per_day);
    cost.push_back(e.cost_per_day_site_ccy);
    rev.push_back(e.revenue_per_day_site_ccy);
    profit.push_back(e.profit_per_day_site_ccy);
    payback.push_back(e.payback_days);
    breakeven.push_back(e.breakeven_power_price_per_kwh);
  }
  h5::write_strings(g.get(), "miner", names);
  h5::write_vector(g.get(), "hashrate_ths", th);
  h5::write_vector(g.get(), "power_w", w);
  h5::write_vector(g.get(), "price_site_ccy", price);
  h5::write_vector(g.get(), "energy_kwh_per_day", energy);
  h5::write_vector(g.get(), "cost_per_day_site_ccy", cost);
  h5::write_vector(g.get(), "revenue_per_day_site_ccy", rev);
  h5::write_vector(g.get(), "profit_per_day_site_ccy", profit);
  h5::write_vector(g.get(), "payback_days", payback);
  h5::write_vector(g.get(), "breakeven_power_price_per_kwh", breakeven);
  h5::write_vector(g.get(), "grid_power_price_per_kwh", s.grid_power_prices_per_kwh);
  const auto ng = s.grid_power_prices_per_kwh.size(), nm = s.miners.size();
  write_matrix(g.get(), "grid_cost_per_th_day_site_ccy", s.grid_cost_per_th_day_site_ccy, ng, nm);
  write_matrix(g.get(), "grid_payback_days", s.grid_payback_days, ng, nm);
  // Dimensions: the miner names and the grid of power prices are the coordinates.
  namespace schema = io::schema;
  const hid_t x = g.get();
  schema::make_scale(x, "miner", "", "miner model offered");
  schema::make_scale(x, "grid_power_price_per_kwh", "site currency/kWh",
                     "power price of the sensitivity grid");
  const std::pair<const char*, const char*> per_miner[] = {
      {"hashrate_ths", "TH/s"},
      {"power_w", "W"},
      {"price_site_ccy", "site currency"},
      {"energy_kwh_per_day", "kWh/day"},
      {"cost_per_day_site_ccy", "site currency/day"},
      {"revenue_per_day_site_ccy", "site currency/day"},
      {"profit_per_day_site_ccy", "site currency/day"},
      {"payback_days", "day"},
      {"breakeven_power_price_per_kwh", "site currency/kWh"}};
  for (const auto& [field, units] : per_miner)
    schema::attach_dimensions(x, field, {"miner"}, units);
  schema::attach_dimensions(x, "grid_cost_per_th_day_site_ccy",
                            {"grid_power_price_per_kwh", "miner"}, "site currency/(TH/s)/day",
                            "power cost per TH/s per day on the grid");
  schema::attach_dimensions(x, "grid_payback_days", {"grid_power_price_per_kwh", "miner"}, "day",
                            "payback time on the grid");
  h5::set_attr(g.get(), "hashprice_usd_per_th_day", s.hashprice_usd_per_th_day);
  h5::set_attr(g.get(), "power_price_per_kwh", s.power_price_per_kwh);
  h5::set_attr(g.get(), "chosen", s.chosen ? s.miners[*s.chosen].offer.name : std::string());
  h5::set_attr(g.get(), "reason", s.reason);
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
  const io::schema::Provenance provenance{.kind = io::schema::kKindSite,
                                          .version = io::schema::kSiteVersion,
                                          .command_line = r.command_line,
                                          .scenario_text = a.config.yaml_text,
                                          .seed = std::nullopt,
                                          .data_snapshot_json = inputs.dump()};
  io::schema::write_file(out, provenance, [&](hid_t root) {
    h5::Handle g = h5::create_group(root, "site");
    const hid_t s = g.get();
    h5::set_attr(s, "results_file", r.results_file.string());
    h5::set_attr(s, "site_yaml", a.config.yaml_text);
    h5::set_attr(s, "currency", a.config.currency);
    h5::set_attr(s, "fx_usd_to_site", a.fx.usd_to_site);
    h5::set_attr(s, "fx_source", a.fx.source);
    h5::set_attr(s, "selection_scenario", a.selection_scenario);
    h5::set_attr(s, "discount_rate", a.config.discount_rate_per_year);
    h5::set_attr(s, "horizon_years", static_cast<std::int64_t>(a.config.horizon_years));
    h5::set_attr(s, "summary_json", summary_json(r).dump());
    write_selection(s, "selection", a.selection);
    if (a.hosted_selection) write_selection(s, "hosted_selection", *a.hosted_selection);
    if (a.site) {
      h5::Handle b = h5::create_group(s, "build");
      const SiteBuild& x = *a.site;
      h5::set_attr(b.get(), "miner", x.plant.miner.name);
      h5::set_attr(b.get(), "n_miners", x.plant.n_miners);
      h5::set_attr(b.get(), "effective_power_kw", x.effective_power_kw);
      h5::set_attr(b.get(), "used_power_kw", x.used_power_kw);
      h5::set_attr(b.get(), "unused_power_kw", x.unused_power_kw);
      h5::set_attr(b.get(), "hashrate_ths", x.plant.hashrate_ths);
      h5::set_attr(b.get(), "energy_kwh_per_day", x.plant.energy_kwh_per_day);
      h5::set_attr(b.get(), "capex_site_ccy", x.plant.capex_total());
      h5::set_attr(b.get(), "capex_miners_site_ccy", x.plant.capex_miners_site_ccy);
      h5::set_attr(b.get(), "capex_infrastructure_site_ccy", x.plant.capex_infra_site_ccy);
      h5::set_attr(b.get(), "revenue_per_day_site_ccy", x.revenue_per_day_site_ccy);
      h5::set_attr(b.get(), "gross_profit_per_day_site_ccy", x.gross_profit_per_day_site_ccy);
    }
    for (const auto& sr : a.scenarios) {
      h5::Handle sg = h5::create_group(s, "scenarios/" + sr.scenario);
      h5::set_attr(sg.get(), "n_paths", static_cast<std::int64_t>(sr.n_paths));
      h5::set_attr(sg.get(), "years", static_cast<std::int64_t>(sr.years));
      h5::set_attr(sg.get(), "median_path", static_cast<std::int64_t>(sr.median_path));
      h5::set_attr(sg.get(), "npv_p50_base", sr.npv_p50_base);
      if (sr.breakeven.found) {
        h5::set_attr(sg.get(), "breakeven_revenue_factor", sr.breakeven.revenue_factor);
        h5::set_attr(sg.get(), "breakeven_btc_price_usd_day0", sr.breakeven.btc_price_usd_day0);
        h5::set_attr(sg.get(), "breakeven_hashprice_usd_per_th_day",
                     sr.breakeven.hashprice_usd_per_th_day);
      }
      if (!sr.policies.empty()) {
        h5::Handle pol = h5::create_group(sg.get(), "policies");
        std::vector<std::string> mode;
        std::vector<double> mean, p50, neg, on;
        for (const auto& x : sr.policies) {
          mode.push_back(x.mode);
          mean.push_back(x.npv.mean);
          p50.push_back(x.npv.p50);
          neg.push_back(x.p_npv_negative);
          on.push_back(x.mean_days_on_share);
        }
        h5::write_strings(pol.get(), "mode", mode);
        h5::write_vector(pol.get(), "npv_mean_site_ccy", mean);
        h5::write_vector(pol.get(), "npv_p50_site_ccy", p50);
        h5::write_vector(pol.get(), "p_npv_negative", neg);
        h5::write_vector(pol.get(), "mean_days_on_share", on);
        io::schema::make_scale(pol.get(), "mode", "", "operating policy");
        io::schema::attach_dimensions(pol.get(), "npv_mean_site_ccy", {"mode"}, a.config.currency,
                                      "mean NPV over paths");
        io::schema::attach_dimensions(pol.get(), "npv_p50_site_ccy", {"mode"}, a.config.currency,
                                      "median NPV over paths");
        io::schema::attach_dimensions(pol.get(), "p_npv_negative", {"mode"}, "1",
                                      "probability that the NPV is negative");
        io::schema::attach_dimensions(pol.get(), "mean_days_on_share", {"mode"}, "1",
                                      "mean share of days the miners run");
      }
      if (!sr.tornado.empty()) {
        h5::Handle tg = h5::create_group(sg.get(), "tornado");
        std::vector<std::string> driver, lo_l, hi_l;
        std::vector<double> lo, hi;
        for (const auto& b : sr.tornado) {
          driver.push_back(b.driver);
          lo_l.push_back(b.low_label);
          hi_l.push_back(b.high_label);
          lo.push_back(b.npv_p50_low);
          hi.push_back(b.npv_p50_high);
        }
        h5::write_strings(tg.get(), "driver", driver);
        h5::write_strings(tg.get(), "low_label", lo_l);
        h5::write_strings(tg.get(), "high_label", hi_l);
        h5::write_vector(tg.get(), "npv_p50_low_site_ccy", lo);
        h5::write_vector(tg.get(), "npv_p50_high_site_ccy", hi);
        io::schema::make_scale(tg.get(), "driver", "", "sensitivity driver");
        for (const char* n : {"low_label", "high_label"})
          io::schema::attach_dimensions(tg.get(), n, {"driver"});
        io::schema::attach_dimensions(tg.get(), "npv_p50_low_site_ccy", {"driver"},
                                      a.config.currency,
                                      "median NPV with the driver at its low value");
        io::schema::attach_dimensions(tg.get(), "npv_p50_high_site_ccy", {"driver"},
                                      a.config.currency,
                                      "median NPV with the driver at its high value");
      }
      for (const auto& p : sr.plays) {
        h5::Handle pg = h5::create_group(sg.get(), p.key);
        h5::set_attr(pg.get(), "label", p.label);
        h5::set_attr(pg.get(), "available", static_cast<std::int64_t>(p.available));
        if (!p.available) {
          h5::set_attr(pg.get(), "reason", p.unavailable_reason);
          continue;
        }
        h5::set_attr(pg.get(), "capital_site_ccy", p.capital_site_ccy);
        h5::set_attr(pg.get(), "p_npv_negative", p.summary.p_npv_negative);
        h5::set_attr(pg.get(), "p_payback_never", p.summary.p_payback_never);
        h5::set_attr(pg.get(), "share_no_irr", p.summary.share_no_irr);
        h5::set_attr(pg.get(), "share_multiple_irr", p.summary.share_multiple_irr);
        write_matrix(pg.get(), "cashflows_site_ccy", p.cashflows, sr.n_paths,
                     static_cast<std::uint64_t>(sr.years) + 1);
        const PathMetrics& m = p.metrics;
        h5::write_vector(pg.get(), "npv_site_ccy", m.npv_site_ccy);
        h5::write_vector(pg.get(), "irr", m.irr);
        h5::write_vector(pg.get(), "irr_status",
                         std::vector<std::int64_t>(m.irr_status.begin(), m.irr_status.end()));
        h5::write_vector(pg.get(), "roic", m.roic);
        h5::write_vector(pg.get(), "mirr", m.mirr);
        h5::write_vector(pg.get(), "invested_site_ccy", p.invested_site_ccy);
        std::size_t max_roots = 1;
        for (const auto& rr : m.irr_roots) max_roots = std::max(max_roots, rr.size());
        std::vector<double> roots(sr.n_paths * max_roots, std::numeric_limits<double>::quiet_NaN());
        for (std::size_t i = 0; i < sr.n_paths; ++i)
          std::copy(m.irr_roots[i].begin(), m.irr_roots[i].end(),
                    roots.begin() + static_cast<std::ptrdiff_t>(i * max_roots));
        write_matrix(pg.get(), "irr_roots", roots, sr.n_paths, max_roots);
        h5::set_attr(pg.get(), "payback_applicable",
                     static_cast<std::int64_t>(p.payback_applicable));
        h5::set_attr(pg.get(), "npv_p5_var95", p.summary.risk.npv_p5);
        h5::set_attr(pg.get(), "expected_shortfall_5", p.summary.risk.expected_shortfall);
        h5::write_vector(pg.get(), "payback_years", m.payback_years);
        h5::write_vector(pg.get(), "discounted_payback_years", m.discounted_payback_years);
        describe_play(pg.get(), sr.n_paths, sr.years, max_roots, a.config.currency);
      }
    }
  });
}

}  // namespace hashsim::site
