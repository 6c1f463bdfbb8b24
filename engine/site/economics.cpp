#include "engine/site/economics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "engine/util/error.h"

namespace hashsim::site {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kHoursPerDay = 24.0;

double nan_if_none(const std::optional<double>& v) { return v ? *v : kNaN; }

std::string price_text(double per_kwh) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f per kWh", per_kwh);
  return buf;
}
}  // namespace

OperatingTerms site_terms(const SiteConfig& c, double fx) {
  OperatingTerms t;
  t.power_price_per_kwh = c.power_price_per_kwh;
  t.escalation_per_year = c.power_price_escalation_per_year;
  t.overhead_power_fraction = c.overhead_power_fraction;
  t.uptime_fraction = c.uptime_fraction;
  t.pool_fee_fraction = c.pool_fee_fraction;
  t.fixed_cost_per_miner_per_year = c.other_opex_per_miner_per_year + 12.0 * c.hosting_fee_per_miner_per_month;
  t.resale_fraction = c.resale_fraction;
  t.fx_usd_to_site = fx;
  t.shutdown_when_unprofitable = c.shutdown_when_unprofitable;
  return t;
}

OperatingTerms hosted_terms(const SiteConfig& c, double fx) {
  OperatingTerms t = site_terms(c, fx);
  t.power_price_per_kwh = c.hosted_price_per_kwh;
  t.escalation_per_year = 0.0;
  t.overhead_power_fraction = 0.0;
  t.fixed_cost_per_miner_per_year = 0.0;
  return t;
}

MinerEconomics miner_economics(const MinerOffer& m, const OperatingTerms& t, double hashprice) {
  MinerEconomics e;
  e.offer = m;
  e.energy_kwh_per_day = m.power_kw() * (1.0 + t.overhead_power_fraction) * kHoursPerDay * t.uptime_fraction;
  const double fixed_per_day = t.fixed_cost_per_miner_per_year / kDaysPerYear;
  e.cost_per_day_site_ccy = e.energy_kwh_per_day * t.power_price_per_kwh + fixed_per_day;
  e.revenue_per_day_site_ccy =
      m.hashrate_ths * hashprice * t.uptime_fraction * (1.0 - t.pool_fee_fraction) * t.fx_usd_to_site;
  e.profit_per_day_site_ccy = e.revenue_per_day_site_ccy - e.cost_per_day_site_ccy;
  e.payback_days = e.viable() ? m.price_site_ccy / e.profit_per_day_site_ccy : kNaN;
  // profit(p) = revenue - energy p - fixed = 0  =>  p* = (revenue - fixed) / energy
  e.breakeven_power_price_per_kwh = (e.revenue_per_day_site_ccy - fixed_per_day) / e.energy_kwh_per_day;
  return e;
}

Selection select_miner(const std::vector<MinerOffer>& offers, const OperatingTerms& t, double hashprice,
                       const std::vector<double>& grid, const std::string& forced) {
  Selection s;
  s.hashprice_usd_per_th_day = hashprice;
  s.power_price_per_kwh = t.power_price_per_kwh;
  s.grid_power_prices_per_kwh = grid;
  for (const auto& o : offers) s.miners.push_back(miner_economics(o, t, hashprice));
  for (std::size_t i = 0; i < s.miners.size(); ++i) {
    const auto& e = s.miners[i];
    if (!forced.empty()) {
      if (e.offer.name == forced) s.chosen = i;
    } else if (e.viable() && (!s.chosen || e.payback_days < s.miners[*s.chosen].payback_days)) {
      s.chosen = i;
    }
  }
  if (!forced.empty() && s.chosen) {
    s.reason = "chosen in the site file (miners.choose)";
    if (!s.miners[*s.chosen].viable()) s.reason += "; NOTE: it loses money in year 1 at this power price";
  } else if (s.chosen) {
    s.reason = "shortest simple payback among the miners with positive year-1 profit per day";
  } else {
    s.reason = "no viable miner at this power price (" + price_text(t.power_price_per_kwh) +
               "): every miner's year-1 revenue per day is below its running cost";
    const auto best = std::max_element(s.miners.begin(), s.miners.end(), [](const auto& x, const auto& y) {
      return x.breakeven_power_price_per_kwh < y.breakeven_power_price_per_kwh;
    });
    if (best != s.miners.end())
      s.reason += "; the highest breakeven is " + price_text(best->breakeven_power_price_per_kwh) + " (" +
                  best->offer.name + ")";
  }
  for (double p : grid) {
    OperatingTerms tp = t;
    tp.power_price_per_kwh = p;
    for (const auto& o : offers) {
      const MinerEconomics e = miner_economics(o, tp, hashprice);
      s.grid_cost_per_th_day_site_ccy.push_back(e.cost_per_day_site_ccy / o.hashrate_ths);
      s.grid_payback_days.push_back(e.payback_days);
    }
  }
  return s;
}

double Plant::power_cost_in_year(int t) const {
  return energy_kwh_per_day * kDaysPerYear * terms.power_price_per_kwh *
         std::pow(1.0 + terms.escalation_per_year, t - 1);
}

Plant make_plant(const MinerOffer& m, const OperatingTerms& t, std::int64_t n) {
  Plant p;
  p.miner = m;
  p.terms = t;
  p.n_miners = n;
  const double nd = static_cast<double>(n);
  p.hashrate_ths = nd * m.hashrate_ths;
  p.energy_kwh_per_day = nd * m.power_kw() * (1.0 + t.overhead_power_fraction) * kHoursPerDay * t.uptime_fraction;
  p.capex_site_ccy = nd * m.price_site_ccy;
  p.fixed_cost_per_year_site_ccy = nd * t.fixed_cost_per_miner_per_year;
  return p;
}

SiteBuild build_site(double site_power_kw, double load_factor, const MinerEconomics& chosen, const OperatingTerms& t) {
  SiteBuild b;
  b.site_power_kw = site_power_kw;
  b.effective_power_kw = site_power_kw * load_factor;
  b.miner_power_kw_incl_overhead = chosen.offer.power_kw() * (1.0 + t.overhead_power_fraction);
  // The relative nudge keeps an exact fit (950 kW / 3.8 kW = 250) from flooring to 249 on rounding.
  const auto n = static_cast<std::int64_t>(std::floor(b.effective_power_kw / b.miner_power_kw_incl_overhead * (1.0 + 1e-12)));
  b.plant = make_plant(chosen.offer, t, n);
  b.used_power_kw = static_cast<double>(n) * b.miner_power_kw_incl_overhead;
  b.unused_power_kw = std::max(0.0, b.effective_power_kw - b.used_power_kw);
  b.power_cost_per_day_site_ccy = b.plant.energy_kwh_per_day * t.power_price_per_kwh;
  b.other_cost_per_day_site_ccy = b.plant.fixed_cost_per_year_site_ccy / kDaysPerYear;
  b.revenue_per_day_site_ccy = static_cast<double>(n) * chosen.revenue_per_day_site_ccy;
  b.gross_profit_per_day_site_ccy = b.revenue_per_day_site_ccy - b.power_cost_per_day_site_ccy - b.other_cost_per_day_site_ccy;
  return b;
}

double MarketPaths::year1_mean_hashprice_usd_per_th_day() const {
  if (n_paths == 0 || years < 1) return kNaN;
  double s = 0.0;
  for (std::size_t p = 0; p < n_paths; ++p) s += hashprice_year_usd_per_th[p * static_cast<std::size_t>(years)];
  return s / static_cast<double>(n_paths) / kDaysPerYear;
}

int month_end_day(int m) { return (m + 1) * 365 / 12 - 1; }

void plant_path_lines(const Plant& p, const MarketPaths& m, std::size_t path, YearLines& out) {
  const auto Y = static_cast<std::size_t>(m.years);
  const auto M = static_cast<std::size_t>(months(m.years));
  const bool monthly = p.terms.shutdown_when_unprofitable;
  if (monthly && m.hashprice_month_usd_per_th.size() != m.n_paths * M)
    throw Error("scenario '" + m.scenario + "': shutting down in losing months needs monthly revenue sums");
  const double per_usd_th = p.hashrate_ths * p.terms.uptime_fraction * (1.0 - p.terms.pool_fee_fraction) *
                            p.terms.fx_usd_to_site;
  out.revenue.assign(Y + 1, 0.0);
  out.power.assign(Y + 1, 0.0);
  out.other.assign(Y + 1, 0.0);
  out.resale = p.terms.resale_fraction * p.capex_site_ccy;
  for (std::size_t t = 1; t <= Y; ++t) {
    const double power_year = p.power_cost_in_year(static_cast<int>(t));
    out.other[t] = p.fixed_cost_per_year_site_ccy;
    if (!monthly) {
      out.revenue[t] = per_usd_th * m.hashprice_year_usd_per_th[path * Y + t - 1];
      out.power[t] = power_year;
      continue;
    }
    for (std::size_t k = (t - 1) * 12; k < t * 12; ++k) {
      const double revenue = per_usd_th * m.hashprice_month_usd_per_th[path * M + k];
      const double power = power_year / kDaysPerYear * days_in_month(static_cast<int>(k));
      if (revenue > power) {
        out.revenue[t] += revenue;
        out.power[t] += power;
      }
    }
  }
}

std::vector<double> plant_cashflows(const Plant& p, const MarketPaths& m) {
  const auto Y = static_cast<std::size_t>(m.years);
  std::vector<double> cf(m.n_paths * (Y + 1));
  YearLines lines;
  for (std::size_t i = 0; i < m.n_paths; ++i) {
    plant_path_lines(p, m, i, lines);
    double* row = &cf[i * (Y + 1)];
    row[0] = -p.capex_site_ccy;
    for (std::size_t t = 1; t <= Y; ++t) row[t] = lines.revenue[t] - lines.power[t] - lines.other[t];
    row[Y] += lines.resale;
  }
  return cf;
}

std::vector<double> btc_cashflows(double capital, const Plant& p, const MarketPaths& m) {
  const auto Y = static_cast<std::size_t>(m.years);
  const auto M = static_cast<std::size_t>(months(m.years));
  const double fx = p.terms.fx_usd_to_site;
  std::vector<double> monthly_usd(M);
  for (std::size_t k = 0; k < M; ++k) monthly_usd[k] = p.power_cost_in_year(static_cast<int>(k / 12 + 1)) / 12.0 / fx;
  std::vector<double> cf(m.n_paths * (Y + 1));
  for (std::size_t i = 0; i < m.n_paths; ++i) {
    double* row = &cf[i * (Y + 1)];
    const double* price = &m.price_usd_month_end[i * M];
    double btc = capital / fx / m.price_usd_day0[i];
    for (std::size_t k = 0; k < M; ++k) btc += monthly_usd[k] / price[k];
    row[0] = -capital;
    for (std::size_t t = 1; t <= Y; ++t) row[t] = -p.power_cost_in_year(static_cast<int>(t));
    row[Y] += btc * price[M - 1] * fx;
  }
  return cf;
}

PathMetrics compute_metrics(const std::vector<double>& cf, std::size_t n_paths, int years, double rate,
                            double capital) {
  const auto W = static_cast<std::size_t>(years) + 1;
  if (cf.size() != n_paths * W) throw Error("compute_metrics: cashflow array does not match paths x (years + 1)");
  PathMetrics pm;
  pm.npv_site_ccy.resize(n_paths);
  pm.irr.resize(n_paths);
  pm.roic.resize(n_paths);
  pm.payback_years.resize(n_paths);
  pm.discounted_payback_years.resize(n_paths);
  pm.irr_status.resize(n_paths);
  for (std::size_t i = 0; i < n_paths; ++i) {
    const std::span<const double> row(&cf[i * W], W);
    pm.npv_site_ccy[i] = npv(row, rate);
    const IrrResult r = irr_detail(row);
    pm.irr_status[i] = static_cast<std::int8_t>(r.status);
    pm.irr[i] = r.status == IrrStatus::Unique ? r.roots.front() : kNaN;
    pm.roic[i] = roic(row, capital);
    pm.payback_years[i] = nan_if_none(payback_years(row));
    pm.discounted_payback_years[i] = nan_if_none(discounted_payback_years(row, rate));
  }
  return pm;
}

PlaySummary summarize_play(const PathMetrics& pm) {
  PlaySummary s;
  const auto n = pm.npv_site_ccy.size();
  s.npv = summarize(pm.npv_site_ccy);
  s.irr = summarize(pm.irr);
  s.roic = summarize(pm.roic);
  s.payback = summarize(pm.payback_years, true);
  s.discounted_payback = summarize(pm.discounted_payback_years, true);
  if (n == 0) return s;
  std::size_t neg = 0, none = 0, multi = 0;
  for (std::size_t i = 0; i < n; ++i) {
    neg += pm.npv_site_ccy[i] < 0.0;
    none += pm.irr_status[i] == static_cast<std::int8_t>(IrrStatus::NoRoot);
    multi += pm.irr_status[i] == static_cast<std::int8_t>(IrrStatus::Multiple);
  }
  const double nd = static_cast<double>(n);
  s.p_npv_negative = static_cast<double>(neg) / nd;
  s.share_no_irr = static_cast<double>(none) / nd;
  s.share_multiple_irr = static_cast<double>(multi) / nd;
  s.p_payback_never = s.payback.share_undefined();
  s.p_discounted_payback_never = s.discounted_payback.share_undefined();
  return s;
}

std::size_t median_path(const MarketPaths& m) {
  if (m.n_paths == 0) throw Error("scenario '" + m.scenario + "' has no paths");
  const auto Y = static_cast<std::size_t>(m.years);
  std::vector<std::pair<double, std::size_t>> total(m.n_paths);
  for (std::size_t i = 0; i < m.n_paths; ++i) {
    double s = 0.0;
    for (std::size_t t = 0; t < Y; ++t) s += m.hashprice_year_usd_per_th[i * Y + t];
    total[i] = {s, i};
  }
  const auto mid = total.begin() + static_cast<std::ptrdiff_t>((m.n_paths - 1) / 2);
  std::nth_element(total.begin(), mid, total.end());
  return mid->second;
}

namespace {
PlayResult evaluate_play(std::string key, std::string label, double capital, std::vector<double> cf,
                         const MarketPaths& m, double rate) {
  PlayResult r;
  r.key = std::move(key);
  r.label = std::move(label);
  r.available = true;
  r.capital_site_ccy = capital;
  r.metrics = compute_metrics(cf, m.n_paths, m.years, rate, capital);
  r.summary = summarize_play(r.metrics);
  r.cashflows = std::move(cf);
  return r;
}
PlayResult unavailable(std::string key, std::string label, std::string why) {
  PlayResult r;
  r.key = std::move(key);
  r.label = std::move(label);
  r.unavailable_reason = std::move(why);
  return r;
}
}  // namespace

SiteAnalysis analyse_site(const SiteConfig& c, const FxRate& fx, const std::vector<MinerOffer>& offers,
                          const MarketPaths& sel, const std::vector<const MarketPaths*>& scenarios) {
  SiteAnalysis a;
  a.config = c;
  a.fx = fx;
  a.selection_scenario = sel.scenario;
  const double hp = sel.year1_mean_hashprice_usd_per_th_day();
  const OperatingTerms st = site_terms(c, fx.usd_to_site);
  a.selection = select_miner(offers, st, hp, c.table_power_prices_per_kwh, c.forced_miner);
  if (a.selection.chosen) {
    a.site = build_site(c.site_power_kw, c.load_factor, a.selection.miners[*a.selection.chosen], st);
    if (a.site->plant.n_miners == 0) {
      a.selection.reason += "; but one miner needs " + std::to_string(a.site->miner_power_kw_incl_overhead) +
                            " kW, more than the site's effective power";
      a.site.reset();
    }
  }
  std::string hosted_why = "hosted_price_per_kwh is not set in the site file";
  if (c.hosted_price_per_kwh > 0.0) {
    const OperatingTerms ht = hosted_terms(c, fx.usd_to_site);
    a.hosted_selection = select_miner(offers, ht, hp, c.table_power_prices_per_kwh, c.forced_miner);
    hosted_why = "no site capex to spend (no viable site build)";
    if (a.hosted_selection->chosen && a.site) {
      const MinerOffer& m = a.hosted_selection->miners[*a.hosted_selection->chosen].offer;
      const auto n = static_cast<std::int64_t>(std::floor(a.site->plant.capex_site_ccy / m.price_site_ccy));
      if (n > 0) a.hosted = make_plant(m, ht, n);
      else hosted_why = "the site capex buys no hosted miner";
    } else if (!a.hosted_selection->chosen) {
      hosted_why = "no viable miner at the hosted all-in price";
    }
  }
  const std::string no_site = a.selection.reason;
  for (const MarketPaths* m : scenarios) {
    ScenarioResult r;
    r.scenario = m->scenario;
    r.n_paths = m->n_paths;
    r.years = m->years;
    r.median_path = median_path(*m);
    const double rate = c.discount_rate_per_year;
    if (a.site) {
      const Plant& p = a.site->plant;
      r.plays.push_back(evaluate_play("site", "your site", p.capex_site_ccy, plant_cashflows(p, *m), *m, rate));
      plant_path_lines(p, *m, r.median_path, r.median_site_lines);
      r.plays.push_back(evaluate_play("btc", "buy BTC", p.capex_site_ccy, btc_cashflows(p.capex_site_ccy, p, *m), *m,
                                      rate));
    } else {
      r.plays.push_back(unavailable("site", "your site", no_site));
      r.plays.push_back(unavailable("btc", "buy BTC", "no site capex to compare with (no viable site build)"));
    }
    if (a.hosted) {
      r.plays.push_back(
          evaluate_play("hosted", "hosted", a.hosted->capex_site_ccy, plant_cashflows(*a.hosted, *m), *m, rate));
    } else {
      r.plays.push_back(unavailable("hosted", "hosted", hosted_why));
    }
    a.scenarios.push_back(std::move(r));
  }
  return a;
}

}  // namespace hashsim::site
