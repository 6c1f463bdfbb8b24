#include "engine/report/site_view.h"

#include <algorithm>
#include <cmath>

#include "engine/io/hdf5.h"
#include "engine/io/schema.h"
#include "engine/report/json_numbers.h"
#include "engine/io/results_file.h"
#include "engine/util/error.h"

namespace hashsim::report {

namespace {
nlohmann::json bands_json(const Bands& b) {
  return {{"mean", json_numbers(b.mean)}, {"p5", json_numbers(b.p5)},
          {"p25", json_numbers(b.p25)},   {"p50", json_numbers(b.p50)},
          {"p75", json_numbers(b.p75)},   {"p95", json_numbers(b.p95)}};
}
nlohmann::json hist_json(const Histogram& h) {
  return {{"lo", json_number(h.lo)},
          {"hi", json_number(h.hi)},
          {"counts", h.counts},
          {"n_undefined", h.n_undefined}};
}
}  // namespace

SiteView site_view_from_run(const site::SiteRun& run) {
  SiteView v;
  v.summary = site::summary_json(run);
  v.discount_rate = run.analysis.config.discount_rate_per_year;
  v.grid_power_prices = run.analysis.selection.grid_power_prices_per_kwh;
  v.grid_cost_per_th_day = run.analysis.selection.grid_cost_per_th_day_site_ccy;
  v.grid_payback_days = run.analysis.selection.grid_payback_days;
  for (const auto& s : run.analysis.scenarios) {
    ScenarioPlays sp{s.scenario, s.n_paths, s.years, {}};
    for (const auto& p : s.plays)
      sp.plays.push_back({p.key, p.label, p.available, p.unavailable_reason, p.cashflows,
                          p.metrics.npv_site_ccy, p.metrics.irr});
    v.scenarios.push_back(std::move(sp));
  }
  return v;
}

SiteView read_site_view(const std::filesystem::path& site_h5) {
  h5::quiet_hdf5_errors();
  h5::Handle f = h5::open_file_readonly(site_h5.string());
  namespace sc = io::schema;
  if (!h5::exists(f.get(), sc::kSiteGroup))
    throw Error(site_h5.string() +
                ": no /site group (write one with hashsim site ... -o <file.h5>)");
  h5::Handle s = h5::open_group(f.get(), sc::kSiteGroup);
  // Before reading (issue 17.6): the schema version this reader knows.
  // Version 2 keeps the provenance on the root (io::schema::write_provenance); version 1 had it on
  // /site.
  const auto version = h5::get_int_attr(f.get(), io::schema::kAttrSchemaVersion)
                           ? h5::get_int_attr(f.get(), io::schema::kAttrSchemaVersion)
                           : h5::get_int_attr(s.get(), io::schema::kAttrSchemaVersion);
  if (version.value_or(-1) < 1 || *version > io::schema::kSiteVersion)
    throw Error(site_h5.string() + ": site schema_version is " +
                (version ? std::to_string(*version) : std::string("missing")) +
                "; this hashsim reads versions 1 to " + std::to_string(io::schema::kSiteVersion));
  SiteView v;
  const std::string summary = h5::get_string_attr(s.get(), sc::kAttrSummaryJson).value_or("{}");
  v.summary = nlohmann::json::parse(summary, nullptr, false);
  if (v.summary.is_discarded())
    throw Error(site_h5.string() + ": /site summary_json is not valid JSON");
  v.discount_rate = h5::get_double_attr(s.get(), sc::kAttrDiscountRate).value_or(0.0);
  const auto selection = [](const char* name) {
    return std::string(sc::kSiteSelectionGroup) + "/" + name;
  };
  if (h5::exists(s.get(), selection(sc::kDimGridPrice))) {
    v.grid_power_prices = h5::read_vector(s.get(), selection(sc::kDimGridPrice));
    v.grid_cost_per_th_day = h5::read_vector(s.get(), selection(sc::kSiteGridCost));
    v.grid_payback_days = h5::read_vector(s.get(), selection(sc::kSiteGridPayback));
  }
  if (!h5::exists(s.get(), sc::kScenariosGroup)) return v;
  h5::Handle sg = h5::open_group(s.get(), sc::kScenariosGroup);
  // Scenario order as in the summary (the site run's order), else the group listing.
  std::vector<std::string> names;
  if (v.summary.contains("scenarios") && v.summary["scenarios"].is_object())
    for (auto it = v.summary["scenarios"].begin(); it != v.summary["scenarios"].end(); ++it)
      names.push_back(it.key());
  if (names.empty()) names = h5::list_children(sg.get());
  for (const auto& name : names) {
    if (!h5::exists(sg.get(), name)) continue;
    h5::Handle g = h5::open_group(sg.get(), name);
    ScenarioPlays sp;
    sp.scenario = name;
    sp.n_paths = static_cast<std::size_t>(h5::get_int_attr(g.get(), sc::kAttrNPaths).value_or(0));
    sp.years = static_cast<int>(h5::get_int_attr(g.get(), sc::kAttrYears).value_or(0));
    for (const char* key : sc::kSitePlayKeys) {
      if (!h5::exists(g.get(), key)) continue;
      h5::Handle pg = h5::open_group(g.get(), key);
      PlayPaths p;
      p.key = key;
      p.label = h5::get_string_attr(pg.get(), sc::kAttrLabel).value_or(key);
      p.available = h5::get_int_attr(pg.get(), sc::kAttrAvailable).value_or(0) != 0;
      p.reason = h5::get_string_attr(pg.get(), sc::kAttrReason).value_or("");
      if (p.available) {
        p.cashflows = h5::read_vector(pg.get(), sc::kSiteCashflows);
        p.npv = h5::read_vector(pg.get(), sc::kSiteNpv);
        p.irr = h5::read_vector(pg.get(), sc::kSiteIrr);
        if (p.cashflows.size() != sp.n_paths * static_cast<std::size_t>(sp.years + 1))
          throw Error(site_h5.string() + ": /site/scenarios/" + name + "/" + key + "/" +
                      sc::kSiteCashflows + " has " + std::to_string(p.cashflows.size()) +
                      " values, expected paths x (years + 1)");
      }
      sp.plays.push_back(std::move(p));
    }
    v.scenarios.push_back(std::move(sp));
  }
  return v;
}

Bands year_bands(const std::vector<double>& x, std::size_t n_paths, int years) {
  Bands b;
  const auto W = static_cast<std::size_t>(years) + 1;
  std::vector<double> col;
  for (std::size_t t = 0; t < W; ++t) {
    col.clear();
    for (std::size_t p = 0; p < n_paths; ++p)
      if (std::isfinite(x[p * W + t])) col.push_back(x[p * W + t]);
    if (col.empty()) {
      const double nan = std::nan("");
      for (auto* v : {&b.p5, &b.p25, &b.p50, &b.p75, &b.p95, &b.mean}) v->push_back(nan);
      continue;
    }
    const io::SummaryStats st = io::summarize_samples(col);
    b.p5.push_back(st.p5);
    b.p25.push_back(st.p25);
    b.p50.push_back(st.p50);
    b.p75.push_back(st.p75);
    b.p95.push_back(st.p95);
    b.mean.push_back(st.mean);
  }
  return b;
}

std::vector<double> cumulative(const std::vector<double>& cf, std::size_t n_paths, int years,
                               double rate, bool discounted) {
  const auto W = static_cast<std::size_t>(years) + 1;
  std::vector<double> out(n_paths * W);
  for (std::size_t p = 0; p < n_paths; ++p) {
    double c = 0.0, factor = 1.0;
    for (std::size_t t = 0; t < W; ++t) {
      c += discounted ? cf[p * W + t] * factor : cf[p * W + t];
      factor /= 1.0 + rate;
      out[p * W + t] = c;
    }
  }
  return out;
}

Histogram histogram(const std::vector<double>& values, int bins) {
  Histogram h;
  bool any = false;
  for (double v : values) {
    if (!std::isfinite(v)) {
      ++h.n_undefined;
      continue;
    }
    if (!any) h.lo = h.hi = v;
    h.lo = std::min(h.lo, v);
    h.hi = std::max(h.hi, v);
    any = true;
  }
  if (!any) return h;
  h.counts.assign(static_cast<std::size_t>(bins), 0);
  const double width = (h.hi - h.lo) / bins;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    std::size_t k = width > 0 ? static_cast<std::size_t>((v - h.lo) / width) : 0;
    h.counts[std::min(k, h.counts.size() - 1)]++;
  }
  return h;
}

nlohmann::json site_view_json(const SiteView& v) {
  nlohmann::json scen = nlohmann::json::array();
  for (const auto& s : v.scenarios) {
    nlohmann::json plays = nlohmann::json::array();
    for (const auto& p : s.plays) {
      nlohmann::json j = {
          {"key", p.key}, {"label", p.label}, {"available", p.available}, {"reason", p.reason}};
      if (p.available) {
        j["annual"] = bands_json(year_bands(p.cashflows, s.n_paths, s.years));
        j["cumulative"] =
            bands_json(year_bands(cumulative(p.cashflows, s.n_paths, s.years), s.n_paths, s.years));
        j["discounted"] = bands_json(
            year_bands(cumulative(p.cashflows, s.n_paths, s.years, v.discount_rate, true),
                       s.n_paths, s.years));
        j["npv_hist"] = hist_json(histogram(p.npv));
        j["irr_hist"] = hist_json(histogram(p.irr));
      }
      plays.push_back(j);
    }
    scen.push_back(
        {{"scenario", s.scenario}, {"n_paths", s.n_paths}, {"years", s.years}, {"plays", plays}});
  }
  // The summary may carry NaN metrics (nlohmann writes them as null when dumping).
  return {{"summary", v.summary},
          {"discount_rate", v.discount_rate},
          {"selection_grid",
           {{"power_prices", json_numbers(v.grid_power_prices)},
            {"cost_per_th_day", json_numbers(v.grid_cost_per_th_day)},
            {"payback_days", json_numbers(v.grid_payback_days)}}},
          {"scenarios", scen}};
}

}  // namespace hashsim::report
