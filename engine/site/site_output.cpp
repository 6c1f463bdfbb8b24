#include "engine/site/site_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/io/schema.h"
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

std::string k_text(double v) { return grouped(v / 1e3) + "k"; }

void inputs_section(std::string& o, const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  const SiteConfig& c = a.config;
  const std::string& ccy = c.currency;
  o += "hashsim site: " + c.name + " (" + c.file.string() + ") over " + r.results_file.string() + "\n";
  std::string used;
  for (const auto& s : a.scenarios) used += (used.empty() ? "" : ", ") + s.scenario;
  o += "  scenarios analysed: " + used + " (miner chosen on '" + a.selection_scenario + "')\n";
  o += "  site power " + grouped(c.site_power_kw, 1) + " kW x load factor " + fmt("%.2f", c.load_factor) + " = " +
       grouped(c.site_power_kw * c.load_factor, 1) + " kW usable; power " + ccy + " " +
       fmt("%.4f", c.power_price_per_kwh) + "/kWh (" + pct(c.power_price_escalation_per_year) + " a year)";
  if (c.tariff.peak_hours_per_day > 0)
    o += "; peak " + fmt("%.1f", c.tariff.peak_hours_per_day) + " h/day at " + ccy + " " +
         fmt("%.4f", c.tariff.peak_price_per_kwh) + "/kWh";
  o += "\n";
  o += "  overhead power " + pct(c.overhead_power_fraction) + ", uptime " + pct(c.uptime_fraction) + ", pool fee " +
       pct(c.pool_fee_fraction) + ", other opex " + ccy + " " + grouped(c.other_opex_per_miner_per_year) +
       "/miner/year, hosting fee " + ccy + " " + grouped(c.hosting_fee_per_miner_per_month, 2) +
       "/miner/month, resale " + pct(c.resale_fraction) + " of miner capex\n";
  const auto& pol = c.policy;
  if (pol.mode == "daily")
    o += "  operating policy: daily; curtail when the expected margin (mean hashprice of the last " +
         std::to_string(pol.trailing_days) + " days, today's power price) is below " + ccy + " " +
         fmt("%.2f", pol.threshold_per_mwh) + "/MWh for " + std::to_string(pol.days_before_off) +
         " days; restart after " + std::to_string(pol.days_before_on) + " days above, at " + ccy + " " +
         fmt("%.2f", pol.restart_cost_per_miner) + "/miner\n";
  else
    o += "  operating policy: always on (never curtails)\n";
  if (c.infrastructure.capex_per_kw > 0)
    o += "  infrastructure " + ccy + " " + grouped(c.infrastructure.capex_per_kw) + "/kW built, straight-line over " +
         fmt("%.0f", c.infrastructure.life_years) + " years, " + pct(c.infrastructure.recovery_of_book_value) +
         " of book value recovered at the horizon\n";
  const auto& fin = c.financing;
  if (fin.debt_share > 0)
    o += "  financing: debt " + pct(fin.debt_share) + " of capex at " + pct(fin.interest_rate) + " over " +
         std::to_string(fin.term_years) + " years (" + fin.amortisation + ")\n";
  if (c.tax.enabled)
    o += "  corporation tax " + pct(c.tax.rate) + ", first-year allowance " + pct(c.tax.first_year_allowance) +
         ", writing-down " + pct(c.tax.writing_down_rate) + " a year, losses carried forward\n";
  o += "  discount rate " + pct(c.discount_rate_per_year) + " a year, horizon " + std::to_string(c.horizon_years) +
       " years of 365 days\n";
  o += "  FX " + fmt("%.5f", a.fx.usd_to_site) + " " + ccy + " per USD from " + a.fx.source;
  if (!a.fx.provider_time.empty()) o += ", provider time " + a.fx.provider_time;
  if (!a.fx.fetched_at.empty()) o += ", fetched " + a.fx.fetched_at;
  if (a.fx.stale) o += " (STALE)";
  if (c.fx_model.model == "gbm")
    o += "; day 0 only: then a GBM path, vol " + pct(c.fx_model.vol_per_sqrt_year) + ", correlation with BTC " +
         fmt("%.2f", c.fx_model.correlation_with_btc) + "\n";
  else
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
       pad("breakeven " + ccy + "/kWh", 20) + pad("n fit", 7) + pad("NPV P50", 12) + pad("P(NPV>0)", 10) + "\n";
  for (std::size_t i = 0; i < s.miners.size(); ++i) {
    const MinerEconomics& e = s.miners[i];
    const bool chosen = s.chosen && *s.chosen == i;
    o += (chosen ? "* " : "  ") + pad(e.offer.name.substr(0, 19), 20, true) + pad(grouped(e.offer.hashrate_ths, 0), 7) +
         pad(grouped(e.offer.power_w, 0), 7) + pad(fmt("%.1f", e.offer.power_w / e.offer.hashrate_ths), 6) +
         pad(grouped(e.offer.price_site_ccy), 10) + pad(fmt("%.2f", e.cost_per_day_site_ccy), 10) +
         pad(fmt("%.2f", e.revenue_per_day_site_ccy), 10) + pad(fmt("%.2f", e.profit_per_day_site_ccy), 11) +
         pad(e.viable() ? grouped(e.payback_days) : "-", 10) + pad(fmt("%.4f", e.breakeven_power_price_per_kwh), 20) +
         pad(grouped(static_cast<double>(e.n_fit)), 7) + pad(e.n_fit > 0 ? k_text(e.npv_p50_site_ccy) : "-", 12) +
         pad(e.n_fit > 0 ? pct(e.prob_npv_positive) : "-", 10) + "\n";
  }
  o += "  (NPV P50 and P(NPV>0): over the whole horizon of the selection scenario, with as many of that miner as\n"
       "   the site takes, under the operating policy; payback: year-1 revenue only, blind to the halving)\n";
  if (s.chosen) o += "  -> " + s.miners[*s.chosen].offer.name + " (criterion " + s.criterion + "): " + s.reason + "\n\n";
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
  o += "  capex         " + ccy + " " + grouped(p.capex_total()) + " (miners " + grouped(p.capex_miners_site_ccy) +
       ", infrastructure " + grouped(p.capex_infra_site_ccy) + ")\n";
  o += "  revenue       " + ccy + " " + grouped(b.revenue_per_day_site_ccy) + "/day; gross profit " + ccy + " " +
       grouped(b.gross_profit_per_day_site_ccy) + "/day (" + ccy + " " +
       grouped(b.gross_profit_per_day_site_ccy * kDaysPerYear) + " a year), always on at year-1 revenue\n\n";
}

std::string irr_text(const PathMetrics& m, std::size_t i) {
  const auto st = static_cast<IrrStatus>(m.irr_status[i]);
  if (st == IrrStatus::Unique) return pct(m.irr[i]);
  if (st == IrrStatus::NoRoot) return "none";
  std::string t;
  for (double x : m.irr_roots[i]) t += (t.empty() ? "" : "|") + pct(x, 0);
  return t;
}

void scenario_section(std::string& o, const SiteRun& r, const ScenarioResult& s) {
  const SiteAnalysis& a = r.analysis;
  const std::string& ccy = a.config.currency;
  const auto W = static_cast<std::size_t>(s.years) + 1;
  const std::size_t mp = s.median_path;
  const std::size_t cw = 13;
  o += "Scenario '" + s.scenario + "' (" + grouped(static_cast<double>(s.n_paths)) + " paths)\n";
  for (const auto& w : s.warnings) o += "  WARNING: " + w + "\n";
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
  if (site) o += pad("site revenue", cw) + pad("site costs", cw);
  for (const auto* p : on) o += pad(p->label, cw);
  if (site) o += pad("site cumul.", cw);
  o += "\n";
  double cum = 0.0;
  for (std::size_t t = 0; t < W; ++t) {
    o += "  " + pad(std::to_string(t), 5);
    if (site) {
      const YearLines& l = s.median_site_lines;
      o += pad(grouped(l.revenue[t]), cw) + pad(grouped(-(l.power[t] + l.other[t] + l.restart[t])), cw);
      cum += site->cashflows[mp * W + t];
    }
    for (const auto* p : on) o += pad(grouped(p->cashflows[mp * W + t]), cw);
    if (site) o += pad(grouped(cum), cw);
    o += "\n";
  }
  if (site) {
    const YearLines& l = s.median_site_lines;
    o += "  (site: ran " + fmt("%.1f", 100.0 * l.days_on / (365.0 * s.years)) + " % of days, " +
         std::to_string(l.restarts) + " restarts; its year-" + std::to_string(l.resale_year) + " CF includes " + ccy +
         " " + grouped(l.resale) + " resale and recovered infrastructure)\n";
  }
  o += "  " + pad("on the median path", 24, true);
  for (const auto* p : on) o += pad(p->label, cw);
  o += "\n";
  auto row = [&](const std::string& name, auto get) {
    o += "  " + pad(name, 24, true);
    for (const auto* p : on) o += pad(get(*p), cw);
    o += "\n";
  };
  const std::string rate = pct(a.config.discount_rate_per_year, 0);
  row("NPV @ " + rate + " (" + ccy + ")", [&](const PlayResult& p) { return grouped(p.metrics.npv_site_ccy[mp]); });
  row("IRR (all roots)", [&](const PlayResult& p) { return irr_text(p.metrics, mp); });
  row("MIRR @ " + rate, [&](const PlayResult& p) { return pct(p.metrics.mirr[mp]); });
  row("ROIC", [&](const PlayResult& p) { return pct(p.metrics.roic[mp]); });
  row("payback", [&](const PlayResult& p) {
    return p.payback_applicable ? years_text(p.metrics.payback_years[mp]) : std::string("n/a");
  });
  row("discounted payback", [&](const PlayResult& p) {
    return p.payback_applicable ? years_text(p.metrics.discounted_payback_years[mp]) : std::string("n/a");
  });

  o += "  Distribution over all paths\n";
  o += "  " + pad("metric", 22, true) + pad("play", 13, true) + pad("mean", 11) + pad("P5", 11) + pad("P25", 11) +
       pad("P50", 11) + pad("P75", 11) + pad("P95", 11) + "  note\n";
  auto dist = [&](const std::string& name, auto pick, auto show, auto note, bool only_payback = false) {
    bool first = true;
    for (const auto* p : on) {
      if (only_payback && !p->payback_applicable) continue;
      const Distribution& d = pick(p->summary);
      o += "  " + pad(first ? name : "", 22, true) + pad(p->label, 13, true) + pad(show(d.mean), 11) +
           pad(show(d.p5), 11) + pad(show(d.p25), 11) + pad(show(d.p50), 11) + pad(show(d.p75), 11) +
           pad(show(d.p95), 11) + "  " + note(*p) + "\n";
      first = false;
    }
  };
  auto k = [](double v) { return grouped(v / 1e3); };
  auto none = [](const PlayResult&) { return std::string(); };
  dist("NPV (k " + ccy + ")", [](const PlaySummary& x) -> const Distribution& { return x.npv; }, k,
       [&](const PlayResult& p) {
         return "P(NPV<0) " + pct(p.summary.p_npv_negative) + ", ES5 " + k(p.summary.risk.expected_shortfall) + "k";
       });
  dist("IRR (paths with one)", [](const PlaySummary& x) -> const Distribution& { return x.irr; },
       [](double v) { return pct(v); },
       [](const PlayResult& p) {
         return "no root " + pct(p.summary.share_no_irr) + ", several " + pct(p.summary.share_multiple_irr);
       });
  dist("MIRR @ " + rate, [](const PlaySummary& x) -> const Distribution& { return x.mirr; },
       [](double v) { return pct(v); }, none);
  dist("ROIC", [](const PlaySummary& x) -> const Distribution& { return x.roic; }, [](double v) { return pct(v); },
       [](const PlayResult& p) {
         return p.roic_basis == RoicBasis::MinerCapex ? std::string("mean CF_t / miner capex")
                                                      : std::string("gain / year / money invested");
       });
  dist("money invested (k)", [](const PlaySummary& x) -> const Distribution& { return x.invested; }, k, none);
  dist("payback (years)", [](const PlaySummary& x) -> const Distribution& { return x.payback; },
       [](double v) { return std::isnan(v) ? std::string("n/a") : std::isfinite(v) ? fmt("%.2f", v) : std::string("never"); },
       [](const PlayResult& p) { return "never " + pct(p.summary.p_payback_never) + " (mean: paths that pay back)"; },
       true);
  dist("disc. payback (years)", [](const PlaySummary& x) -> const Distribution& { return x.discounted_payback; },
       [](double v) { return std::isnan(v) ? std::string("n/a") : std::isfinite(v) ? fmt("%.2f", v) : std::string("never"); },
       [](const PlayResult& p) { return "never " + pct(p.summary.p_discounted_payback_never); }, true);
  std::string no_payback;
  for (const auto* p : on)
    if (!p->payback_applicable) no_payback += (no_payback.empty() ? "" : ", ") + p->label;
  if (!no_payback.empty()) o += "  payback n/a for " + no_payback + ": no inflow before the sale at the horizon\n";
  o += "  Risk (NPV): VaR 95 % = P5, expected shortfall = mean of the worst 5 %, P(loss) = P(NPV < 0)\n";
  for (const auto* p : on)
    o += "    " + pad(p->label, 13, true) + " P5 " + pad(k(p->summary.risk.npv_p5), 9) + "k  ES " +
         pad(k(p->summary.risk.expected_shortfall), 9) + "k  P(loss) " + pct(p->summary.risk.p_loss) + "\n";
  if (!s.policies.empty()) {
    o += "  Operating policy (site NPV, " + ccy + ")      mean NPV   P50 NPV  P(NPV<0)  days on\n";
    for (const auto& pr : s.policies)
      o += "    " + pad(pr.mode, 30, true) + pad(k(pr.npv.mean) + "k", 10) + pad(k(pr.npv.p50) + "k", 10) +
           pad(pct(pr.p_npv_negative), 10) + pad(pct(pr.mean_days_on_share), 9) + "\n";
    const PolicyResult* always = nullptr;
    const PolicyResult* daily = nullptr;
    const PolicyResult* pf = nullptr;
    for (const auto& pr : s.policies) {
      if (pr.mode == "always on") always = &pr;
      if (pr.mode == "daily policy") daily = &pr;
      if (pr.mode == "perfect foresight") pf = &pr;
    }
    if (always && pf) {
      o += "    value of curtailment (mean NPV vs always on): ";
      if (daily) o += "daily policy " + grouped(daily->npv.mean - always->npv.mean) + ", ";
      o += "perfect-foresight bound " + grouped(pf->npv.mean - always->npv.mean) + " " + ccy + "\n";
    }
  }
  if (s.breakeven.found)
    o += "  Breakeven (median NPV = 0, network held fixed): revenue x " + fmt("%.3f", s.breakeven.revenue_factor) +
         " = BTC USD " + grouped(s.breakeven.btc_price_usd_day0) + " on day 0 (each path scaled), hashprice USD " +
         fmt("%.5f", s.breakeven.hashprice_usd_per_th_day) + "/TH/s/day over the horizon\n";
  else if (site)
    o += "  Breakeven: none found for revenue x 0 .. 1024\n";
  if (!s.tornado.empty()) {
    o += "  Sensitivity of the median site NPV (k " + ccy + ", centre " + k(s.npv_p50_base) + "k)\n";
    for (const auto& b : s.tornado)
      o += "    " + pad(b.driver, 26, true) + pad(b.low_label, 9) + " " + pad(k(b.npv_p50_low), 9) + "  |  " +
           pad(b.high_label, 9) + " " + pad(k(b.npv_p50_high), 9) + "   swing " +
           k(std::fabs(b.npv_p50_high - b.npv_p50_low)) + "\n";
  }
  o += "\n";
}

// ---- JSON pieces -------------------------------------------------------------------------

// JSON has no NaN or infinity: a value that is not defined ("n/a": no IRR, nothing to summarise)
// is null; +infinity ("never": no payback within the horizon, as a quantile) is the string "never".
nlohmann::json num(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "never" : "-inf";
  return v;
}

nlohmann::json dist_json(const Distribution& d) {
  return {{"mean", num(d.mean)}, {"p5", num(d.p5)},   {"p25", num(d.p25)}, {"p50", num(d.p50)},
          {"p75", num(d.p75)},   {"p95", num(d.p95)}, {"n", d.n},          {"n_defined", d.n_defined}};
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
                      {"selection_criterion", c.selection_criterion},
                      {"operating_policy", {{"mode", c.policy.mode}, {"trailing_days", c.policy.trailing_days},
                                            {"threshold_per_mwh", c.policy.threshold_per_mwh},
                                            {"days_before_off", c.policy.days_before_off},
                                            {"days_before_on", c.policy.days_before_on},
                                            {"restart_cost_per_miner", c.policy.restart_cost_per_miner}}},
                      {"tariff", {{"peak_hours_per_day", c.tariff.peak_hours_per_day},
                                  {"peak_price_per_kwh", c.tariff.peak_price_per_kwh}}},
                      {"hosted", {{"price_per_kwh", c.hosted.price_per_kwh},
                                  {"uptime_guarantee", c.hosted.uptime_guarantee ? nlohmann::json(*c.hosted.uptime_guarantee)
                                                                                  : nlohmann::json()},
                                  {"setup_fee_per_miner", c.hosted.setup_fee_per_miner},
                                  {"term_years", c.hosted.term_years}}},
                      {"infrastructure", {{"capex_per_kw", c.infrastructure.capex_per_kw},
                                          {"life_years", c.infrastructure.life_years},
                                          {"recovery_of_book_value", c.infrastructure.recovery_of_book_value}}},
                      {"financing", {{"debt_share", c.financing.debt_share},
                                     {"interest_rate", c.financing.interest_rate},
                                     {"term_years", c.financing.term_years},
                                     {"amortisation", c.financing.amortisation}}},
                      {"tax", {{"enabled", c.tax.enabled}, {"corporation_tax_rate", c.tax.rate},
                               {"first_year_allowance", c.tax.first_year_allowance},
                               {"writing_down_rate", c.tax.writing_down_rate}}},
                      {"tradfi", {{"bond_yield", c.tradfi.bond_yield},
                                  {"equity_expected_return", c.tradfi.equity_expected_return},
                                  {"equity_vol", c.tradfi.equity_vol}}},
                      {"fx_model", {{"model", c.fx_model.model}, {"vol_per_sqrt_year", c.fx_model.vol_per_sqrt_year},
                                    {"correlation_with_btc", c.fx_model.correlation_with_btc}}},
                      {"sensitivity", {{"power_price", c.sensitivity.power_price},
                                       {"btc_price", c.sensitivity.btc_price},
                                       {"hashrate_growth_per_year", c.sensitivity.hashrate_growth_per_year},
                                       {"capex", c.sensitivity.capex},
                                       {"discount_rate", c.sensitivity.discount_rate}}},
                      {"seed", c.seed},
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
                      {"payback_days", num(e.payback_days)},
                      {"breakeven_power_price_per_kwh", e.breakeven_power_price_per_kwh},
                      {"n_fit", e.n_fit},
                      {"npv_p50_site_ccy", num(e.npv_p50_site_ccy)},
                      {"prob_npv_positive", num(e.prob_npv_positive)}});
  return {{"hashprice_usd_per_th_day", s.hashprice_usd_per_th_day},
          {"power_price_per_kwh", s.power_price_per_kwh},
          {"criterion", s.criterion},
          {"chosen", s.chosen ? nlohmann::json(s.miners[*s.chosen].offer.name) : nlohmann::json()},
          {"reason", s.reason},
          {"miners", miners}};
}

nlohmann::json plant_json(const Plant& p) {
  return {{"miner", p.miner.name},          {"n_miners", p.n_miners},
          {"hashrate_ths", p.hashrate_ths}, {"energy_kwh_per_day", p.energy_kwh_per_day},
          {"capex_site_ccy", p.capex_total()},
          {"capex_miners_site_ccy", p.capex_miners_site_ccy},
          {"capex_infrastructure_site_ccy", p.capex_infra_site_ccy},
          {"setup_fees_site_ccy", p.setup_fees_site_ccy},
          {"fixed_cost_per_year_site_ccy", p.fixed_cost_per_year_site_ccy},
          {"power_price_per_kwh", p.terms.power_price_per_kwh},
          {"uptime", p.terms.uptime_fraction},
          {"operating_years", p.operating_years}};
}

// ---- HDF5 pieces -------------------------------------------------------------------------

void write_matrix(hid_t parent, const std::string& name, const std::vector<double>& v, std::uint64_t rows,
                  std::uint64_t cols) {
  h5::Handle ds = h5::create_array(parent, name, {rows, cols}, {std::min<std::uint64_t>(rows, 4096), cols}, 4);
  if (rows && cols) h5::write_rows(ds.get(), 0, rows, v.data());
}

// Dimension scales and CF attributes of one play's per-path metrics.
void describe_play(hid_t pg, std::size_t n_paths, int years, std::size_t max_roots, const std::string& currency) {
  namespace schema = io::schema;
  schema::write_index_dimension(pg, schema::kDimPath, n_paths, "Monte Carlo path");
  std::vector<std::int64_t> year(static_cast<std::size_t>(years) + 1);
  for (std::size_t y = 0; y < year.size(); ++y) year[y] = static_cast<std::int64_t>(y);
  schema::write_dimension(pg, schema::kDimYear, year, "year", "years since the investment (0: the outlay)");
  schema::write_index_dimension(pg, schema::kDimIrrRoot, max_roots, "real root of the NPV polynomial");
  schema::attach_dimensions(pg, "cashflows_site_ccy", {schema::kDimPath, schema::kDimYear}, currency,
                            "net cash flow of the year");
  schema::attach_dimensions(pg, "npv_site_ccy", {schema::kDimPath}, currency, "net present value");
  schema::attach_dimensions(pg, "irr", {schema::kDimPath}, "1/year", "internal rate of return");
  schema::attach_dimensions(pg, "irr_status", {schema::kDimPath}, "1", "IRR status (0 unique, 1 none, 2 several)");
  schema::attach_dimensions(pg, "roic", {schema::kDimPath}, "1", "return on invested capital");
  schema::attach_dimensions(pg, "mirr", {schema::kDimPath}, "1/year", "modified internal rate of return");
  schema::attach_dimensions(pg, "invested_site_ccy", {schema::kDimPath}, currency, "capital invested");
  schema::attach_dimensions(pg, "irr_roots", {schema::kDimPath, schema::kDimIrrRoot}, "1/year",
                            "every real IRR root (NaN-padded)");
  schema::attach_dimensions(pg, "payback_years", {schema::kDimPath}, "year", "payback time");
  schema::attach_dimensions(pg, "discounted_payback_years", {schema::kDimPath}, "year", "discounted payback time");
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
  schema::make_scale(x, "grid_power_price_per_kwh", "site currency/kWh", "power price of the sensitivity grid");
  const std::pair<const char*, const char*> per_miner[] = {
      {"hashrate_ths", "TH/s"},           {"power_w", "W"},
      {"price_site_ccy", "site currency"}, {"energy_kwh_per_day", "kWh/day"},
      {"cost_per_day_site_ccy", "site currency/day"}, {"revenue_per_day_site_ccy", "site currency/day"},
      {"profit_per_day_site_ccy", "site currency/day"}, {"payback_days", "day"},
      {"breakeven_power_price_per_kwh", "site currency/kWh"}};
  for (const auto& [field, units] : per_miner) schema::attach_dimensions(x, field, {"miner"}, units);
  schema::attach_dimensions(x, "grid_cost_per_th_day_site_ccy", {"grid_power_price_per_kwh", "miner"},
                            "site currency/(TH/s)/day", "power cost per TH/s per day on the grid");
  schema::attach_dimensions(x, "grid_payback_days", {"grid_power_price_per_kwh", "miner"}, "day",
                            "payback time on the grid");
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
  if (names.empty()) names = present;  // every scenario in the file, in its order
  SiteRun run;
  run.results_file = results_file;
  run.command_line = std::move(command_line);
  if (!has(c.selection_scenario)) {
    std::string known;
    for (const auto& s : present) known += (known.empty() ? "" : ", ") + s;
    throw Error(c.file.string() + ": selection_scenario = " + c.selection_scenario +
                " (the scenario whose year-1 revenue picks the miner) is not in the results file " +
                results_file.string() + " (it has: " + known + "); set selection_scenario to one of them");
  }
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
  for (const auto& w : a.warnings) o += "WARNING: " + w + "\n";
  for (const auto& sc : a.scenarios)
    for (const auto& w : sc.warnings) o += "WARNING: " + w + "\n";
  if (!a.warnings.empty() || std::any_of(a.scenarios.begin(), a.scenarios.end(),
                                         [](const ScenarioResult& x) { return !x.warnings.empty(); }))
    o += "\n";
  selection_section(o, a.selection, ccy, "How we chose your miner");
  grid_section(o, a.selection, ccy);
  if (a.site) build_section(o, *a.site, ccy, a.selection_scenario);
  else o += "Your site: NOT BUILT: " + a.selection.reason + "\n\n";
  if (a.hosted)
    o += "Hosted alternative: " + grouped(static_cast<double>(a.hosted->n_miners)) + " x " + a.hosted->miner.name +
         " at an all-in " + ccy + " " + fmt("%.4f", a.config.hosted.price_per_kwh) + "/kWh, uptime guarantee " +
         pct(a.hosted->terms.uptime_fraction) + ", setup fees " + ccy + " " + grouped(a.hosted->setup_fees_site_ccy) +
         ", term " + (a.hosted->operating_years > 0 ? std::to_string(a.hosted->operating_years) + " years" : "the horizon") +
         ", miners " + ccy + " " + grouped(a.hosted->capex_miners_site_ccy) + ", always on\n";
  if (a.site) {
    o += "Buy-BTC alternative: the site capex (" + ccy + " " + grouped(a.site->plant.capex_total()) +
         ") in BTC on day 0, plus each month's full site opex (power, other opex, fees, restarts) in BTC at month "
         "end; its money invested grows with the opex\n";
    if (a.debt && a.debt->amount > 0) {
      o += "Debt " + ccy + " " + grouped(a.debt->amount) + ": interest / principal by year";
      for (std::size_t t = 1; t < a.debt->interest.size(); ++t)
        o += "  " + std::to_string(t) + ": " + grouped(a.debt->interest[t]) + " / " + grouped(a.debt->principal[t]);
      o += "\n";
    }
  }
  o += "\n";
  for (const auto& s : a.scenarios) scenario_section(o, r, s);
  o += "Notes: cashflows fall at year ends; revenue uses each path's daily hashprice (halvings, fees and difficulty "
       "included); IRR: every real root of NPV(r) = 0 with r > -100 % ('none' when there is none, all roots when "
       "several: then read the MIRR); ROIC for mining plays = mean yearly CF / miner capex (the spec's), for the "
       "others the gain per year over all money invested. Formulas: scenarios/README-site.md.\n";
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
                      {"gross_profit_per_day_site_ccy", b.gross_profit_per_day_site_ccy},
                      {"terminal_value_site_ccy", b.plant.terminal_value(a.config.horizon_years)}});
  } else {
    j["site"] = nullptr;
  }
  j["hosted"] = a.hosted ? plant_json(*a.hosted) : nlohmann::json();
  j["warnings"] = a.warnings;
  if (a.debt) {
    j["debt"] = {{"amount_site_ccy", a.debt->amount}, {"interest_site_ccy", a.debt->interest},
                 {"principal_site_ccy", a.debt->principal}};
  }
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
      const nlohmann::json no_payback = {{"applicable", false},
                                         {"reason", "no inflow before the sale at the horizon to pay back with"}};
      nlohmann::json roots = nlohmann::json::array();
      for (double root : p.metrics.irr_roots[s.median_path]) roots.push_back(root);
      plays[p.key] = {{"available", true},
                      {"label", p.label},
                      {"description", p.description},
                      {"capital_site_ccy", p.capital_site_ccy},
                      {"invested_site_ccy", dist_json(x.invested)},
                      {"median_path_cashflows_site_ccy", median_cf},
                      {"median_path_irr_roots", roots},
                      {"npv_site_ccy", dist_json(x.npv)},
                      {"irr", dist_json(x.irr)},
                      {"mirr", dist_json(x.mirr)},
                      {"roic", dist_json(x.roic)},
                      {"roic_basis", p.roic_basis == RoicBasis::MinerCapex ? "mean CF_t (t >= 1) / miner capex (spec)"
                                                                            : "sum CF / (years x money invested)"},
                      {"payback_years", p.payback_applicable ? dist_json(x.payback) : no_payback},
                      {"discounted_payback_years", p.payback_applicable ? dist_json(x.discounted_payback) : no_payback},
                      {"share_no_irr", x.share_no_irr},
                      {"share_multiple_irr", x.share_multiple_irr},
                      {"p_npv_negative", x.p_npv_negative},
                      {"p_payback_never", p.payback_applicable ? num(x.p_payback_never) : nlohmann::json()},
                      {"p_discounted_payback_never",
                       p.payback_applicable ? num(x.p_discounted_payback_never) : nlohmann::json()},
                      {"risk", {{"npv_p5_var95", num(x.risk.npv_p5)},
                                {"expected_shortfall_5", num(x.risk.expected_shortfall)},
                                {"p_loss", num(x.risk.p_loss)}}}};
    }
    nlohmann::json policies = nlohmann::json::array();
    for (const auto& pr : s.policies)
      policies.push_back({{"mode", pr.mode}, {"npv_site_ccy", dist_json(pr.npv)}, {"p_npv_negative", pr.p_npv_negative},
                          {"mean_days_on_share", pr.mean_days_on_share}});
    nlohmann::json tornado = nlohmann::json::array();
    for (const auto& b : s.tornado)
      tornado.push_back({{"driver", b.driver}, {"low", b.low_label}, {"high", b.high_label},
                         {"npv_p50_low", b.npv_p50_low}, {"npv_p50_high", b.npv_p50_high}});
    nlohmann::json be = nullptr;
    if (s.breakeven.found)
      be = {{"revenue_factor", s.breakeven.revenue_factor},
            {"btc_price_usd_day0", s.breakeven.btc_price_usd_day0},
            {"hashprice_usd_per_th_day", s.breakeven.hashprice_usd_per_th_day}};
    sc[s.scenario] = {{"n_paths", s.n_paths},  {"median_path", s.median_path}, {"data", info_json(r.scenario_infos[i])},
                      {"plays", plays},        {"policies", policies},         {"npv_p50_base", num(s.npv_p50_base)},
                      {"tornado", tornado},    {"breakeven", be},              {"warnings", s.warnings}};
  }
  j["scenarios"] = sc;
  return j;
}

void write_site_hdf5(const SiteRun& r, const std::filesystem::path& path, Overwrite mode) {
  AtomicOutput out(path, mode);
  write_site_hdf5(r, out);
  out.commit();
}

void write_site_hdf5(const SiteRun& r, AtomicOutput& out) {
  const SiteAnalysis& a = r.analysis;
  h5::quiet_hdf5_errors();
  {
    h5::Handle f = h5::create_file(out.partial_path().string());
    const nlohmann::json inputs{{"results_file", r.results_file.string()}, {"fx_source", a.fx.source}};
    io::schema::write_provenance(f.get(), {io::schema::kKindSite, io::schema::kSiteVersion, r.command_line,
                                           a.config.yaml_text, std::nullopt, inputs.dump()});
    h5::Handle g = h5::create_group(f.get(), "site");
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
        h5::set_attr(sg.get(), "breakeven_hashprice_usd_per_th_day", sr.breakeven.hashprice_usd_per_th_day);
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
        io::schema::attach_dimensions(pol.get(), "npv_mean_site_ccy", {"mode"}, a.config.currency, "mean NPV over paths");
        io::schema::attach_dimensions(pol.get(), "npv_p50_site_ccy", {"mode"}, a.config.currency, "median NPV over paths");
        io::schema::attach_dimensions(pol.get(), "p_npv_negative", {"mode"}, "1", "probability that the NPV is negative");
        io::schema::attach_dimensions(pol.get(), "mean_days_on_share", {"mode"}, "1", "mean share of days the miners run");
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
        for (const char* n : {"low_label", "high_label"}) io::schema::attach_dimensions(tg.get(), n, {"driver"});
        io::schema::attach_dimensions(tg.get(), "npv_p50_low_site_ccy", {"driver"}, a.config.currency,
                                      "median NPV with the driver at its low value");
        io::schema::attach_dimensions(tg.get(), "npv_p50_high_site_ccy", {"driver"}, a.config.currency,
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
        write_matrix(pg.get(), "cashflows_site_ccy", p.cashflows, sr.n_paths, static_cast<std::uint64_t>(sr.years) + 1);
        const PathMetrics& m = p.metrics;
        h5::write_vector(pg.get(), "npv_site_ccy", m.npv_site_ccy);
        h5::write_vector(pg.get(), "irr", m.irr);
        h5::write_vector(pg.get(), "irr_status", std::vector<std::int64_t>(m.irr_status.begin(), m.irr_status.end()));
        h5::write_vector(pg.get(), "roic", m.roic);
        h5::write_vector(pg.get(), "mirr", m.mirr);
        h5::write_vector(pg.get(), "invested_site_ccy", p.invested_site_ccy);
        std::size_t max_roots = 1;
        for (const auto& rr : m.irr_roots) max_roots = std::max(max_roots, rr.size());
        std::vector<double> roots(sr.n_paths * max_roots, std::numeric_limits<double>::quiet_NaN());
        for (std::size_t i = 0; i < sr.n_paths; ++i)
          std::copy(m.irr_roots[i].begin(), m.irr_roots[i].end(), roots.begin() + static_cast<std::ptrdiff_t>(i * max_roots));
        write_matrix(pg.get(), "irr_roots", roots, sr.n_paths, max_roots);
        h5::set_attr(pg.get(), "payback_applicable", static_cast<std::int64_t>(p.payback_applicable));
        h5::set_attr(pg.get(), "npv_p5_var95", p.summary.risk.npv_p5);
        h5::set_attr(pg.get(), "expected_shortfall_5", p.summary.risk.expected_shortfall);
        h5::write_vector(pg.get(), "payback_years", m.payback_years);
        h5::write_vector(pg.get(), "discounted_payback_years", m.discounted_payback_years);
        describe_play(pg.get(), sr.n_paths, sr.years, max_roots, a.config.currency);
      }
    }
    h5::close_file(f, out.partial_path().string());  // a failed flush or close must not be renamed into place
  }
}

}  // namespace hashsim::site
