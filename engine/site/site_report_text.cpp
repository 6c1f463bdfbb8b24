#include "engine/site/site_output.h"
// format_report: the terminal report of `hashsim site`.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/util/dates.h"

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

// Thousands, grouped: 1234567 -> "1,235" (k_text adds the "k").
std::string thousands(double v) { return grouped(v / 1e3); }
std::string k_text(double v) { return thousands(v) + "k"; }

void inputs_section(std::string& o, const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  const SiteConfig& c = a.config;
  const std::string& ccy = c.currency;
  o += "hashsim site: " + c.name + " (" + c.file.string() + ") over " + r.results_file.string() +
       "\n";
  std::string used;
  for (const auto& s : a.scenarios) used += (used.empty() ? "" : ", ") + s.scenario;
  o += "  scenarios analysed: " + used + " (miner chosen on '" + a.selection_scenario + "')\n";
  o += "  site power " + grouped(c.site_power_kw, 1) + " kW x load factor " +
       fmt("%.2f", c.load_factor) + " = " + grouped(c.site_power_kw * c.load_factor, 1) +
       " kW usable; power " + ccy + " " + fmt("%.4f", c.power_price_per_kwh) + "/kWh (" +
       pct(c.power_price_escalation_per_year) + " a year)";
  if (c.tariff.peak_hours_per_day > 0)
    o += "; peak " + fmt("%.1f", c.tariff.peak_hours_per_day) + " h/day at " + ccy + " " +
         fmt("%.4f", c.tariff.peak_price_per_kwh) + "/kWh";
  o += "\n";
  o += "  overhead power " + pct(c.overhead_power_fraction) + ", uptime " + pct(c.uptime_fraction) +
       ", pool fee " + pct(c.pool_fee_fraction) + ", other opex " + ccy + " " +
       grouped(c.other_opex_per_miner_per_year) + "/miner/year, hosting fee " + ccy + " " +
       grouped(c.hosting_fee_per_miner_per_month, 2) + "/miner/month, resale " +
       pct(c.resale_fraction) + " of miner capex\n";
  const auto& pol = c.policy;
  if (pol.mode == "daily")
    o +=
        "  operating policy: daily; curtail when the expected margin (mean hashprice of the last " +
        std::to_string(pol.trailing_days) + " days, today's power price) is below " + ccy + " " +
        fmt("%.2f", pol.threshold_per_mwh) + "/MWh for " + std::to_string(pol.days_before_off) +
        " days; restart after " + std::to_string(pol.days_before_on) + " days above, at " + ccy +
        " " + fmt("%.2f", pol.restart_cost_per_miner) + "/miner\n";
  else
    o += "  operating policy: always on (never curtails)\n";
  if (c.infrastructure.capex_per_kw > 0)
    o += "  infrastructure " + ccy + " " + grouped(c.infrastructure.capex_per_kw) +
         "/kW built, straight-line over " + fmt("%.0f", c.infrastructure.life_years) + " years, " +
         pct(c.infrastructure.recovery_of_book_value) + " of book value recovered at the horizon\n";
  const auto& fin = c.financing;
  if (fin.debt_share > 0)
    o += "  financing: debt " + pct(fin.debt_share) + " of capex at " + pct(fin.interest_rate) +
         " over " + std::to_string(fin.term_years) + " years (" + fin.amortisation + ")\n";
  if (c.tax.enabled)
    o += "  corporation tax " + pct(c.tax.rate) + ", first-year allowance " +
         pct(c.tax.first_year_allowance) + ", writing-down " + pct(c.tax.writing_down_rate) +
         " a year, losses carried forward\n";
  o += "  discount rate " + pct(c.discount_rate_per_year) + " a year, horizon " +
       std::to_string(c.horizon_years) + " years of 365 days\n";
  o += "  FX " + fmt("%.5f", a.fx.usd_to_site) + " " + ccy + " per USD from " + a.fx.source;
  if (!a.fx.provider_time.empty()) o += ", provider time " + a.fx.provider_time;
  if (!a.fx.fetched_at.empty()) o += ", fetched " + a.fx.fetched_at;
  if (a.fx.stale) o += " (STALE)";
  if (c.fx_model.model == "gbm")
    o += "; day 0 only: then a GBM path, vol " + pct(c.fx_model.vol_per_sqrt_year) +
         ", correlation with BTC " + fmt("%.2f", c.fx_model.correlation_with_btc) + "\n";
  else
    o += "; held constant over the horizon\n";
  const ScenarioInfo& si = r.selection_info;
  o += "  data: scenario '" + si.name + "' starts " + si.start_date + " (" + si.start_source +
       "): BTC USD " + grouped(si.start_price_usd) + ", difficulty " +
       fmt("%.4g", si.start_difficulty) + ", network " +
       fmt("%.1f", si.start_network_hashrate_ths / 1e6) + " EH/s\n\n";
}

void selection_section(std::string& o, const Selection& s, const std::string& ccy,
                       const std::string& title) {
  o += title + " (year 1 at " + ccy + " " + fmt("%.4f", s.power_price_per_kwh) +
       "/kWh; revenue USD " + fmt("%.5f", s.hashprice_usd_per_th_day) + " per TH/s per day)\n";
  o += "  " + pad("miner", 20, true) + pad("TH/s", 7) + pad("W", 7) + pad("J/TH", 6) +
       pad("price", 10) + pad("cost/day", 10) + pad("rev/day", 10) + pad("profit/day", 11) +
       pad("payback d", 10) + pad("breakeven " + ccy + "/kWh", 20) + pad("n fit", 7) +
       pad("NPV P50", 12) + pad("P(NPV>0)", 10) + "\n";
  for (std::size_t i = 0; i < s.miners.size(); ++i) {
    const MinerEconomics& e = s.miners[i];
    const bool chosen = s.chosen && *s.chosen == i;
    o += (chosen ? "* " : "  ") + pad(e.offer.name.substr(0, 19), 20, true) +
         pad(grouped(e.offer.hashrate_ths, 0), 7) + pad(grouped(e.offer.power_w, 0), 7) +
         pad(fmt("%.1f", e.offer.power_w / e.offer.hashrate_ths), 6) +
         pad(grouped(e.offer.price_site_ccy), 10) + pad(fmt("%.2f", e.cost_per_day_site_ccy), 10) +
         pad(fmt("%.2f", e.revenue_per_day_site_ccy), 10) +
         pad(fmt("%.2f", e.profit_per_day_site_ccy), 11) +
         pad(e.viable() ? grouped(e.payback_days) : "-", 10) +
         pad(fmt("%.4f", e.breakeven_power_price_per_kwh), 20) +
         pad(grouped(static_cast<double>(e.n_fit)), 7) +
         pad(e.n_fit > 0 ? k_text(e.npv_p50_site_ccy) : "-", 12) +
         pad(e.n_fit > 0 ? pct(e.prob_npv_positive) : "-", 10) + "\n";
  }
  o += "  (NPV P50 and P(NPV>0): over the whole horizon of the selection scenario, with as many of "
       "that miner as\n"
       "   the site takes, under the operating policy; payback: year-1 revenue only, blind to the "
       "halving)\n";
  if (s.chosen)
    o += "  -> " + s.miners[*s.chosen].offer.name + " (criterion " + s.criterion +
         "): " + s.reason + "\n\n";
  else
    o += "  -> " + s.reason + "\n\n";
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
  table("Cost per TH/s per day (" + ccy + ") by power price", s.grid_cost_per_th_day_site_ccy,
        false);
  table("Simple payback (days) by power price; '-' = loses money", s.grid_payback_days, true);
  o += "\n";
}

void build_section(std::string& o, const SiteBuild& b, const std::string& ccy,
                   const std::string& scenario) {
  const Plant& p = b.plant;
  o += "Your site, daily performance (year 1, mean of scenario '" + scenario + "')\n";
  o += "  miners        " + grouped(static_cast<double>(p.n_miners)) + " x " + p.miner.name + " (" +
       fmt("%.3f", b.miner_power_kw_incl_overhead) + " kW each incl. overhead)\n";
  o += "  power         " + grouped(b.used_power_kw, 1) + " kW used of " +
       grouped(b.effective_power_kw, 1) + " kW usable (" + grouped(b.unused_power_kw, 1) +
       " kW unused)\n";
  o += "  hashrate      " + fmt("%.3f", p.hashrate_ths / 1e3) + " PH/s\n";
  o += "  energy        " + grouped(p.energy_kwh_per_day) + " kWh/day; power cost " + ccy + " " +
       grouped(b.power_cost_per_day_site_ccy) + "/day; other costs " + ccy + " " +
       grouped(b.other_cost_per_day_site_ccy) + "/day\n";
  o += "  capex         " + ccy + " " + grouped(p.capex_total()) + " (miners " +
       grouped(p.capex_miners_site_ccy) + ", infrastructure " + grouped(p.capex_infra_site_ccy) +
       ")\n";
  o += "  revenue       " + ccy + " " + grouped(b.revenue_per_day_site_ccy) +
       "/day; gross profit " + ccy + " " + grouped(b.gross_profit_per_day_site_ccy) + "/day (" +
       ccy + " " + grouped(b.gross_profit_per_day_site_ccy * kDaysPerYear) +
       " a year), always on at year-1 revenue\n\n";
}

std::string irr_text(const PathMetrics& m, std::size_t i) {
  const auto st = static_cast<IrrStatus>(m.irr_status[i]);
  if (st == IrrStatus::Unique) return pct(m.irr[i]);
  if (st == IrrStatus::NoRoot) return "none";
  std::string t;
  for (double x : m.irr_roots[i]) t += (t.empty() ? "" : "|") + pct(x, 0);
  return t;
}

// ---- one scenario's section --------------------------------------------------------------

using Plays = std::vector<const PlayResult*>;
constexpr std::size_t kPlayColumn = 13;  // width of a play's column in the median-path tables

// The plays evaluated on this scenario; a line for each that was not, saying why.
Plays evaluated_plays(std::string& o, const ScenarioResult& s) {
  Plays on;
  for (const auto& p : s.plays) {
    if (p.available)
      on.push_back(&p);
    else
      o += "  " + p.label + ": not evaluated: " + p.unavailable_reason + "\n";
  }
  return on;
}

// The site's own play when it leads the list (it has revenue/cost lines and a breakeven).
const PlayResult* site_play(const Plays& on) {
  return on.front()->key == "site" ? on.front() : nullptr;
}

// Year-by-year cash flows of every play on the median path; for the site also its revenue, costs
// and cumulative cash flow, then how it ran.
void median_cashflow_table(std::string& o, const ScenarioResult& s, const Plays& on,
                           const std::string& ccy) {
  const auto W = static_cast<std::size_t>(s.years) + 1;
  const std::size_t mp = s.median_path;
  const std::size_t cw = kPlayColumn;
  o += "  Median path #" + std::to_string(mp) +
       " (its horizon-total revenue per TH is the median): cashflows, " + ccy + "\n";
  o += "  " + pad("year", 5);
  const PlayResult* site = site_play(on);
  if (site) o += pad("site revenue", cw) + pad("site costs", cw);
  for (const auto* p : on) o += pad(p->label, cw);
  if (site) o += pad("site cumul.", cw);
  o += "\n";
  double cum = 0.0;
  for (std::size_t t = 0; t < W; ++t) {
    o += "  " + pad(std::to_string(t), 5);
    if (site) {
      const YearLines& l = s.median_site_lines;
      o += pad(grouped(l.revenue[t]), cw) +
           pad(grouped(-(l.power[t] + l.other[t] + l.restart[t])), cw);
      cum += site->cashflows[mp * W + t];
    }
    for (const auto* p : on) o += pad(grouped(p->cashflows[mp * W + t]), cw);
    if (site) o += pad(grouped(cum), cw);
    o += "\n";
  }
  if (site) {
    const YearLines& l = s.median_site_lines;
    o += "  (site: ran " + fmt("%.1f", 100.0 * l.days_on / (365.0 * s.years)) + " % of days, " +
         std::to_string(l.restarts) + " restarts; its year-" + std::to_string(l.resale_year) +
         " CF includes " + ccy + " " + grouped(l.resale) +
         " resale and recovered infrastructure)\n";
  }
}

// NPV, IRR, MIRR, ROIC and paybacks of every play on the median path, a row each.
void median_metrics_table(std::string& o, const ScenarioResult& s, const Plays& on,
                          const std::string& ccy, const std::string& rate) {
  const std::size_t mp = s.median_path;
  o += "  " + pad("on the median path", 24, true);
  for (const auto* p : on) o += pad(p->label, kPlayColumn);
  o += "\n";
  auto row = [&](const std::string& name, auto get) {
    o += "  " + pad(name, 24, true);
    for (const auto* p : on) o += pad(get(*p), kPlayColumn);
    o += "\n";
  };
  row("NPV @ " + rate + " (" + ccy + ")",
      [&](const PlayResult& p) { return grouped(p.metrics.npv_site_ccy[mp]); });
  row("IRR (all roots)", [&](const PlayResult& p) { return irr_text(p.metrics, mp); });
  row("MIRR @ " + rate, [&](const PlayResult& p) { return pct(p.metrics.mirr[mp]); });
  row("ROIC", [&](const PlayResult& p) { return pct(p.metrics.roic[mp]); });
  row("payback", [&](const PlayResult& p) {
    return p.payback_applicable ? years_text(p.metrics.payback_years[mp]) : std::string("n/a");
  });
  row("discounted payback", [&](const PlayResult& p) {
    return p.payback_applicable ? years_text(p.metrics.discounted_payback_years[mp])
                                : std::string("n/a");
  });
}

// A payback in years as the distribution table shows it ("never": not within the horizon).
std::string payback_years_text(double v) {
  return std::isnan(v)      ? std::string("n/a")
         : std::isfinite(v) ? fmt("%.2f", v)
                            : std::string("never");
}

// Mean and quantiles over all paths of each metric, a row per play, with a note per play.
void distribution_table(std::string& o, const Plays& on, const std::string& ccy,
                        const std::string& rate) {
  o += "  Distribution over all paths\n";
  o += "  " + pad("metric", 22, true) + pad("play", 13, true) + pad("mean", 11) + pad("P5", 11) +
       pad("P25", 11) + pad("P50", 11) + pad("P75", 11) + pad("P95", 11) + "  note\n";
  auto dist = [&](const std::string& name, auto pick, auto show, auto note,
                  bool only_payback = false) {
    bool first = true;
    for (const auto* p : on) {
      if (only_payback && !p->payback_applicable) continue;
      const Distribution& d = pick(p->summary);
      o += "  " + pad(first ? name : "", 22, true) + pad(p->label, 13, true) +
           pad(show(d.mean), 11) + pad(show(d.p5), 11) + pad(show(d.p25), 11) +
           pad(show(d.p50), 11) + pad(show(d.p75), 11) + pad(show(d.p95), 11) + "  " + note(*p) +
           "\n";
      first = false;
    }
  };
  auto none = [](const PlayResult&) { return std::string(); };
  auto percent = [](double v) { return pct(v); };
  dist(
      "NPV (k " + ccy + ")", [](const PlaySummary& x) -> const Distribution& { return x.npv; },
      thousands,
      [&](const PlayResult& p) {
        return "P(NPV<0) " + pct(p.summary.p_npv_negative) + ", ES5 " +
               thousands(p.summary.risk.expected_shortfall) + "k";
      });
  dist(
      "IRR (paths with one)", [](const PlaySummary& x) -> const Distribution& { return x.irr; },
      percent,
      [](const PlayResult& p) {
        return "no root " + pct(p.summary.share_no_irr) + ", several " +
               pct(p.summary.share_multiple_irr);
      });
  dist(
      "MIRR @ " + rate, [](const PlaySummary& x) -> const Distribution& { return x.mirr; }, percent,
      none);
  dist(
      "ROIC", [](const PlaySummary& x) -> const Distribution& { return x.roic; }, percent,
      [](const PlayResult& p) {
        return p.roic_basis == RoicBasis::MinerCapex ? std::string("mean CF_t / miner capex")
                                                     : std::string("gain / year / money invested");
      });
  dist(
      "money invested (k)", [](const PlaySummary& x) -> const Distribution& { return x.invested; },
      thousands, none);
  dist(
      "payback (years)", [](const PlaySummary& x) -> const Distribution& { return x.payback; },
      payback_years_text,
      [](const PlayResult& p) {
        return "never " + pct(p.summary.p_payback_never) + " (mean: paths that pay back)";
      },
      true);
  dist(
      "disc. payback (years)",
      [](const PlaySummary& x) -> const Distribution& { return x.discounted_payback; },
      payback_years_text,
      [](const PlayResult& p) { return "never " + pct(p.summary.p_discounted_payback_never); },
      true);
  std::string no_payback;
  for (const auto* p : on)
    if (!p->payback_applicable) no_payback += (no_payback.empty() ? "" : ", ") + p->label;
  if (!no_payback.empty())
    o += "  payback n/a for " + no_payback + ": no inflow before the sale at the horizon\n";
}

// VaR 95 %, expected shortfall and P(loss) of each play's NPV.
void risk_lines(std::string& o, const Plays& on) {
  o += "  Risk (NPV): VaR 95 % = P5, expected shortfall = mean of the worst 5 %, P(loss) = P(NPV < "
       "0)\n";
  for (const auto* p : on)
    o += "    " + pad(p->label, 13, true) + " P5 " + pad(thousands(p->summary.risk.npv_p5), 9) +
         "k  ES " + pad(thousands(p->summary.risk.expected_shortfall), 9) + "k  P(loss) " +
         pct(p->summary.risk.p_loss) + "\n";
}

// The site's NPV under each operating policy, and what curtailing is worth against always on.
void policy_lines(std::string& o, const ScenarioResult& s, const std::string& ccy) {
  if (s.policies.empty()) return;
  o += "  Operating policy (site NPV, " + ccy + ")      mean NPV   P50 NPV  P(NPV<0)  days on\n";
  for (const auto& pr : s.policies)
    o += "    " + pad(pr.mode, 30, true) + pad(thousands(pr.npv.mean) + "k", 10) +
         pad(thousands(pr.npv.p50) + "k", 10) + pad(pct(pr.p_npv_negative), 10) +
         pad(pct(pr.mean_days_on_share), 9) + "\n";
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

// The revenue factor at which the median site NPV is 0 (only said missing when the site ran).
void breakeven_line(std::string& o, const ScenarioResult& s, bool site_evaluated) {
  if (s.breakeven.found)
    o += "  Breakeven (median NPV = 0, network held fixed): revenue x " +
         fmt("%.3f", s.breakeven.revenue_factor) + " = BTC USD " +
         grouped(s.breakeven.btc_price_usd_day0) + " on day 0 (each path scaled), hashprice USD " +
         fmt("%.5f", s.breakeven.hashprice_usd_per_th_day) + "/TH/s/day over the horizon\n";
  else if (site_evaluated)
    o += "  Breakeven: none found for revenue x 0 .. 1024\n";
}

// The median site NPV with each driver at its low and high value (a tornado chart as text).
void tornado_lines(std::string& o, const ScenarioResult& s, const std::string& ccy) {
  if (s.tornado.empty()) return;
  o += "  Sensitivity of the median site NPV (k " + ccy + ", centre " + thousands(s.npv_p50_base) +
       "k)\n";
  for (const auto& b : s.tornado)
    o += "    " + pad(b.driver, 26, true) + pad(b.low_label, 9) + " " +
         pad(thousands(b.npv_p50_low), 9) + "  |  " + pad(b.high_label, 9) + " " +
         pad(thousands(b.npv_p50_high), 9) + "   swing " +
         thousands(std::fabs(b.npv_p50_high - b.npv_p50_low)) + "\n";
}

void scenario_section(std::string& o, const SiteRun& r, const ScenarioResult& s) {
  const SiteAnalysis& a = r.analysis;
  const std::string& ccy = a.config.currency;
  o += "Scenario '" + s.scenario + "' (" + grouped(static_cast<double>(s.n_paths)) + " paths)\n";
  for (const auto& w : s.warnings) o += "  WARNING: " + w + "\n";
  const Plays on = evaluated_plays(o, s);
  if (on.empty()) {
    o += "\n";
    return;
  }
  const std::string rate = pct(a.config.discount_rate_per_year, 0);
  median_cashflow_table(o, s, on, ccy);
  median_metrics_table(o, s, on, ccy, rate);
  distribution_table(o, on, ccy, rate);
  risk_lines(o, on);
  policy_lines(o, s, ccy);
  breakeven_line(o, s, site_play(on) != nullptr);
  tornado_lines(o, s, ccy);
  o += "\n";
}

}  // namespace

std::string format_report(const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  const std::string& ccy = a.config.currency;
  std::string o;
  inputs_section(o, r);
  for (const auto& w : a.warnings) o += "WARNING: " + w + "\n";
  for (const auto& sc : a.scenarios)
    for (const auto& w : sc.warnings) o += "WARNING: " + w + "\n";
  if (!a.warnings.empty() ||
      std::any_of(a.scenarios.begin(), a.scenarios.end(),
                  [](const ScenarioResult& x) { return !x.warnings.empty(); }))
    o += "\n";
  selection_section(o, a.selection, ccy, "How we chose your miner");
  grid_section(o, a.selection, ccy);
  if (a.site)
    build_section(o, *a.site, ccy, a.selection_scenario);
  else
    o += "Your site: NOT BUILT: " + a.selection.reason + "\n\n";
  if (a.hosted)
    o += "Hosted alternative: " + grouped(static_cast<double>(a.hosted->n_miners)) + " x " +
         a.hosted->miner.name + " at an all-in " + ccy + " " +
         fmt("%.4f", a.config.hosted.price_per_kwh) + "/kWh, uptime guarantee " +
         pct(a.hosted->terms.uptime_fraction) + ", setup fees " + ccy + " " +
         grouped(a.hosted->setup_fees_site_ccy) + ", term " +
         (a.hosted->operating_years > 0 ? std::to_string(a.hosted->operating_years) + " years"
                                        : "the horizon") +
         ", miners " + ccy + " " + grouped(a.hosted->capex_miners_site_ccy) + ", always on\n";
  if (a.site) {
    o += "Buy-BTC alternative: the site capex (" + ccy + " " +
         grouped(a.site->plant.capex_total()) +
         ") in BTC on day 0, plus each month's full site opex (power, other opex, fees, restarts) "
         "in BTC at month "
         "end; its money invested grows with the opex\n";
    if (a.debt && a.debt->amount > 0) {
      o += "Debt " + ccy + " " + grouped(a.debt->amount) + ": interest / principal by year";
      for (std::size_t t = 1; t < a.debt->interest.size(); ++t)
        o += "  " + std::to_string(t) + ": " + grouped(a.debt->interest[t]) + " / " +
             grouped(a.debt->principal[t]);
      o += "\n";
    }
  }
  o += "\n";
  for (const auto& s : a.scenarios) scenario_section(o, r, s);
  o += "Notes: cashflows fall at year ends; revenue uses each path's daily hashprice (halvings, "
       "fees and difficulty "
       "included); IRR: every real root of NPV(r) = 0 with r > -100 % ('none' when there is none, "
       "all roots when "
       "several: then read the MIRR); ROIC for mining plays = mean yearly CF / miner capex (the "
       "spec's), for the "
       "others the gain per year over all money invested. Formulas: scenarios/README-site.md.\n";
  return o;
}

}  // namespace hashsim::site
