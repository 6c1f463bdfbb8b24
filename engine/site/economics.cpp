#include "engine/site/economics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "engine/rng/distributions.h"
#include "engine/rng/streams.h"
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
std::string num_text(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
double peak_share(const TariffConfig& t) { return t.peak_hours_per_day / kHoursPerDay; }
}  // namespace

OperatingTerms site_terms(const SiteConfig& c, double fx) {
  OperatingTerms t;
  t.power_price_per_kwh = c.power_price_per_kwh;
  t.escalation_per_year = c.power_price_escalation_per_year;
  t.overhead_power_fraction = c.overhead_power_fraction;
  t.uptime_fraction = c.uptime_fraction;
  t.pool_fee_fraction = c.pool_fee_fraction;
  t.fixed_cost_per_miner_per_year =
      c.other_opex_per_miner_per_year + 12.0 * c.hosting_fee_per_miner_per_month;
  t.resale_fraction = c.resale_fraction;
  t.fx_usd_to_site = fx;
  t.policy = c.policy;
  t.tariff = c.tariff;
  return t;
}

OperatingTerms hosted_terms(const SiteConfig& c, double fx) {
  OperatingTerms t = site_terms(c, fx);
  t.power_price_per_kwh = c.hosted.price_per_kwh;
  t.escalation_per_year = 0.0;
  t.overhead_power_fraction = 0.0;
  t.fixed_cost_per_miner_per_year = 0.0;
  if (c.hosted.uptime_guarantee) t.uptime_fraction = *c.hosted.uptime_guarantee;
  t.policy = OperatingPolicyConfig{};
  t.policy.mode = "always_on";
  t.tariff = TariffConfig{};
  return t;
}

MinerEconomics miner_economics(const MinerOffer& m, const OperatingTerms& t, double hashprice) {
  MinerEconomics e;
  e.offer = m;
  e.energy_kwh_per_day =
      m.power_kw() * (1.0 + t.overhead_power_fraction) * kHoursPerDay * t.uptime_fraction;
  const double fixed_per_day = t.fixed_cost_per_miner_per_year / kDaysPerYear;
  e.cost_per_day_site_ccy = e.energy_kwh_per_day * t.power_price_per_kwh + fixed_per_day;
  e.revenue_per_day_site_ccy = m.hashrate_ths * hashprice * t.uptime_fraction *
                               (1.0 - t.pool_fee_fraction) * t.fx_usd_to_site;
  e.profit_per_day_site_ccy = e.revenue_per_day_site_ccy - e.cost_per_day_site_ccy;
  e.payback_days = e.viable() ? m.price_site_ccy / e.profit_per_day_site_ccy : kNaN;
  // profit(p) = revenue - energy p - fixed = 0  =>  p* = (revenue - fixed) / energy
  e.breakeven_power_price_per_kwh =
      (e.revenue_per_day_site_ccy - fixed_per_day) / e.energy_kwh_per_day;
  e.npv_p50_site_ccy = kNaN;
  e.prob_npv_positive = kNaN;
  return e;
}

namespace {
std::int64_t miners_that_fit(double effective_kw, double miner_kw_incl_overhead) {
  // The relative nudge keeps an exact fit (950 kW / 3.8 kW = 250) from flooring to 249 on rounding.
  return static_cast<std::int64_t>(
      std::floor(effective_kw / miner_kw_incl_overhead * (1.0 + 1e-12)));
}
}  // namespace

Selection select_miner(const std::vector<MinerOffer>& offers, const OperatingTerms& t,
                       double hashprice, const std::vector<double>& grid, const std::string& forced,
                       double effective_kw) {
  Selection s;
  s.hashprice_usd_per_th_day = hashprice;
  s.power_price_per_kwh = t.power_price_per_kwh;
  s.grid_power_prices_per_kwh = grid;
  for (const auto& o : offers) {
    MinerEconomics e = miner_economics(o, t, hashprice);
    e.n_fit = effective_kw > 0.0
                  ? miners_that_fit(effective_kw, o.power_kw() * (1.0 + t.overhead_power_fraction))
                  : 1;
    s.miners.push_back(e);
  }
  bool any_viable = false;
  for (std::size_t i = 0; i < s.miners.size(); ++i) {
    const auto& e = s.miners[i];
    any_viable = any_viable || e.viable();
    if (!forced.empty()) {
      if (e.offer.name == forced) s.chosen = i;
    } else if (e.viable() && e.n_fit > 0 &&
               (!s.chosen || e.payback_days < s.miners[*s.chosen].payback_days)) {
      s.chosen = i;
    }
  }
  if (!forced.empty() && s.chosen) {
    s.reason = "chosen in the site file (miners.choose)";
    if (!s.miners[*s.chosen].viable())
      s.reason += "; NOTE: it loses money in year 1 at this power price";
  } else if (s.chosen) {
    s.reason =
        "shortest year-1 simple payback among the miners that fit the site and have positive "
        "year-1 profit";
  } else if (any_viable) {
    s.reason = "no miner with positive year-1 profit fits the site's usable power (" +
               num_text("%.3f", effective_kw) + " kW)";
  } else {
    s.reason = "no viable miner at this power price (" + price_text(t.power_price_per_kwh) +
               "): every miner's year-1 revenue per day is below its running cost";
    const auto best =
        std::max_element(s.miners.begin(), s.miners.end(), [](const auto& x, const auto& y) {
          return x.breakeven_power_price_per_kwh < y.breakeven_power_price_per_kwh;
        });
    if (best != s.miners.end())
      s.reason += "; the highest breakeven is " + price_text(best->breakeven_power_price_per_kwh) +
                  " (" + best->offer.name + ")";
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

double Plant::power_price_in_year(int t) const {
  return terms.power_price_per_kwh * std::pow(1.0 + terms.escalation_per_year, t - 1);
}
double Plant::peak_price_in_year(int t) const {
  return terms.tariff.peak_price_per_kwh * std::pow(1.0 + terms.escalation_per_year, t - 1);
}
double Plant::terminal_value(int years_operated) const {
  const double book = capex_infra_site_ccy *
                      std::max(0.0, 1.0 - static_cast<double>(years_operated) / infra_life_years);
  return terms.resale_fraction * capex_miners_site_ccy + infra_recovery_of_book * book;
}

Plant make_plant(const MinerOffer& m, const OperatingTerms& t, std::int64_t n) {
  Plant p;
  p.miner = m;
  p.terms = t;
  p.n_miners = n;
  const double nd = static_cast<double>(n);
  p.hashrate_ths = nd * m.hashrate_ths;
  p.energy_kwh_per_day =
      nd * m.power_kw() * (1.0 + t.overhead_power_fraction) * kHoursPerDay * t.uptime_fraction;
  p.capex_miners_site_ccy = nd * m.price_site_ccy;
  p.fixed_cost_per_year_site_ccy = nd * t.fixed_cost_per_miner_per_year;
  return p;
}

SiteBuild build_site(double site_power_kw, double load_factor, const MinerEconomics& chosen,
                     const OperatingTerms& t, const InfrastructureConfig& infra) {
  SiteBuild b;
  b.site_power_kw = site_power_kw;
  b.effective_power_kw = site_power_kw * load_factor;
  b.miner_power_kw_incl_overhead = chosen.offer.power_kw() * (1.0 + t.overhead_power_fraction);
  const auto n = miners_that_fit(b.effective_power_kw, b.miner_power_kw_incl_overhead);
  b.plant = make_plant(chosen.offer, t, n);
  b.used_power_kw = static_cast<double>(n) * b.miner_power_kw_incl_overhead;
  b.unused_power_kw = std::max(0.0, b.effective_power_kw - b.used_power_kw);
  b.plant.capex_infra_site_ccy = infra.capex_per_kw * b.used_power_kw;
  b.plant.infra_life_years = infra.life_years;
  b.plant.infra_recovery_of_book = infra.recovery_of_book_value;
  b.power_cost_per_day_site_ccy = b.plant.energy_kwh_per_day * t.power_price_per_kwh;
  b.other_cost_per_day_site_ccy = b.plant.fixed_cost_per_year_site_ccy / kDaysPerYear;
  b.revenue_per_day_site_ccy = static_cast<double>(n) * chosen.revenue_per_day_site_ccy;
  b.gross_profit_per_day_site_ccy =
      b.revenue_per_day_site_ccy - b.power_cost_per_day_site_ccy - b.other_cost_per_day_site_ccy;
  return b;
}

double MarketPaths::year1_mean_hashprice_usd_per_th_day() const {
  if (n_paths == 0 || years < 1) return kNaN;
  double s = 0.0;
  for (std::size_t p = 0; p < n_paths; ++p) s += hashprice_year_sum(p, 1);
  return s / static_cast<double>(n_paths) / kDaysPerYear;
}
double MarketPaths::horizon_mean_hashprice_usd_per_th_day() const {
  if (n_paths == 0 || years < 1) return kNaN;
  double s = 0.0;
  for (double h : hashprice_usd_per_th_day) s += h;
  return s / static_cast<double>(hashprice_usd_per_th_day.size());
}
double MarketPaths::hashprice_year_sum(std::size_t path, int year) const {
  const double* h =
      &hashprice_usd_per_th_day[path * days() + static_cast<std::size_t>(year - 1) * 365];
  double s = 0.0;
  for (int d = 0; d < 365; ++d) s += h[d];
  return s;
}

int month_end_day(int m) { return (m + 1) * 365 / 12 - 1; }

FxPaths simulate_fx(const FxModelConfig& c, double fx0, const MarketPaths& m, std::uint64_t seed) {
  FxPaths f;
  if (c.model != "gbm") return f;
  const std::size_t D = m.days();
  f.usd_to_site.resize(m.n_paths * D);
  const double sd_day = c.vol_per_sqrt_year / std::sqrt(kDaysPerYear);
  const double rho = c.correlation_with_btc, rho_c = std::sqrt(std::max(0.0, 1.0 - rho * rho));
  std::vector<double> z(D, 0.0);
  for (std::size_t i = 0; i < m.n_paths; ++i) {
    const double* px = &m.price_usd[i * D];
    // standardised daily BTC log returns of this path (z_0 unused)
    double mean = 0.0, sq = 0.0;
    for (std::size_t d = 1; d < D; ++d) {
      z[d] = std::log(px[d] / px[d - 1]);
      mean += z[d];
    }
    mean /= static_cast<double>(D - 1);
    for (std::size_t d = 1; d < D; ++d) sq += (z[d] - mean) * (z[d] - mean);
    const double sd = std::sqrt(sq / static_cast<double>(std::max<std::size_t>(D - 2, 1)));
    for (std::size_t d = 1; d < D; ++d) z[d] = sd > 0.0 ? (z[d] - mean) / sd : 0.0;
    rng::Engine e = rng::make_rng(seed, rng::Stream::SiteFx, i);
    double* x = &f.usd_to_site[i * D];
    double lx = std::log(fx0);
    x[0] = fx0;
    for (std::size_t d = 1; d < D; ++d) {
      lx += -0.5 * sd_day * sd_day + sd_day * (rho * z[d] + rho_c * rng::standard_normal(e));
      x[d] = std::exp(lx);
    }
  }
  return f;
}

namespace {
// How the plant is run on a day, with the policy's mode resolved (Policy with mode always_on runs
// every block every day, like AlwaysOn).
enum class DayRule { AlwaysOn, PerfectForesight, Daily };

// One plant on one scenario's paths under one operation and one set of shocks: what every path
// shares (the year's power prices, the day's hashrate-growth factor) is computed once here instead
// of once per path and day. Each shared value is the same expression, in the same order, that the
// daily loop used to evaluate on every day, so the lines are bit for bit what they were.
class PlantRun {
 public:
  PlantRun(const Plant& p, const MarketPaths& m, Operation op, const Shocks& s, const FxPaths* fx)
      : p_(p), m_(m), s_(s), fx_(fx && !fx->empty() ? fx : nullptr) {
    const OperatingPolicyConfig& pol = p.terms.policy;
    rule_ = op == Operation::PerfectForesight                ? DayRule::PerfectForesight
            : op == Operation::Policy && pol.mode == "daily" ? DayRule::Daily
                                                             : DayRule::AlwaysOn;
    years_run_ = p.operating_years > 0 ? std::min(p.operating_years, m.years) : m.years;
    run_days_ = static_cast<std::size_t>(years_run_) * 365;
    rev_per_usd_ = p.hashrate_ths * p.terms.uptime_fraction * (1.0 - p.terms.pool_fee_fraction) *
                   s.revenue_factor;
    restart_cost_ = static_cast<double>(p.n_miners) * pol.restart_cost_per_miner;
    // p_t and q_t (README-site.md): escalated once per year, not once per day
    price_.assign(static_cast<std::size_t>(years_run_) + 1, 0.0);
    peak_.assign(price_.size(), 0.0);
    for (int t = 1; t <= years_run_; ++t) {
      price_[static_cast<std::size_t>(t)] = p.power_price_in_year(t) * s.power_price_factor;
      peak_[static_cast<std::size_t>(t)] = p.peak_price_in_year(t) * s.power_price_factor;
    }
    // hashprice on day d x (1 + delta)^(-d / 365): the factor depends on d only
    if (s.hashrate_growth_delta != 0.0) {
      const double growth = 1.0 / (1.0 + s.hashrate_growth_delta);
      growth_.resize(run_days_);
      for (std::size_t d = 0; d < run_days_; ++d)
        growth_[d] = std::pow(growth, static_cast<double>(d) / kDaysPerYear);
    }
  }

  void lines(std::size_t path, YearLines& out) const {
    const auto Y = static_cast<std::size_t>(m_.years);
    out.revenue.assign(Y + 1, 0.0);
    out.power.assign(Y + 1, 0.0);
    out.other.assign(Y + 1, 0.0);
    out.restart.assign(Y + 1, 0.0);
    out.opex_month.assign(static_cast<std::size_t>(months(m_.years)), 0.0);
    out.resale = s_.capex_factor * p_.terminal_value(years_run_);
    out.resale_year = years_run_;
    out.days_on = 0.0;
    out.restarts = 0;
    switch (rule_) {
      case DayRule::AlwaysOn:
        run_days<DayRule::AlwaysOn>(path, out);
        break;
      case DayRule::PerfectForesight:
        run_days<DayRule::PerfectForesight>(path, out);
        break;
      case DayRule::Daily:
        run_days<DayRule::Daily>(path, out);
        break;
    }
    for (std::size_t t = 1; t <= static_cast<std::size_t>(years_run_); ++t)
      out.other[t] = p_.fixed_cost_per_year_site_ccy;
    for (int k = 0; k < months(years_run_); ++k)
      out.opex_month[static_cast<std::size_t>(k)] +=
          p_.fixed_cost_per_year_site_ccy * days_in_month(k) / kDaysPerYear;
  }

 private:
  // The days of one path, year by year and month by month (months end on whole days and twelve of
  // them make a year: month_end_day(12 t - 1) = 365 t - 1). Each year's and month's sums are
  // accumulated in locals from 0.0 in day order: the same additions as into the zeroed lines.
  template <DayRule Rule>
  void run_days(std::size_t path, YearLines& out) const {
    const std::size_t D = m_.days();
    const double* h = &m_.hashprice_usd_per_th_day[path * D];
    const double* x = fx_ ? &fx_->usd_to_site[path * D] : nullptr;
    const double* g = growth_.empty() ? nullptr : growth_.data();
    const double fx_const = p_.terms.fx_usd_to_site;
    const double rev_per_usd = rev_per_usd_;
    const double E = p_.energy_kwh_per_day;
    const double phi = peak_share(p_.terms.tariff);
    const OperatingPolicyConfig& pol = p_.terms.policy;
    const double threshold = pol.threshold_per_mwh;
    const auto N = static_cast<std::size_t>(pol.trailing_days);
    // hashprice as the operator sees it that day (shocked like the realised one)
    auto hp = [&](std::size_t d) { return g ? h[d] * g[d] : h[d]; };
    bool on = true;
    int run_length = 0;  // consecutive days whose signal disagrees with the state
    double trail_sum = 0.0;
    std::size_t trail_n = 0;
    double days_on = 0.0;
    int restarts = 0;
    std::size_t d = 0;
    for (int t = 1; t <= years_run_; ++t) {
      const auto ti = static_cast<std::size_t>(t);
      const double price = price_[ti], peak = peak_[ti];
      double revenue_t = 0.0, power_t = 0.0, restart_t = 0.0;
      for (int k = 12 * (t - 1); k < 12 * t; ++k) {
        const auto month_end = static_cast<std::size_t>(month_end_day(k));
        double opex_k = 0.0;
        for (; d <= month_end; ++d) {
          const double xd = x ? x[d] : fx_const;
          const double hd = hp(d);
          const double R = rev_per_usd * hd * xd;
          double run_base = 1.0, run_peak = 1.0, restart = 0.0;
          if constexpr (Rule == DayRule::PerfectForesight) {
            run_base = R > E * price ? 1.0 : 0.0;
            run_peak = R > E * peak ? 1.0 : 0.0;
          } else if constexpr (Rule == DayRule::Daily) {
            const double expected_h = trail_n ? trail_sum / static_cast<double>(trail_n) : hd;
            const double expected_rev_per_kwh = E > 0.0 ? rev_per_usd * expected_h * xd / E : 0.0;
            const bool want_on = (expected_rev_per_kwh - price) * 1000.0 >= threshold;
            // The switch as selects, not branches: the signal flips unpredictably near the
            // threshold, and a mispredicted branch waits for the divisions above.
            const bool disagree = want_on != on;
            run_length = disagree ? run_length + 1 : 0;
            const bool flip =
                disagree && run_length >= (on ? pol.days_before_off : pol.days_before_on);
            on = on != flip;
            run_length = flip ? 0 : run_length;
            const bool restarted = flip && on;
            restart = restarted ? restart_cost_ : 0.0;
            restarts += restarted ? 1 : 0;
            run_base = on ? 1.0 : 0.0;
            run_peak = on && (expected_rev_per_kwh - peak) * 1000.0 >= threshold ? 1.0 : 0.0;
            // the trailing window now includes today (known tomorrow); the day leaving it is
            // shocked as it was on its own day
            trail_sum += hd;
            ++trail_n;
            if (trail_n > N) {
              trail_sum -= hp(d - N);
              --trail_n;
            }
          }
          const double rev = R * ((1.0 - phi) * run_base + phi * run_peak);
          const double pow_cost = E * ((1.0 - phi) * run_base * price + phi * run_peak * peak);
          revenue_t += rev;
          power_t += pow_cost;
          restart_t += restart;
          days_on += run_base;
          opex_k += pow_cost + restart;
        }
        out.opex_month[static_cast<std::size_t>(k)] = opex_k;
      }
      out.revenue[ti] = revenue_t;
      out.power[ti] = power_t;
      out.restart[ti] = restart_t;
    }
    out.days_on = days_on;
    out.restarts = restarts;
  }

  const Plant& p_;
  const MarketPaths& m_;
  Shocks s_;
  const FxPaths* fx_;
  DayRule rule_ = DayRule::AlwaysOn;
  int years_run_ = 0;
  std::size_t run_days_ = 0;
  double rev_per_usd_ = 0.0;
  double restart_cost_ = 0.0;
  std::vector<double> price_, peak_;  // [t], t = 1..years_run
  std::vector<double> growth_;        // [d]; empty when the growth shock is 0
};

// fn(lines, i) for every path i, blocks of paths on TBB's threads, each block with its own lines.
// Every path writes only its own results, so they do not depend on the thread count or order.
template <class Fn>
void for_each_path(const PlantRun& run, std::size_t n_paths, Fn fn) {
  constexpr std::size_t kPathsPerTask = 8;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n_paths, kPathsPerTask),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      YearLines lines;
                      for (std::size_t i = r.begin(); i != r.end(); ++i) {
                        run.lines(i, lines);
                        fn(lines, i);
                      }
                    });
}

// Row `row` (Y + 1 values) of plant_cashflows from one path's lines.
void cashflow_row(const Plant& p, const YearLines& lines, const Shocks& s, std::size_t Y,
                  double* row) {
  row[0] = -s.capex_factor * p.capex_total();
  for (std::size_t t = 1; t <= Y; ++t)
    row[t] = lines.revenue[t] - lines.power[t] - lines.other[t] - lines.restart[t];
  row[lines.resale_year] += lines.resale;
}
double days_on_share_of(const YearLines& lines) {
  const double run_days = 365.0 * static_cast<double>(lines.resale_year);
  return run_days > 0 ? lines.days_on / run_days : 0.0;
}
// Row of btc_cashflows for path i from that path's site lines; returns the money put in.
double btc_row(const Plant& site, const MarketPaths& m, std::size_t i, const YearLines& lines,
               const FxPaths* fx, double* row) {
  const auto Y = static_cast<std::size_t>(m.years);
  const auto M = static_cast<std::size_t>(months(m.years));
  const std::size_t D = m.days();
  const double capital = site.capex_total();
  const double* price = &m.price_usd[i * D];
  const double* x = fx && !fx->empty() ? &fx->usd_to_site[i * D] : nullptr;
  auto fx_on = [&](std::size_t d) { return x ? x[d] : site.terms.fx_usd_to_site; };
  double btc = capital / fx_on(0) / price[0];
  row[0] = -capital;
  double invested = capital;
  for (std::size_t k = 0; k < M; ++k) {
    const auto d = static_cast<std::size_t>(month_end_day(static_cast<int>(k)));
    const double spend = lines.opex_month[k];
    btc += spend / fx_on(d) / price[d];
    row[k / 12 + 1] -= spend;
    invested += spend;
  }
  row[Y] += btc * price[D - 1] * fx_on(D - 1);
  return invested;
}
}  // namespace

void plant_path_lines(const Plant& p, const MarketPaths& m, std::size_t path, Operation op,
                      YearLines& out, const Shocks& s, const FxPaths* fx) {
  PlantRun(p, m, op, s, fx).lines(path, out);
}

std::vector<double> plant_cashflows(const Plant& p, const MarketPaths& m, Operation op,
                                    const Shocks& s, const FxPaths* fx,
                                    std::vector<double>* days_on_share) {
  const auto Y = static_cast<std::size_t>(m.years);
  std::vector<double> cf(m.n_paths * (Y + 1));
  if (days_on_share) days_on_share->assign(m.n_paths, 0.0);
  for_each_path(PlantRun(p, m, op, s, fx), m.n_paths, [&](const YearLines& lines, std::size_t i) {
    cashflow_row(p, lines, s, Y, &cf[i * (Y + 1)]);
    if (days_on_share) (*days_on_share)[i] = days_on_share_of(lines);
  });
  return cf;
}

std::vector<double> btc_cashflows(const Plant& site, const MarketPaths& m, Operation op,
                                  const FxPaths* fx, std::vector<double>& invested) {
  const auto Y = static_cast<std::size_t>(m.years);
  std::vector<double> cf(m.n_paths * (Y + 1));
  invested.assign(m.n_paths, 0.0);
  for_each_path(PlantRun(site, m, op, {}, fx), m.n_paths,
                [&](const YearLines& lines, std::size_t i) {
                  invested[i] = btc_row(site, m, i, lines, fx, &cf[i * (Y + 1)]);
                });
  return cf;
}

std::vector<double> bond_cashflows(double capital, double yield, std::size_t n_paths, int years) {
  const auto W = static_cast<std::size_t>(years) + 1;
  std::vector<double> cf(n_paths * W);
  for (std::size_t i = 0; i < n_paths; ++i) {
    cf[i * W] = -capital;
    for (std::size_t t = 1; t < W; ++t) cf[i * W + t] = yield * capital;
    cf[i * W + W - 1] += capital;
  }
  return cf;
}

std::vector<double> equity_index_cashflows(double capital, double mu, double sigma,
                                           std::size_t n_paths, int years, std::uint64_t seed) {
  const auto W = static_cast<std::size_t>(years) + 1;
  std::vector<double> cf(n_paths * W, 0.0);
  for (std::size_t i = 0; i < n_paths; ++i) {
    rng::Engine e = rng::make_rng(seed, rng::Stream::SiteEquityIndex, i);
    double v = capital;
    for (int t = 1; t <= years; ++t)
      v *= std::exp(mu - 0.5 * sigma * sigma + sigma * rng::standard_normal(e));
    cf[i * W] = -capital;
    cf[i * W + W - 1] = v;
  }
  return cf;
}

DebtSchedule debt_schedule(double amount, const FinancingConfig& f, int years) {
  DebtSchedule d;
  d.amount = amount;
  const auto Y = static_cast<std::size_t>(years);
  d.interest.assign(Y + 1, 0.0);
  d.principal.assign(Y + 1, 0.0);
  const double r = f.interest_rate;
  const int T = f.term_years;
  const double annuity = r > 0.0 ? amount * r / (1.0 - std::pow(1.0 + r, -T)) : amount / T;
  double balance = amount;
  for (std::size_t t = 1; t <= Y && balance > 0.0; ++t) {
    d.interest[t] = r * balance;
    double pay = 0.0;
    if (static_cast<int>(t) <= T) {
      if (f.amortisation == "annuity")
        pay = annuity - d.interest[t];
      else if (f.amortisation == "linear")
        pay = amount / T;
      else
        pay = static_cast<int>(t) == T ? balance : 0.0;
    }
    if (t == Y || static_cast<int>(t) == T) pay = balance;  // repaid at term, or at the horizon
    pay = std::min(pay, balance);
    d.principal[t] = pay;
    balance -= pay;
  }
  return d;
}

std::vector<double> tax_by_year(const std::vector<double>& ebitda,
                                const std::vector<double>& interest, double capex_total,
                                double terminal_value, const TaxConfig& tax) {
  const std::size_t W = ebitda.size();
  std::vector<double> out(W, 0.0);
  if (!tax.enabled || W < 2) return out;
  const std::size_t Y = W - 1;
  double pool = capex_total, losses = 0.0;
  for (std::size_t t = 1; t <= Y; ++t) {
    double allowance;
    if (t ==
        Y) {  // end of the trade: balancing allowance (or charge) on the pool less the proceeds
      double first = 0.0;
      if (t == 1) {
        first = tax.first_year_allowance * pool;
        pool -= first;
      }
      allowance = first + pool - terminal_value;
      pool = 0.0;
    } else if (t == 1) {
      const double first = tax.first_year_allowance * pool;
      pool -= first;
      const double wda = tax.writing_down_rate * pool;
      pool -= wda;
      allowance = first + wda;
    } else {
      allowance = tax.writing_down_rate * pool;
      pool -= allowance;
    }
    double taxable = ebitda[t] - interest[t] - allowance;
    if (taxable < 0.0) {
      losses += -taxable;
      continue;
    }
    const double used = std::min(losses, taxable);
    losses -= used;
    out[t] = tax.rate * (taxable - used);
  }
  return out;
}

PathMetrics compute_metrics(const std::vector<double>& cf, std::size_t n_paths, int years,
                            double rate, const std::vector<double>& capital, RoicBasis basis,
                            bool payback_applicable) {
  const auto W = static_cast<std::size_t>(years) + 1;
  if (cf.size() != n_paths * W)
    throw Error("compute_metrics: cashflow array does not match paths x (years + 1)");
  PathMetrics pm;
  pm.npv_site_ccy.resize(n_paths);
  pm.irr.resize(n_paths);
  pm.mirr.resize(n_paths);
  pm.roic.resize(n_paths);
  pm.payback_years.resize(n_paths);
  pm.discounted_payback_years.resize(n_paths);
  pm.irr_status.resize(n_paths);
  pm.irr_roots.resize(n_paths);
  for (std::size_t i = 0; i < n_paths; ++i) {
    const std::span<const double> row(&cf[i * W], W);
    pm.npv_site_ccy[i] = npv(row, rate);
    IrrResult r = irr_detail(row);
    pm.irr_status[i] = static_cast<std::int8_t>(r.status);
    pm.irr[i] = r.status == IrrStatus::Unique ? r.roots.front() : kNaN;
    pm.irr_roots[i] = std::move(r.roots);
    pm.mirr[i] = mirr(row, rate, rate);
    const double cap = capital.size() == 1 ? capital[0] : capital[i];
    pm.roic[i] = basis == RoicBasis::MinerCapex ? roic(row, cap) : roic_on_invested(row, cap);
    pm.payback_years[i] = payback_applicable ? nan_if_none(payback_years(row)) : kNaN;
    pm.discounted_payback_years[i] =
        payback_applicable ? nan_if_none(discounted_payback_years(row, rate)) : kNaN;
  }
  return pm;
}

PlaySummary summarize_play(const PathMetrics& pm, const std::vector<double>& invested) {
  PlaySummary s;
  const auto n = pm.npv_site_ccy.size();
  s.npv = summarize(pm.npv_site_ccy);
  s.irr = summarize(pm.irr);
  s.mirr = summarize(pm.mirr);
  s.roic = summarize(pm.roic);
  s.payback = summarize(pm.payback_years, true);
  s.discounted_payback = summarize(pm.discounted_payback_years, true);
  s.invested = summarize(invested);
  s.risk = risk_of(pm.npv_site_ccy);
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
  const std::size_t D = m.days();
  std::vector<std::pair<double, std::size_t>> total(m.n_paths);
  for (std::size_t i = 0; i < m.n_paths; ++i) {
    double s = 0.0;
    for (std::size_t d = 0; d < D; ++d) s += m.hashprice_usd_per_th_day[i * D + d];
    total[i] = {s, i};
  }
  const auto mid = total.begin() + static_cast<std::ptrdiff_t>((m.n_paths - 1) / 2);
  std::nth_element(total.begin(), mid, total.end());
  return mid->second;
}

namespace {
PlayResult evaluate_play(std::string key, std::string label, std::string description,
                         double capital, std::vector<double> cf, std::vector<double> invested,
                         const MarketPaths& m, double rate, RoicBasis basis,
                         const std::vector<double>& roic_capital, bool payback_applicable) {
  PlayResult r;
  r.key = std::move(key);
  r.label = std::move(label);
  r.description = std::move(description);
  r.available = true;
  r.roic_basis = basis;
  r.payback_applicable = payback_applicable;
  r.capital_site_ccy = capital;
  r.metrics =
      compute_metrics(cf, m.n_paths, m.years, rate, roic_capital, basis, payback_applicable);
  r.summary = summarize_play(r.metrics, invested);
  r.invested_site_ccy = std::move(invested);
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

double median_npv(const std::vector<double>& cf, std::size_t n, int years, double rate) {
  const auto W = static_cast<std::size_t>(years) + 1;
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = npv(std::span<const double>(&cf[i * W], W), rate);
  return median_of(std::move(v));
}

// One path's after-tax project cashflows and levered equity cashflows of the site (W = Y + 1
// values each) from its lines under the policy.
void after_tax_rows(const SiteConfig& c, const Plant& p, const DebtSchedule& debt,
                    const YearLines& l, std::size_t Y, double* pr, double* eq) {
  const std::size_t W = Y + 1;
  const std::vector<double> no_interest(W, 0.0);
  std::vector<double> ebitda(W);
  for (std::size_t t = 1; t <= Y; ++t)
    ebitda[t] = l.revenue[t] - l.power[t] - l.other[t] - l.restart[t];
  const auto tax_u = tax_by_year(ebitda, no_interest, p.capex_total(), l.resale, c.tax);
  const auto tax_l = tax_by_year(ebitda, debt.interest, p.capex_total(), l.resale, c.tax);
  pr[0] = -p.capex_total();
  eq[0] = -(p.capex_total() - debt.amount);
  for (std::size_t t = 1; t <= Y; ++t) {
    pr[t] = ebitda[t] - tax_u[t];
    eq[t] = ebitda[t] - debt.interest[t] - debt.principal[t] - tax_l[t];
  }
  pr[l.resale_year] += l.resale;
  eq[l.resale_year] += l.resale;
}

// Everything of the site as built and run under its policy with no shock, per path, from one run
// of the plant's days (the site play, its days-on share, after tax, equity, buy BTC): the plays,
// the policy value, the tornado's centre and discount-rate bar and the breakeven's first step
// all read these instead of running the same days again.
struct SiteBaseRun {
  std::vector<double> cashflows, days_on_share, project, equity, btc, btc_invested;
};
SiteBaseRun site_base_run(const SiteConfig& c, const Plant& p, const DebtSchedule& debt,
                          const MarketPaths& m, const FxPaths* fx) {
  const auto Y = static_cast<std::size_t>(m.years), W = Y + 1;
  SiteBaseRun b;
  b.cashflows.assign(m.n_paths * W, 0.0);
  b.days_on_share.assign(m.n_paths, 0.0);
  b.project.assign(m.n_paths * W, 0.0);
  b.equity.assign(m.n_paths * W, 0.0);
  b.btc.assign(m.n_paths * W, 0.0);
  b.btc_invested.assign(m.n_paths, 0.0);
  for_each_path(PlantRun(p, m, Operation::Policy, {}, fx), m.n_paths,
                [&](const YearLines& lines, std::size_t i) {
                  cashflow_row(p, lines, {}, Y, &b.cashflows[i * W]);
                  b.days_on_share[i] = days_on_share_of(lines);
                  after_tax_rows(c, p, debt, lines, Y, &b.project[i * W], &b.equity[i * W]);
                  b.btc_invested[i] = btc_row(p, m, i, lines, fx, &b.btc[i * W]);
                });
  return b;
}

std::string pct_text(double v) { return num_text("%.1f %%", 100.0 * v); }

// Each fitting miner's horizon NPVs in the selection scenario `sel` (as the site it would build)
// and, unless the site file forces a miner or ranks by year-1 payback, the choice by those NPVs.
void rank_by_horizon_npv(Selection& selection, const SiteConfig& c, const OperatingTerms& st,
                         const MarketPaths& sel, const FxPaths& sel_fx, double rate) {
  for (auto& e : selection.miners) {
    if (e.n_fit <= 0) continue;
    const SiteBuild b = build_site(c.site_power_kw, c.load_factor, e, st, c.infrastructure);
    const auto cf = plant_cashflows(b.plant, sel, Operation::Policy, {}, &sel_fx);
    const auto W = static_cast<std::size_t>(sel.years) + 1;
    std::vector<double> v(sel.n_paths);
    std::size_t pos = 0;
    for (std::size_t i = 0; i < sel.n_paths; ++i) {
      v[i] = npv(std::span<const double>(&cf[i * W], W), rate);
      pos += v[i] > 0.0;
    }
    e.prob_npv_positive =
        sel.n_paths ? static_cast<double>(pos) / static_cast<double>(sel.n_paths) : kNaN;
    e.npv_p50_site_ccy = median_of(std::move(v));
  }
  if (!c.forced_miner.empty() || c.selection_criterion == "min_payback") return;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < selection.miners.size(); ++i) {
    const auto& e = selection.miners[i];
    if (e.n_fit <= 0) continue;
    if (!best) {
      best = i;
      continue;
    }
    const auto& b = selection.miners[*best];
    const bool better = c.selection_criterion == "max_npv_p50"
                            ? e.npv_p50_site_ccy > b.npv_p50_site_ccy
                            : (e.prob_npv_positive > b.prob_npv_positive ||
                               (e.prob_npv_positive == b.prob_npv_positive &&
                                e.npv_p50_site_ccy > b.npv_p50_site_ccy));
    if (better) best = i;
  }
  selection.chosen = best;
  selection.reason =
      !best ? "no miner fits the site's usable power"
      : c.selection_criterion == "max_npv_p50"
          ? "highest median NPV over the horizon of scenario '" + sel.scenario +
                "' (selection_criterion: max_npv_p50)"
          : "highest P(NPV > 0) over the horizon of scenario '" + sel.scenario +
                "' (selection_criterion: max_prob_npv_positive; ties: higher median NPV)";
}

// Builds a.site with the chosen miner (none when one miner needs more than the site's effective
// power) and adds the loud warnings about that choice.
void build_chosen_site(SiteAnalysis& a, const SiteConfig& c, const OperatingTerms& st,
                       const std::string& scenario, double rate) {
  if (!a.selection.chosen) return;
  const MinerEconomics& ch = a.selection.miners[*a.selection.chosen];
  a.site = build_site(c.site_power_kw, c.load_factor, ch, st, c.infrastructure);
  if (a.site->plant.n_miners == 0) {
    a.selection.reason += "; but one miner needs " +
                          num_text("%.3f", a.site->miner_power_kw_incl_overhead) +
                          " kW, more than the site's effective power";
    a.site.reset();
    return;
  }
  const double horizon_days = kDaysPerYear * c.horizon_years;
  if (!ch.viable())
    a.warnings.push_back("the chosen miner " + ch.offer.name +
                         " loses money in year 1 at this power price");
  else if (ch.payback_days > horizon_days)
    a.warnings.push_back("the chosen miner " + ch.offer.name + "'s year-1 simple payback (" +
                         num_text("%.0f", ch.payback_days) + " days) is longer than the " +
                         std::to_string(c.horizon_years) + "-year horizon (" +
                         num_text("%.0f", horizon_days) +
                         " days): it does not pay back within the horizon even at year-1 revenue");
  if (ch.prob_npv_positive < 0.5)
    a.warnings.push_back("P(NPV < 0) of the chosen miner " + ch.offer.name + " is " +
                         pct_text(1.0 - ch.prob_npv_positive) + " over the horizon of scenario '" +
                         scenario + "' (more likely to lose money than not at a " + pct_text(rate) +
                         " discount rate)");
  if (c.selection_criterion == "min_payback" && c.forced_miner.empty()) {
    const auto best_npv =
        std::max_element(a.selection.miners.begin(), a.selection.miners.end(),
                         [](const MinerEconomics& x, const MinerEconomics& y) {
                           const double xv = x.n_fit > 0 ? x.npv_p50_site_ccy : -1e300;
                           const double yv = y.n_fit > 0 ? y.npv_p50_site_ccy : -1e300;
                           return xv < yv;
                         });
    if (best_npv != a.selection.miners.end() && best_npv->offer.name != ch.offer.name &&
        best_npv->npv_p50_site_ccy > ch.npv_p50_site_ccy)
      a.warnings.push_back(
          "year-1 payback cannot see the halving or difficulty growth: over the horizon " +
          best_npv->offer.name + " has the higher median NPV (" +
          num_text("%.0f", best_npv->npv_p50_site_ccy) + " vs " +
          num_text("%.0f", ch.npv_p50_site_ccy) + "); selection_criterion: max_npv_p50 picks it");
  }
}

// The hosted alternative: the site capex spent on miners placed with a host (a.hosted_selection,
// a.hosted). Returns why a scenario has no hosted play when a.hosted stays empty.
std::string plan_hosted(SiteAnalysis& a, const SiteConfig& c, const FxRate& fx,
                        const std::vector<MinerOffer>& offers, double hashprice_usd_per_th_day) {
  if (c.hosted.price_per_kwh <= 0.0)
    return "no hosted contract in the site file (hosted.price_per_kwh is 0)";
  const OperatingTerms ht = hosted_terms(c, fx.usd_to_site);
  a.hosted_selection = select_miner(offers, ht, hashprice_usd_per_th_day,
                                    c.table_power_prices_per_kwh, c.forced_miner);
  if (!a.hosted_selection->chosen) return "no viable miner at the hosted all-in price";
  if (!a.site) return "no site capex to spend (no viable site build)";
  const MinerOffer& m = a.hosted_selection->miners[*a.hosted_selection->chosen].offer;
  const double per_miner = m.price_site_ccy + c.hosted.setup_fee_per_miner;
  const auto n = static_cast<std::int64_t>(std::floor(a.site->plant.capex_total() / per_miner));
  if (n <= 0) return "the site capex buys no hosted miner";
  a.hosted = make_plant(m, ht, n);
  a.hosted->setup_fees_site_ccy = static_cast<double>(n) * c.hosted.setup_fee_per_miner;
  a.hosted->operating_years = c.hosted.term_years;
  return "";
}

// Median NPV over the paths of `m` of the site run under its policy with shocks `s`.
double site_npv_p50(const Plant& p, const MarketPaths& m, const FxPaths& fxp, const Shocks& s,
                    double rate) {
  return median_npv(plant_cashflows(p, m, Operation::Policy, s, &fxp), m.n_paths, m.years, rate);
}

// The site's own plays: as built, after tax, the owners' equity, and buying BTC instead.
void add_site_plays(ScenarioResult& r, const SiteConfig& c, const Plant& p,
                    const DebtSchedule& debt, const MarketPaths& m, const FxPaths& fxp, double rate,
                    const SiteBaseRun& base) {
  const std::size_t n = m.n_paths;
  const std::vector<double> miner_capex{p.capex_miners_site_ccy};
  const std::vector<double> inv_site(n, p.capex_total());
  r.plays.push_back(
      evaluate_play("site", "your site",
                    "the site as built, run under the operating policy; before tax and financing",
                    p.capex_total(), base.cashflows, inv_site, m, rate, RoicBasis::MinerCapex,
                    miner_capex, true));
  plant_path_lines(p, m, r.median_path, Operation::Policy, r.median_site_lines, {}, &fxp);
  r.plays.push_back(evaluate_play(
      "site_after_tax", "after tax",
      c.tax.enabled ? "the site after corporation tax with capital allowances (unlevered)"
                    : "the site with no tax configured (same as 'your site')",
      p.capex_total(), base.project, inv_site, m, rate, RoicBasis::MinerCapex, miner_capex, true));
  const double eq0 = p.capex_total() - debt.amount;
  r.plays.push_back(evaluate_play("equity", "equity",
                                  "the owners' cashflows after debt service and tax (debt " +
                                      pct_text(c.financing.debt_share) + " of capex)",
                                  eq0, base.equity, std::vector<double>(n, eq0), m, rate,
                                  RoicBasis::Invested, {eq0}, true));
  r.plays.push_back(
      evaluate_play("btc", "buy BTC",
                    "the site capex in BTC on day 0, then each month's full site opex in BTC (DCA)",
                    p.capex_total(), base.btc, base.btc_invested, m, rate, RoicBasis::Invested,
                    base.btc_invested, false));
}

// The value of the operating policy: the site under the daily policy (when it has one), always
// on, and with perfect foresight.
void add_policy_values(ScenarioResult& r, const Plant& p, const MarketPaths& m, const FxPaths& fxp,
                       double rate, const SiteBaseRun& base) {
  const std::size_t n = m.n_paths;
  for (const auto& [mode, op] :
       {std::pair<const char*, Operation>{"daily policy", Operation::Policy},
        {"always on", Operation::AlwaysOn},
        {"perfect foresight", Operation::PerfectForesight}}) {
    if (op == Operation::Policy && p.terms.policy.mode != "daily") continue;
    PolicyResult pr;
    pr.mode = mode;
    // the base run is the policy's; without a daily policy the policy is to run always on
    const bool is_base =
        op == Operation::Policy || (op == Operation::AlwaysOn && p.terms.policy.mode != "daily");
    std::vector<double> share_run;
    const std::vector<double> cf_run =
        is_base ? std::vector<double>{} : plant_cashflows(p, m, op, {}, &fxp, &share_run);
    const std::vector<double>& cf = is_base ? base.cashflows : cf_run;
    const std::vector<double>& share = is_base ? base.days_on_share : share_run;
    const auto W = static_cast<std::size_t>(m.years) + 1;
    std::vector<double> v(n);
    std::size_t neg = 0;
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = npv(std::span<const double>(&cf[i * W], W), rate);
      neg += v[i] < 0.0;
    }
    pr.npv = summarize(v);
    pr.p_npv_negative = n ? static_cast<double>(neg) / static_cast<double>(n) : 0.0;
    pr.mean_days_on_share =
        n ? std::accumulate(share.begin(), share.end(), 0.0) / static_cast<double>(n) : 0.0;
    r.policies.push_back(pr);
  }
}

// Tornado: one driver at a time, the site's median NPV at its low and high setting; largest
// swing first.
void add_tornado(ScenarioResult& r, const SensitivityConfig& sv, const Plant& p,
                 const MarketPaths& m, const FxPaths& fxp, double rate, const SiteBaseRun& base) {
  const auto med = [&](const Shocks& s) { return site_npv_p50(p, m, fxp, s, rate); };
  const auto base_med = [&](double disc) {
    return median_npv(base.cashflows, m.n_paths, m.years, disc);
  };
  r.npv_p50_base = base_med(rate);
  auto bar = [&](std::string driver, std::string lo_label, std::string hi_label, double lo,
                 double hi) {
    r.tornado.push_back({std::move(driver), std::move(lo_label), std::move(hi_label), lo, hi});
  };
  // one shock set to its low, then its high setting
  auto shock_bar = [&](std::string driver, std::string lo_label, std::string hi_label,
                       double Shocks::*shock, double lo_value, double hi_value) {
    Shocks s;
    s.*shock = lo_value;
    const double lo = med(s);
    s.*shock = hi_value;
    bar(std::move(driver), std::move(lo_label), std::move(hi_label), lo, med(s));
  };
  shock_bar("power price", "-" + pct_text(sv.power_price), "+" + pct_text(sv.power_price),
            &Shocks::power_price_factor, 1.0 - sv.power_price, 1.0 + sv.power_price);
  shock_bar("BTC price level", "-" + pct_text(sv.btc_price), "+" + pct_text(sv.btc_price),
            &Shocks::revenue_factor, 1.0 - sv.btc_price, 1.0 + sv.btc_price);
  shock_bar("network hashrate growth", "+" + pct_text(sv.hashrate_growth_per_year) + "/y",
            "-" + pct_text(sv.hashrate_growth_per_year) + "/y", &Shocks::hashrate_growth_delta,
            sv.hashrate_growth_per_year, -sv.hashrate_growth_per_year);
  shock_bar("capex", "+" + pct_text(sv.capex), "-" + pct_text(sv.capex), &Shocks::capex_factor,
            1.0 + sv.capex, 1.0 - sv.capex);
  bar("discount rate", "+" + pct_text(sv.discount_rate), "-" + pct_text(sv.discount_rate),
      base_med(rate + sv.discount_rate), base_med(rate - sv.discount_rate));
  std::stable_sort(r.tornado.begin(), r.tornado.end(),
                   [](const TornadoBar& x, const TornadoBar& y) {
                     return std::fabs(x.npv_p50_high - x.npv_p50_low) >
                            std::fabs(y.npv_p50_high - y.npv_p50_low);
                   });
}

// Breakeven: the revenue multiple (BTC price level, network fixed) at which the site's median NPV
// is 0, by doubling until it is non-negative, then bisection.
// f(1), no shock, is the site's own median NPV, from its base run.
void find_breakeven(ScenarioResult& r, const Plant& p, const MarketPaths& m, const FxPaths& fxp,
                    double rate, const SiteBaseRun& base) {
  auto f = [&](double k) {
    Shocks b;
    b.revenue_factor = k;
    return site_npv_p50(p, m, fxp, b, rate);
  };
  double lo = 0.0, hi = 1.0, fhi = median_npv(base.cashflows, m.n_paths, m.years, rate);
  while (fhi < 0.0 && hi < 1024.0) {
    lo = hi;
    hi *= 2.0;
    fhi = f(hi);
  }
  if (!(fhi >= 0.0 && f(lo) < 0.0)) return;  // no sign change found (or a NaN)
  for (int it = 0; it < 60 && hi - lo > 1e-9 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (f(mid) < 0.0 ? lo : hi) = mid;
  }
  const std::size_t n = m.n_paths;
  r.breakeven.found = true;
  r.breakeven.revenue_factor = 0.5 * (lo + hi);
  double px0 = 0.0;
  for (std::size_t i = 0; i < n; ++i) px0 += m.price_usd[i * m.days()];
  r.breakeven.btc_price_usd_day0 = r.breakeven.revenue_factor * px0 / static_cast<double>(n);
  r.breakeven.hashprice_usd_per_th_day =
      r.breakeven.revenue_factor * m.horizon_mean_hashprice_usd_per_th_day();
}

// The site capex in traditional investments: a government bond and an equity index, each when
// the site file configures it.
void add_tradfi_plays(ScenarioResult& r, const SiteConfig& c, double capex, const MarketPaths& m,
                      double rate) {
  const std::size_t n = m.n_paths;
  const std::vector<double> inv(n, capex);
  if (c.tradfi.bond_yield > 0.0)
    r.plays.push_back(evaluate_play("bond", "gov. bond",
                                    "the site capex in a government bond at " +
                                        pct_text(c.tradfi.bond_yield) +
                                        " a year (annual coupon, par at the horizon)",
                                    capex, bond_cashflows(capex, c.tradfi.bond_yield, n, m.years),
                                    inv, m, rate, RoicBasis::Invested, inv, true));
  if (c.tradfi.equity_expected_return != 0.0 || c.tradfi.equity_vol > 0.0)
    r.plays.push_back(evaluate_play(
        "index", "equity index",
        "the site capex in an equity index (GBM, " + pct_text(c.tradfi.equity_expected_return) +
            " a year, vol " + pct_text(c.tradfi.equity_vol) + "), sold at the horizon",
        capex,
        equity_index_cashflows(capex, c.tradfi.equity_expected_return, c.tradfi.equity_vol, n,
                               m.years, c.seed),
        inv, m, rate, RoicBasis::Invested, inv, false));
}

// Every play, policy value, tornado bar and breakeven of one scenario's paths `m`.
ScenarioResult analyse_scenario(const SiteAnalysis& a, const FxRate& fx, const MarketPaths& m,
                                const std::string& hosted_why) {
  const SiteConfig& c = a.config;
  const double rate = c.discount_rate_per_year;
  ScenarioResult r;
  r.scenario = m.scenario;
  r.n_paths = m.n_paths;
  r.years = m.years;
  r.median_path = median_path(m);
  const FxPaths fxp = simulate_fx(c.fx_model, fx.usd_to_site, m, c.seed);
  const std::size_t n = m.n_paths;
  if (a.site) {
    const Plant& p = a.site->plant;
    const SiteBaseRun base = site_base_run(c, p, *a.debt, m, &fxp);
    add_site_plays(r, c, p, *a.debt, m, fxp, rate, base);
    add_policy_values(r, p, m, fxp, rate, base);
    add_tornado(r, c.sensitivity, p, m, fxp, rate, base);
    find_breakeven(r, p, m, fxp, rate, base);
    const PlaySummary& ss = r.plays.front().summary;
    if (ss.p_npv_negative > 0.5)
      r.warnings.push_back("scenario '" + r.scenario + "': P(NPV < 0) of the site is " +
                           pct_text(ss.p_npv_negative));
    if (ss.payback.p50 > static_cast<double>(m.years) || std::isinf(ss.payback.p50))
      r.warnings.push_back("scenario '" + r.scenario +
                           "': the median path does not pay back within the " +
                           std::to_string(m.years) + "-year horizon");
  } else {
    r.plays.push_back(unavailable("site", "your site", a.selection.reason));
    r.plays.push_back(
        unavailable("btc", "buy BTC", "no site capex to compare with (no viable site build)"));
  }
  if (a.hosted) {
    const Plant& h = *a.hosted;
    const std::vector<double> inv(n, h.capex_total());
    r.plays.push_back(evaluate_play("hosted", "hosted",
                                    "the site capex in miners placed with a host (" +
                                        std::to_string(h.n_miners) + " x " + h.miner.name + ")",
                                    h.capex_total(),
                                    plant_cashflows(h, m, Operation::AlwaysOn, {}, &fxp), inv, m,
                                    rate, RoicBasis::MinerCapex, {h.capex_miners_site_ccy}, true));
  } else {
    r.plays.push_back(unavailable("hosted", "hosted", hosted_why));
  }
  if (a.site) add_tradfi_plays(r, c, a.site->plant.capex_total(), m, rate);
  return r;
}
}  // namespace

SiteAnalysis analyse_site(const SiteConfig& c, const FxRate& fx,
                          const std::vector<MinerOffer>& offers, const MarketPaths& sel,
                          const std::vector<const MarketPaths*>& scenarios) {
  SiteAnalysis a;
  a.config = c;
  a.fx = fx;
  a.selection_scenario = sel.scenario;
  const double hp = sel.year1_mean_hashprice_usd_per_th_day();
  const double rate = c.discount_rate_per_year;
  const OperatingTerms st = site_terms(c, fx.usd_to_site);
  const double effective_kw = c.site_power_kw * c.load_factor;
  a.selection =
      select_miner(offers, st, hp, c.table_power_prices_per_kwh, c.forced_miner, effective_kw);
  a.selection.criterion = c.selection_criterion;
  const FxPaths sel_fx = simulate_fx(c.fx_model, fx.usd_to_site, sel, c.seed);
  rank_by_horizon_npv(a.selection, c, st, sel, sel_fx, rate);
  build_chosen_site(a, c, st, sel.scenario, rate);
  if (a.site)
    a.debt = debt_schedule(c.financing.debt_share * a.site->plant.capex_total(), c.financing,
                           c.horizon_years);
  const std::string hosted_why = plan_hosted(a, c, fx, offers, hp);
  for (const MarketPaths* m : scenarios)
    a.scenarios.push_back(analyse_scenario(a, fx, *m, hosted_why));
  return a;
}

}  // namespace hashsim::site
