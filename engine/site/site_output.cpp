#include "engine/site/site_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/sha256.h"
#include "engine/util/version.h"

namespace hashsim::site {

namespace {

// ---- number formatting -------------------------------------------------------------------

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// 1234567.8 -> "1,234,568" (decimals after the point, thousands grouped)
std::string grouped(double v, int decimals = 0) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "never" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(v));
  std::string s(buf);
  const auto dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot);
  std::string out;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i && (whole.size() - i) % 3 == 0) out += ',';
    out += whole[i];
  }
  const bool negative = v < 0 && std::stod(buf) != 0.0;
  return (negative ? "-" : "") + out + frac;
}

std::string pct(double v, int decimals = 1) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return "never";
  return grouped(100.0 * v, decimals) + " %";
}

std::string years_text(double v) {
  if (std::isnan(v) || std::isinf(v)) return "never";
  return fmt("%.2f y", v);
}

std::string pad(const std::string& s, std::size_t w, bool left = false) {
  if (s.size() >= w) return s;
  return left ? s + std::string(w - s.size(), ' ') : std::string(w - s.size(), ' ') + s;
}

// ---- report pieces -----------------------------------------------------------------------

void inputs_section(std::string& o, const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  const SiteConfig& c = a.config;
  const std::string& ccy = c.currency;
  o += "hashsim site: " + c.name + " (" + c.file.string() + ") over " + r.results_file.string() + "\n";
  o += "  site power " + grouped(c.site_power_kw, 1) + " kW x load factor " + fmt("%.2f", c.load_factor) + " = " +
       grouped(c.site_power_kw * c.load_factor, 1) + " kW usable; power " + ccy + " " +
       fmt("%.4f", c.power_price_per_kwh) + "/kWh (" + pct(c.power_price_escalation_per_year) + " a year)\n";
  o += "  overhead power " + pct(c.overhead_power_fraction) + ", uptime " + pct(c.uptime_fraction) + ", pool fee " +
       pct(c.pool_fee_fraction) + ", other opex " + ccy + " " + grouped(c.other_opex_per_miner_per_year) +
       "/miner/year, hosting fee " + ccy + " " + grouped(c.hosting_fee_per_miner_per_month, 2) +
       "/miner/month, resale " + pct(c.resale_fraction) + " of capex" +
       (c.shutdown_when_unprofitable ? ", miners off in months that would lose money" : "") + "\n";
  o += "  discount rate " + pct(c.discount_rate_per_year) + " a year, horizon " + std::to_string(c.horizon_years) +
       " years of 365 days\n";
  o += "  FX " + fmt("%.5f", a.fx.usd_to_site) + " " + ccy + " per USD from " + a.fx.source;
  if (!a.fx.provider_time.empty()) o += ", provider time " + a.fx.provider_time;
  if (!a.fx.fetched_at.empty()) o += ", fetched " + a.fx.fetched_at;
  if (a.fx.stale) o += " (STALE)";
  o += "; held constant over the horizon\n";
  const ScenarioInfo& si = r.selection_info;
  o += "  data: scenario '" + si.name + "' starts " + si.start_date + " (" + si.start_source + "): BTC USD " +
       grouped(si.start_price_usd) + ", difficulty " + fmt("%.4g", si.start_difficulty) + ", network " +
       fmt("%.1f", si.start_network_hashrate_ths / 1e6) + " EH/s\n\n";
}

void selection_section(std::string& o, const Selection& s, const std::string& ccy, const std::string& title) {
  o += title + " (year 1 at " + ccy + " " + fmt("%.4f", s.power_price_per_kwh) + "/kWh; revenue USD " +
       fmt("%.5f", s.hashprice_usd_per_th_day) + " per TH/s per day)\n";
  o += "  " + pad("miner", 20, true) + pad("TH/s", 7) + pad("W", 7) + pad("J/TH", 6) + pad("price", 10) +
       pad("cost/day", 10) + pad("rev/day", 10) + pad("profit/day", 11) + pad("payback d", 10) +
       pad("breakeven " + ccy + "/kWh", 20) + "\n";
  for (std::size_t i = 0; i < s.miners.size(); ++i) {
    const MinerEconomics& e = s.miners[i];
    const bool chosen = s.chosen && *s.chosen == i;
    o += (chosen ? "* " : "  ") + pad(e.offer.name.substr(0, 19), 20, true) + pad(grouped(e.offer.hashrate_ths, 0), 7) +
         pad(grouped(e.offer.power_w, 0), 7) + pad(fmt("%.1f", e.offer.power_w / e.offer.hashrate_ths), 6) +
         pad(grouped(e.offer.price_site_ccy), 10) + pad(fmt("%.2f", e.cost_per_day_site_ccy), 10) +
         pad(fmt("%.2f", e.revenue_per_day_site_ccy), 10) + pad(fmt("%.2f", e.profit_per_day_site_ccy), 11) +
         pad(e.viable() ? grouped(e.payback_days) : "-", 10) + pad(fmt("%.4f", e.breakeven_power_price_per_kwh), 20) +
         "\n";
  }
  if (s.chosen) o += "  -> " + s.miners[*s.chosen].offer.name + ": " + s.reason + "\n\n";
  else o += "  -> " + s.reason + "\n\n";
}

void grid_section(std::string& o, const Selection& s, const std::string& ccy) {
  const std::size_t nm = s.miners.size();
  auto table = [&](const std::string& title, const std::vector<double>& v, bool payback) {
    o += title + "\n  " + pad("miner \\ " + ccy + "/kWh", 20, true);
    for (double p : s.grid_power_prices_per_kwh) o += pad(fmt("%.3f", p), 8);
    o += "\n";
    for (std::size_t m = 0; m < nm; ++m) {
      o += "  " + pad(s.miners[m].offer.name.substr(0, 19), 20, true);
      for (std::size_t g = 0; g < s.grid_power_prices_per_kwh.size(); ++g) {
        const double x = v[g * nm + m];
        o += pad(payback ? (std::isnan(x) ? "-" : grouped(x)) : fmt("%.4f", x), 8);
      }
      o += "\n";
    }
  };
  table("Cost per TH/s per day (" + ccy + ") by power price", s.grid_cost_per_th_day_site_ccy, false);
  table("Simple payback (days) by power price; '-' = loses money", s.grid_payback_days, true);
  o += "\n";
}

void build_section(std::string& o, const SiteBuild& b, const std::string& ccy, const std::string& scenario) {
  const Plant& p = b.plant;
  o += "Your site, daily performance (year 1, mean of scenario '" + scenario + "')\n";
  o += "  miners        " + grouped(static_cast<double>(p.n_miners)) + " x " + p.miner.name + " (" +
       fmt("%.3f", b.miner_power_kw_incl_overhead) + " kW each incl. overhead)\n";
  o += "  power         " + grouped(b.used_power_kw, 1) + " kW used of " + grouped(b.effective_power_kw, 1) +
       " kW usable (" + grouped(b.unused_power_kw, 1) + " kW unused)\n";
  o += "  hashrate      " + fmt("%.3f", p.hashrate_ths / 1e3) + " PH/s\n";
  o += "  energy        " + grouped(p.energy_kwh_per_day) + " kWh/day; power cost " + ccy + " " +
       grouped(b.power_cost_per_day_site_ccy) + "/day; other costs " + ccy + " " +
       grouped(b.other_cost_per_day_site_ccy) + "/day\n";
  o += "  capex         " + ccy + " " + grouped(p.capex_site_ccy) + "\n";
  o += "  revenue       " + ccy + " " + grouped(b.revenue_per_day_site_ccy) + "/day; gross profit " + ccy + " " +
       grouped(b.gross_profit_per_day_site_ccy) + "/day (" + ccy + " " +
       grouped(b.gross_profit_per_day_site_ccy * kDaysPerYear) + " a year)\n\n";
}

void scenario_section(std::string& o, const SiteRun& r, const ScenarioResult& s) {
  const SiteAnalysis& a = r.analysis;
  const std::string& ccy = a.config.currency;
  const auto W = static_cast<std::size_t>(s.years) + 1;
  const std::size_t mp = s.median_path;
  o += "Scenario '" + s.scenario + "' (" + grouped(static_cast<double>(s.n_paths)) + " paths)\n";
  std::vector<const PlayResult*> on;
  for (const auto& p : s.plays) {
    if (p.available) on.push_back(&p);
    else o += "  " + p.label + ": not evaluated: " + p.unavailable_reason + "\n";
  }
  if (on.empty()) {
    o += "\n";
    return;
  }
  o += "  Median path #" + std::to_string(mp) + " (its horizon-total revenue per TH is the median): cashflows, " +
       ccy + "\n";
  o += "  " + pad("year", 5);
  const PlayResult* site = on.front()->key == "site" ? on.front() : nullptr;
  if (site) o += pad("site revenue", 14) + pad("power+other", 14);
  for (const auto* p : on) o += pad(p->label + " CF", 14);
  if (site) o += pad("site cumul.", 14);
  o += "\n";
  double cum = 0.0;
  for (std::size_t t = 0; t < W; ++t) {
    o += "  " + pad(std::to_string(t), 5);
    if (site) {
      const YearLines& l = s.median_site_lines;
      o += pad(grouped(l.revenue[t]), 14) + pad(grouped(-(l.power[t] + l.other[t])), 14);
      cum += site->cashflows[mp * W + t];
    }
    for (const auto* p : on) o += pad(grouped(p->cashflows[mp * W + t]), 14);
    if (site) o += pad(grouped(cum), 14);
    o += "\n";
  }
  if (site && s.median_site_lines.resale > 0.0)
    o += "  (the site's year-" + std::to_string(s.years) + " CF includes the resale, " + ccy + " " +
         grouped(s.median_site_lines.resale) + ")\n";
  o += "  " + pad("on the median path", 28, true);
  for (const auto* p : on) o += pad(p->label, 14);
  o += "\n";
  auto row = [&](const std::string& name, auto get) {
    o += "  " + pad(name, 28, true);
    for (const auto* p : on) o += pad(get(*p), 14);
    o += "\n";
  };
  const std::string rate = pct(a.config.discount_rate_per_year, 0);
  row("NPV @ " + rate + " (" + ccy + ")", [&](const PlayResult& p) { return grouped(p.metrics.npv_site_ccy[mp]); });
  row("IRR", [&](const PlayResult& p) {
    const auto st = static_cast<IrrStatus>(p.metrics.irr_status[mp]);
    return st == IrrStatus::Unique ? pct(p.metrics.irr[mp]) : st == IrrStatus::Multiple ? "multiple" : "no IRR";
  });
  row("ROIC", [&](const PlayResult& p) { return pct(p.metrics.roic[mp]); });
  row("payback", [&](const PlayResult& p) { return years_text(p.metrics.payback_years[mp]); });
  row("discounted payback", [&](const PlayResult& p) { return years_text(p.metrics.discounted_payback_years[mp]); });

  o += "  Distribution over all paths\n";
  o += "  " + pad("metric", 22, true) + pad("play", 12, true) + pad("mean", 11) + pad("P5", 11) + pad("P25", 11) +
       pad("P50", 11) + pad("P75", 11) + pad("P95", 11) + "  note\n";
  auto dist = [&](const std::string& name, auto pick, auto show, auto note) {
    bool first = true;
    for (const auto* p : on) {
      const Distribution& d = pick(p->summary);
      o += "  " + pad(first ? name : "", 22, true) + pad(p->label, 12, true) + pad(show(d.mean), 11) +
           pad(show(d.p5), 11) + pad(show(d.p25), 11) + pad(show(d.p50), 11) + pad(show(d.p75), 11) +
           pad(show(d.p95), 11) + "  " + note(p->summary) + "\n";
      first = false;
    }
  };
  auto k = [](double v) { return grouped(v / 1e3); };
  auto none = [](const PlaySummary&) { return std::string(); };
  dist("NPV (k " + ccy + ")", [](const PlaySummary& x) -> const Distribution& { return x.npv; }, k,
       [](const PlaySummary& x) { return "P(NPV<0) " + pct(x.p_npv_negative); });
  dist("IRR (paths with one)", [](const PlaySummary& x) -> const Distribution& { return x.irr; },
       [](double v) { return pct(v); },
       [](const PlaySummary& x) {
         return "no IRR " + pct(x.share_no_irr) +
                (x.share_multiple_irr > 0 ? ", multiple " + pct(x.share_multiple_irr) : std::string());
       });
  dist("ROIC", [](const PlaySummary& x) -> const Distribution& { return x.roic; }, [](double v) { return pct(v); },
       none);
  dist("payback (years)", [](const PlaySummary& x) -> const Distribution& { return x.payback; },
       [](double v) { return std::isfinite(v) ? fmt("%.2f", v) : std::string("never"); },
       [](const PlaySummary& x) { return "never " + pct(x.p_payback_never) + " (mean: paths that pay back)"; });
  dist("disc. payback (years)", [](const PlaySummary& x) -> const Distribution& { return x.discounted_payback; },
       [](double v) { return std::isfinite(v) ? fmt("%.2f", v) : std::string("never"); },
       [](const PlaySummary& x) { return "never " + pct(x.p_discounted_payback_never); });
  o += "\n";
}

// ---- JSON pieces -------------------------------------------------------------------------

nlohmann::json dist_json(const Distribution& d) {
  return {{"mean", d.mean}, {"p5", d.p5},   {"p25", d.p25}, {"p50", d.p50},
          {"p75", d.p75},   {"p95", d.p95}, {"n", d.n},     {"n_defined", d.n_defined}};
}

nlohmann::json info_json(const ScenarioInfo& i) {
  nlohmann::json snap = nlohmann::json::parse(i.live_snapshot_json, nullptr, false);
  if (snap.is_discarded()) snap = i.live_snapshot_json;
  return {{"name", i.name},
          {"start_date", i.start_date},
          {"start_source", i.start_source},
          {"n_paths", i.n_paths},
          {"n_days", i.n_days},
          {"record_every_days", i.record_every_days},
          {"start_price_usd", i.start_price_usd},
          {"start_difficulty", i.start_difficulty},
          {"start_network_hashrate_ths", i.start_network_hashrate_ths},
          {"start_height", i.start_height},
          {"live_snapshot", snap}};
}

nlohmann::json config_json(const SiteConfig& c) {
  nlohmann::json j = {{"name", c.name},
                      {"site_power_kw", c.site_power_kw},
                      {"load_factor", c.load_factor},
                      {"currency", c.currency},
                      {"power_price_per_kwh", c.power_price_per_kwh},
                      {"power_price_escalation_per_year", c.power_price_escalation_per_year},
                      {"fx_usd_to_site", c.fx_usd_to_site ? nlohmann::json(*c.fx_usd_to_site) : nlohmann::json()},
                      {"fx_fallback_usd_to_site",
                       c.fx_fallback_usd_to_site ? nlohmann::json(*c.fx_fallback_usd_to_site) : nlohmann::json()},
                      {"discount_rate", c.discount_rate_per_year},
                      {"horizon_years", c.horizon_years},
                      {"selection_scenario", c.selection_scenario},
                      {"catalogue", c.catalogue_file.string()},
                      {"choose", c.forced_miner},
                      {"pool_fee", c.pool_fee_fraction},
                      {"uptime", c.uptime_fraction},
                      {"overhead_power_fraction", c.overhead_power_fraction},
                      {"other_opex_per_miner_per_year", c.other_opex_per_miner_per_year},
                      {"hosting_fee_per_miner_per_month", c.hosting_fee_per_miner_per_month},
                      {"resale_fraction", c.resale_fraction},
                      {"shutdown_when_unprofitable", c.shutdown_when_unprofitable},
                      {"hosted_price_per_kwh", c.hosted_price_per_kwh},
                      {"table_power_prices_per_kwh", c.table_power_prices_per_kwh}};
  return j;
}

nlohmann::json selection_json(const Selection& s) {
  nlohmann::json miners = nlohmann::json::array();
  for (const auto& e : s.miners)
    miners.push_back({{"name", e.offer.name},
                      {"hashrate_ths", e.offer.hashrate_ths},
                      {"power_w", e.offer.power_w},
                      {"price_site_ccy", e.offer.price_site_ccy},
                      {"cost_per_day_site_ccy", e.cost_per_day_site_ccy},
                      {"revenue_per_day_site_ccy", e.revenue_per_day_site_ccy},
                      {"profit_per_day_site_ccy", e.profit_per_day_site_ccy},
                      {"payback_days", e.payback_days},
                      {"breakeven_power_price_per_kwh", e.breakeven_power_price_per_kwh}});
  return {{"hashprice_usd_per_th_day", s.hashprice_usd_per_th_day},
          {"power_price_per_kwh", s.power_price_per_kwh},
          {"chosen", s.chosen ? nlohmann::json(s.miners[*s.chosen].offer.name) : nlohmann::json()},
          {"reason", s.reason},
          {"miners", miners}};
}

nlohmann::json plant_json(const Plant& p) {
  return {{"miner", p.miner.name},          {"n_miners", p.n_miners},
          {"hashrate_ths", p.hashrate_ths}, {"energy_kwh_per_day", p.energy_kwh_per_day},
          {"capex_site_ccy", p.capex_site_ccy}, {"fixed_cost_per_year_site_ccy", p.fixed_cost_per_year_site_ccy},
          {"power_price_per_kwh", p.terms.power_price_per_kwh}};
}

// ---- HDF5 pieces -------------------------------------------------------------------------

void write_matrix(hid_t parent, const std::string& name, const std::vector<double>& v, std::uint64_t rows,
                  std::uint64_t cols) {
  h5::Handle ds = h5::create_array(parent, name, {rows, cols}, {std::min<std::uint64_t>(rows, 4096), cols}, 4);
  if (rows && cols) h5::write_rows(ds.get(), 0, rows, v.data());
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
  h5::set_attr(g.get(), "hashprice_usd_per_th_day", s.hashprice_usd_per_th_day);
  h5::set_attr(g.get(), "power_price_per_kwh", s.power_price_per_kwh);
  h5::set_attr(g.get(), "chosen", s.chosen ? s.miners[*s.chosen].offer.name : std::string());
  h5::set_attr(g.get(), "reason", s.reason);
}

}  // namespace

SiteRun run_site(const SiteConfig& c, const std::filesystem::path& results_file, std::vector<std::string> names,
                 std::string command_line) {
  h5::quiet_hdf5_errors();
  h5::Handle f = h5::open_file_readonly(results_file.string());
  io::check_results_schema(f.get(), results_file.string());  // shapes and types before any read
  const auto present = list_scenarios(f.get());
  auto has = [&](const std::string& n) { return std::find(present.begin(), present.end(), n) != present.end(); };
  if (names.empty()) {
    if (has("base") && has("bull") && has("bear")) names = {"base", "bull", "bear"};
    else names = present;
  }
  SiteRun run;
  run.results_file = results_file;
  run.command_line = std::move(command_line);
  run.selection_info = read_scenario_info(f.get(), c.selection_scenario);
  const FxRate fx = resolve_fx(c, run.selection_info);
  run.offers = miner_offers(c, fx.usd_to_site);
  std::map<std::string, MarketPaths> paths;
  paths.emplace(c.selection_scenario, read_market_paths(f.get(), c.selection_scenario, c.horizon_years));
  std::vector<const MarketPaths*> order;
  for (const auto& n : names) {
    if (!paths.count(n)) paths.emplace(n, read_market_paths(f.get(), n, c.horizon_years));
    run.scenario_infos.push_back(read_scenario_info(f.get(), n));
    order.push_back(&paths.at(n));
  }
  run.analysis = analyse_site(c, fx, run.offers, paths.at(c.selection_scenario), order);
  return run;
}

std::string format_report(const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  const std::string& ccy = a.config.currency;
  std::string o;
  inputs_section(o, r);
  selection_section(o, a.selection, ccy, "How we chose your miner");
  grid_section(o, a.selection, ccy);
  if (a.site) build_section(o, *a.site, ccy, a.selection_scenario);
  else o += "Your site: NOT BUILT: " + a.selection.reason + "\n\n";
  if (a.hosted)
    o += "Hosted alternative: " + grouped(static_cast<double>(a.hosted->n_miners)) + " x " + a.hosted->miner.name +
         " at an all-in " + ccy + " " + fmt("%.4f", a.config.hosted_price_per_kwh) + "/kWh, capex " + ccy + " " +
         grouped(a.hosted->capex_site_ccy) + "\n";
  o += "Buy-BTC alternative: the site capex in BTC on day 0, plus each month's site power bill in BTC at month end\n\n";
  for (const auto& s : a.scenarios) scenario_section(o, r, s);
  o += "Notes: cashflows fall at year ends; revenue uses each path's daily hashprice (halvings, fees and difficulty "
       "included), FX constant at the rate above; IRR searched on (-99 %, +1000 %), 'no IRR' when NPV has no root "
       "there, 'multiple' when it has several. Formulas: scenarios/README-site.md.\n";
  return o;
}

nlohmann::json summary_json(const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  nlohmann::json j;
  j["schema"] = 1;
  j["tool"] = "hashsim site";
  j["hashsim_version"] = kVersion;
  j["git_sha"] = kGitSha;
  j["created_utc"] = utc_now_iso8601();
  j["command_line"] = r.command_line;
  j["inputs"] = {{"site_file", a.config.file.string()},
                 {"site_yaml", a.config.yaml_text},
                 {"site_yaml_sha256", sha256_hex(a.config.yaml_text)},
                 {"site", config_json(a.config)},
                 {"results_file", r.results_file.string()}};
  nlohmann::json offers = nlohmann::json::array();
  for (const auto& m : r.offers)
    offers.push_back({{"name", m.name}, {"hashrate_ths", m.hashrate_ths}, {"power_w", m.power_w},
                      {"price_site_ccy", m.price_site_ccy}});
  j["inputs"]["miners_offered"] = offers;
  j["data_snapshot"] = info_json(r.selection_info);
  j["data_snapshot"]["fx"] = {{"usd_to_site", a.fx.usd_to_site}, {"currency", a.config.currency},
                              {"source", a.fx.source},           {"provider_time", a.fx.provider_time},
                              {"fetched_at", a.fx.fetched_at},   {"stale", a.fx.stale},
                              {"held_constant", true}};
  j["selection"] = selection_json(a.selection);
  if (a.site) {
    const SiteBuild& b = *a.site;
    j["site"] = plant_json(b.plant);
    j["site"].update({{"effective_power_kw", b.effective_power_kw},
                      {"used_power_kw", b.used_power_kw},
                      {"unused_power_kw", b.unused_power_kw},
                      {"revenue_per_day_site_ccy", b.revenue_per_day_site_ccy},
                      {"power_cost_per_day_site_ccy", b.power_cost_per_day_site_ccy},
                      {"other_cost_per_day_site_ccy", b.other_cost_per_day_site_ccy},
                      {"gross_profit_per_day_site_ccy", b.gross_profit_per_day_site_ccy}});
  } else {
    j["site"] = nullptr;
  }
  j["hosted"] = a.hosted ? plant_json(*a.hosted) : nlohmann::json();
  nlohmann::json sc = nlohmann::json::object();
  for (std::size_t i = 0; i < a.scenarios.size(); ++i) {
    const ScenarioResult& s = a.scenarios[i];
    nlohmann::json plays = nlohmann::json::object();
    const auto W = static_cast<std::size_t>(s.years) + 1;
    for (const auto& p : s.plays) {
      if (!p.available) {
        plays[p.key] = {{"available", false}, {"reason", p.unavailable_reason}};
        continue;
      }
      const PlaySummary& x = p.summary;
      std::vector<double> median_cf(p.cashflows.begin() + static_cast<std::ptrdiff_t>(s.median_path * W),
                                    p.cashflows.begin() + static_cast<std::ptrdiff_t>((s.median_path + 1) * W));
      plays[p.key] = {{"available", true},
                      {"capital_site_ccy", p.capital_site_ccy},
                      {"median_path_cashflows_site_ccy", median_cf},
                      {"npv_site_ccy", dist_json(x.npv)},
                      {"irr", dist_json(x.irr)},
                      {"roic", dist_json(x.roic)},
                      {"payback_years", dist_json(x.payback)},
                      {"discounted_payback_years", dist_json(x.discounted_payback)},
                      {"share_no_irr", x.share_no_irr},
                      {"share_multiple_irr", x.share_multiple_irr},
                      {"p_npv_negative", x.p_npv_negative},
                      {"p_payback_never", x.p_payback_never},
                      {"p_discounted_payback_never", x.p_discounted_payback_never}};
    }
    sc[s.scenario] = {{"n_paths", s.n_paths}, {"median_path", s.median_path}, {"data", info_json(r.scenario_infos[i])},
                      {"plays", plays}};
  }
  j["scenarios"] = sc;
  return j;
}

void write_site_hdf5(const SiteRun& r, const std::filesystem::path& path, Overwrite mode) {
  const SiteAnalysis& a = r.analysis;
  h5::quiet_hdf5_errors();
  AtomicOutput out(path, mode);
  {
    h5::Handle f = h5::create_file(out.partial_path().string());
    h5::Handle g = h5::create_group(f.get(), "site");
    const hid_t s = g.get();
    h5::set_attr(s, "schema_version", std::int64_t{1});
    h5::set_attr(s, "hashsim_version", std::string(kVersion));
    h5::set_attr(s, "git_sha", std::string(kGitSha));
    h5::set_attr(s, "created_utc", utc_now_iso8601());
    h5::set_attr(s, "command_line", r.command_line);
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
      h5::set_attr(b.get(), "capex_site_ccy", x.plant.capex_site_ccy);
      h5::set_attr(b.get(), "revenue_per_day_site_ccy", x.revenue_per_day_site_ccy);
      h5::set_attr(b.get(), "gross_profit_per_day_site_ccy", x.gross_profit_per_day_site_ccy);
    }
    for (const auto& sr : a.scenarios) {
      h5::Handle sg = h5::create_group(s, "scenarios/" + sr.scenario);
      h5::set_attr(sg.get(), "n_paths", static_cast<std::int64_t>(sr.n_paths));
      h5::set_attr(sg.get(), "years", static_cast<std::int64_t>(sr.years));
      h5::set_attr(sg.get(), "median_path", static_cast<std::int64_t>(sr.median_path));
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
        write_matrix(pg.get(), "cashflows_site_ccy", p.cashflows, sr.n_paths, static_cast<std::uint64_t>(sr.years) + 1);
        const PathMetrics& m = p.metrics;
        h5::write_vector(pg.get(), "npv_site_ccy", m.npv_site_ccy);
        h5::write_vector(pg.get(), "irr", m.irr);
        h5::write_vector(pg.get(), "irr_status", std::vector<std::int64_t>(m.irr_status.begin(), m.irr_status.end()));
        h5::write_vector(pg.get(), "roic", m.roic);
        h5::write_vector(pg.get(), "payback_years", m.payback_years);
        h5::write_vector(pg.get(), "discounted_payback_years", m.discounted_payback_years);
      }
    }
    h5::close_file(f, out.partial_path().string());  // a failed flush or close must not be renamed into place
  }
  out.commit();
}

}  // namespace hashsim::site
