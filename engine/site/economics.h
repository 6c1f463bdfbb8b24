#pragma once
// Site economics over simulated revenue paths: miner selection, site build, the plant's daily
// operation (curtailment policy), yearly cashflows per path for the site and the other plays with
// the same money (buy BTC + DCA, hosted mining, a government bond, an equity index), tax and
// financing, and the metrics' distributions, risk, breakevens and sensitivities. Pure functions
// over plain values; HDF5 reading lives in paths_input.h. Formulas: scenarios/README-site.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/site/metrics.h"
#include "engine/util/units.h"
#include "engine/site/site_config.h"

namespace hashsim::site {

using units::kDaysPerYear;  // simulation years are 365 simulated days

// What running one miner costs and earns, beyond its price.
struct OperatingTerms {
  double power_price_per_kwh = 0.0;      // site currency, year 1 (off-peak when a tariff is set)
  double escalation_per_year = 0.0;      // power price in year t: p (1 + e)^(t-1)
  double overhead_power_fraction = 0.0;  // extra power on top of the miner's own
  double uptime_fraction = 1.0;          // share of time hashing (and drawing power)
  double pool_fee_fraction = 0.0;
  double fixed_cost_per_miner_per_year = 0.0;  // site currency
  double resale_fraction = 0.0;                // of miner capex, at the end of operation
  double fx_usd_to_site =
      1.0;  // site currency per USD on day 0 (and throughout unless an FX path is given)
  OperatingPolicyConfig policy;  // mode always_on: never curtail
  TariffConfig tariff;
};
OperatingTerms site_terms(const SiteConfig& c, double fx_usd_to_site);
// Hosted: the all-in price per kWh covers power, cooling and hosting (no overhead, no fixed fees,
// no escalation); uptime is the host's guarantee; the hosted miners run always-on.
OperatingTerms hosted_terms(const SiteConfig& c, double fx_usd_to_site);

struct MinerEconomics {
  MinerOffer offer;
  double energy_kwh_per_day = 0.0;  // incl. overhead, at uptime
  double cost_per_day_site_ccy = 0.0;
  double revenue_per_day_site_ccy = 0.0;
  double profit_per_day_site_ccy = 0.0;
  double payback_days = 0.0;                   // price / profit per day; NaN when profit <= 0
  double breakeven_power_price_per_kwh = 0.0;  // power price at which profit per day is 0
  bool viable() const { return profit_per_day_site_ccy > 0.0; }
  // Filled by analyse_site from the whole horizon of the selection scenario (NaN until then):
  std::int64_t n_fit = 0;         // miners of this model the site's power takes
  double npv_p50_site_ccy = 0.0;  // site NPV P50 with n_fit of them, under the operating policy
  double prob_npv_positive = 0.0;
};
MinerEconomics miner_economics(const MinerOffer& m, const OperatingTerms& t,
                               double hashprice_usd_per_th_day);

struct Selection {
  double hashprice_usd_per_th_day =
      0.0;  // year-1 mean over paths and days of the selection scenario
  double power_price_per_kwh = 0.0;
  std::string criterion = "min_payback";
  std::vector<MinerEconomics> miners;  // offer order
  std::optional<std::size_t> chosen;   // none: no viable miner at this power price
  std::string reason;
  std::vector<double> grid_power_prices_per_kwh;
  std::vector<double> grid_cost_per_th_day_site_ccy;  // [grid][miner], row-major
  std::vector<double> grid_payback_days;              // [grid][miner], NaN where profit <= 0
};
// Year-1 figures and the min_payback choice among miners that are viable and fit the site
// (site_power_kw x load_factor >= one miner's power incl. overhead; site_power_kw <= 0: no check).
Selection select_miner(const std::vector<MinerOffer>& offers, const OperatingTerms& t,
                       double hashprice_usd_per_th_day,
                       const std::vector<double>& grid_power_prices_per_kwh,
                       const std::string& forced_miner = "", double effective_power_kw = 0.0);

// A set of identical miners with the terms they run on.
struct Plant {
  MinerOffer miner;
  OperatingTerms terms;
  std::int64_t n_miners = 0;
  double hashrate_ths = 0.0;
  double energy_kwh_per_day = 0.0;  // running all day, at uptime, incl. overhead
  double capex_miners_site_ccy = 0.0;
  double capex_infra_site_ccy = 0.0;  // site infrastructure (0 for hosted)
  double infra_life_years = 10.0;
  double infra_recovery_of_book = 0.0;
  double setup_fees_site_ccy = 0.0;  // hosted setup fees, paid on day 0
  double fixed_cost_per_year_site_ccy = 0.0;
  int operating_years = 0;  // 0: the whole horizon (a hosted term may be shorter)
  double capex_total() const {
    return capex_miners_site_ccy + capex_infra_site_ccy + setup_fees_site_ccy;
  }
  double power_price_in_year(int t) const;  // off-peak / flat price, t = 1..years
  double peak_price_in_year(int t) const;
  // Received at the end of operation: resale of the miners plus the recovered book value of the
  // infrastructure (straight line over its life).
  double terminal_value(int years_operated) const;
};
Plant make_plant(const MinerOffer& m, const OperatingTerms& t, std::int64_t n_miners);

struct SiteBuild {
  double site_power_kw = 0.0;
  double effective_power_kw = 0.0;  // site_power x load_factor
  double miner_power_kw_incl_overhead = 0.0;
  double used_power_kw = 0.0;
  double unused_power_kw = 0.0;
  Plant plant;
  double power_cost_per_day_site_ccy = 0.0;  // year 1, always on
  double other_cost_per_day_site_ccy = 0.0;
  double revenue_per_day_site_ccy = 0.0;  // year 1, at the selection hashprice
  double gross_profit_per_day_site_ccy = 0.0;
};
// infra_capex_per_kw is charged on the power built (used_power_kw).
SiteBuild build_site(double site_power_kw, double load_factor, const MinerEconomics& chosen,
                     const OperatingTerms& t, const InfrastructureConfig& infra = {});

// One scenario's per-path market inputs over the horizon, USD, one value per simulated day.
struct MarketPaths {
  std::string scenario;
  std::size_t n_paths = 0;
  int years = 0;
  std::vector<double> hashprice_usd_per_th_day;  // [path][365 years]
  std::vector<double> price_usd;                 // [path][365 years]: BTC price that day
  std::size_t days() const { return static_cast<std::size_t>(years) * 365; }
  double year1_mean_hashprice_usd_per_th_day() const;
  double horizon_mean_hashprice_usd_per_th_day() const;
  double hashprice_year_sum(std::size_t path, int year) const;  // year = 1..years
};
inline int months(int years) { return 12 * years; }
// Day index of the end of month m (0-based): floor((m + 1) 365 / 12) - 1; month 12Y-1 ends on day
// 365Y-1.
int month_end_day(int m);
inline int days_in_month(int m) { return month_end_day(m) - month_end_day(m - 1); }

// Optional stochastic FX (site ccy per USD) per path and day; empty: constant terms.fx_usd_to_site.
// ln x_d - ln x_{d-1} = -sigma^2 / 730 + sigma / sqrt(365) (rho z_d + sqrt(1 - rho^2) e_d), x_0 =
// the day-0 rate, z_d the path's standardised daily BTC log return, e_d standard normal from the
// SiteFx stream.
struct FxPaths {
  std::vector<double> usd_to_site;  // [path][day]
  bool empty() const { return usd_to_site.empty(); }
};
FxPaths simulate_fx(const FxModelConfig& c, double fx0, const MarketPaths& m, std::uint64_t seed);

// How the plant is run.
enum class Operation { Policy, AlwaysOn, PerfectForesight };
// One-at-a-time what-ifs for breakevens and the tornado (neutral values by default).
struct Shocks {
  double power_price_factor = 1.0;
  double revenue_factor = 1.0;  // BTC price level: USD revenue scales with it, network held fixed
  double hashrate_growth_delta = 0.0;  // hashprice on day d x (1 + delta)^(-d / 365)
  double capex_factor = 1.0;           // capex, resale and recovered infrastructure
};

// One path's lines, index t = 0..Y (0 at t = 0), site currency.
struct YearLines {
  std::vector<double> revenue, power, other, restart;
  std::vector<double>
      opex_month;       // [12 Y]: power + other + restart paid in each month (the DCA amounts)
  double resale = 0.0;  // terminal value, received at the end of year resale_year
  int resale_year = 0;
  double days_on = 0.0;  // days the plant ran (off-peak block)
  int restarts = 0;
};
// The plant's daily operation on one path. Each day d of year t: full-day revenue
// R_d = hashrate u (1 - f) x_d h_d; energy E; price p_t (off-peak) and q_t (peak, share s = peak
// hours / 24). Policy: expected margin per MWh m_d = (R^_d / E - p_t) 1000 with R^_d from the mean
// hashprice of the last trailing_days days (day 0: h_0); the plant switches off after
// days_before_off consecutive days with m_d < threshold and back on (paying restart_cost x n) after
// days_before_on days with m_d >= threshold; while on it runs the off-peak block and the peak block
// when (R^_d / E - q_t) 1000 >= threshold. AlwaysOn: every block every day. PerfectForesight: each
// block on the days its realised margin is positive, no restart cost: an upper bound for any
// policy.
void plant_path_lines(const Plant& p, const MarketPaths& m, std::size_t path, Operation op,
                      YearLines& out, const Shocks& s = {}, const FxPaths* fx = nullptr);
// CF [path][year 0..Y]: CF_0 = -capex_total; CF_t = revenue_t - power_t - other_t - restart_t;
// CF_{resale year} += terminal value. days_on_share: per path, share of days run (optional).
std::vector<double> plant_cashflows(const Plant& p, const MarketPaths& m, Operation op,
                                    const Shocks& s = {}, const FxPaths* fx = nullptr,
                                    std::vector<double>* days_on_share = nullptr);
// Buy BTC with the site's total capex on day 0 and, at each month end, with that month's full site
// opex on that path (power, other opex, hosting fees, restarts, as the site would have spent under
// `op`). CF_0 = -capex, CF_t = -opex_t, CF_Y += holdings x price(day 365Y - 1) x x_end.
// invested[path] = capex + sum of opex.
std::vector<double> btc_cashflows(const Plant& site, const MarketPaths& m, Operation op,
                                  const FxPaths* fx, std::vector<double>& invested);
// Government bond: CF_0 = -C, CF_t = y C, CF_Y += C (deterministic, the same on every path).
std::vector<double> bond_cashflows(double capital, double yield, std::size_t n_paths, int years);
// Equity index (total return): V_t = V_{t-1} exp(mu - sigma^2 / 2 + sigma Z_t), V_0 = C, Z_t from
// the SiteEquityIndex stream of path i; CF_0 = -C, CF_Y = V_Y (E[V_Y] = C e^(mu Y)).
std::vector<double> equity_index_cashflows(double capital, double mu, double sigma,
                                           std::size_t n_paths, int years, std::uint64_t seed);

// Debt schedule (the same on every path): interest_t = rate x balance_{t-1}, principal per
// amortisation; whatever is outstanding at the horizon is repaid in year Y.
struct DebtSchedule {
  double amount = 0.0;
  std::vector<double> interest, principal;  // [Y+1], index 0 = 0
};
DebtSchedule debt_schedule(double amount, const FinancingConfig& f, int years);
// Corporation tax per year on EBITDA_t - interest_t - capital allowances_t (pool = capex_total;
// year 1: first_year_allowance x C + writing_down x the rest; later years writing_down x pool; at
// the horizon, taken as the end of the trade, the pool less the terminal value is a balancing
// allowance (or, negative, a charge) instead). Losses are carried forward against later profits;
// tax is paid in the year it arises. ebitda[t], t = 0..Y.
std::vector<double> tax_by_year(const std::vector<double>& ebitda,
                                const std::vector<double>& interest, double capex_total,
                                double terminal_value, const TaxConfig& tax);

enum class RoicBasis { MinerCapex, Invested };
struct PathMetrics {
  std::vector<double> npv_site_ccy, irr, mirr, roic, payback_years,
      discounted_payback_years;                // NaN: none / never / n/a
  std::vector<std::int8_t> irr_status;         // IrrStatus
  std::vector<std::vector<double>> irr_roots;  // every root per path
};
// roic_capital: per path (Invested) or one value for all paths (MinerCapex, size 1).
PathMetrics compute_metrics(const std::vector<double>& cashflows, std::size_t n_paths, int years,
                            double rate, const std::vector<double>& roic_capital, RoicBasis basis,
                            bool payback_applicable);

struct PlaySummary {
  Distribution npv, irr, mirr, roic, payback, discounted_payback, invested;
  double share_no_irr = 0, share_multiple_irr = 0;
  double p_npv_negative = 0, p_payback_never = 0, p_discounted_payback_never = 0;
  Risk risk;
};
PlaySummary summarize_play(const PathMetrics& pm, const std::vector<double>& invested);

// The median path: the path whose horizon-total hashprice (sum over days) has rank
// floor((n - 1) / 2) in ascending order. The same market path is shown for every play.
std::size_t median_path(const MarketPaths& m);

struct PlayResult {
  std::string key;  // site | site_after_tax | equity | btc | hosted | bond | index
  std::string label;
  bool available = false;
  std::string unavailable_reason;
  std::string description;  // what the money does, one line
  RoicBasis roic_basis = RoicBasis::MinerCapex;
  bool payback_applicable = true;  // false: no inflow before the horizon to pay back with
  double capital_site_ccy = 0.0;   // money put in on day 0
  std::vector<double>
      invested_site_ccy;          // [path]: all money put in (day 0 plus later contributions)
  std::vector<double> cashflows;  // [path][Y+1]
  PathMetrics metrics;
  PlaySummary summary;
};

struct PolicyResult {
  std::string mode;  // daily | always_on | perfect_foresight
  Distribution npv;
  double p_npv_negative = 0.0;
  double mean_days_on_share = 0.0;
};
struct TornadoBar {
  std::string driver;  // what moved
  std::string low_label, high_label;
  double npv_p50_low = 0.0, npv_p50_high = 0.0;  // median site NPV with the driver at low / high
};
struct Breakeven {
  bool found = false;
  double revenue_factor = 0.0;      // multiple of every path's revenue at which median NPV = 0
  double btc_price_usd_day0 = 0.0;  // factor x the scenario's day-0 BTC price
  double hashprice_usd_per_th_day = 0.0;  // factor x the scenario's horizon-mean hashprice
};

struct ScenarioResult {
  std::string scenario;
  std::size_t n_paths = 0;
  int years = 0;
  std::size_t median_path = 0;
  YearLines median_site_lines;         // the site's revenue and costs on the median path
  std::vector<PlayResult> plays;       // site, site_after_tax, equity, btc, hosted, bond, index
  std::vector<PolicyResult> policies;  // the site under daily / always_on / perfect_foresight
  double npv_p50_base = 0.0;           // the tornado's centre
  std::vector<TornadoBar> tornado;     // largest swing first
  Breakeven breakeven;
  std::vector<std::string> warnings;
};

struct FxRate {
  double usd_to_site = 1.0;
  std::string source;  // "identity (USD site)", "site file", "snapshot fx_usd_gbp (provider)"
  std::string provider_time, fetched_at;
  bool stale = false;
};

// Everything the site command computes, before output.
struct SiteAnalysis {
  SiteConfig config;
  FxRate fx;
  std::string selection_scenario;
  Selection selection;
  std::optional<SiteBuild> site;  // none when no miner is viable or fits
  std::optional<Selection> hosted_selection;
  std::optional<Plant> hosted;
  std::optional<DebtSchedule> debt;
  std::vector<ScenarioResult> scenarios;
  std::vector<std::string> warnings;  // loud: printed first in the report
};
// selection_paths gives the year-1 revenue and the horizon NPVs for the miner choice; scenarios are
// evaluated in order.
SiteAnalysis analyse_site(const SiteConfig& c, const FxRate& fx,
                          const std::vector<MinerOffer>& offers, const MarketPaths& selection_paths,
                          const std::vector<const MarketPaths*>& scenarios);

}  // namespace hashsim::site
