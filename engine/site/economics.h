#pragma once
// Site economics over simulated revenue paths: miner selection, site build, yearly cashflows per
// path for the site and two other plays with the same money (buy BTC; hosted mining), and the
// metrics' distributions. Pure functions over plain values; HDF5 reading lives in paths_input.h.
// Formulas and their assumptions: scenarios/README-site.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/site/metrics.h"
#include "engine/site/site_config.h"

namespace hashsim::site {

inline constexpr double kDaysPerYear = 365.0;  // simulation years are 365 simulated days

// What running one miner costs and earns, beyond its price.
struct OperatingTerms {
  double power_price_per_kwh = 0.0;        // site currency, year 1
  double escalation_per_year = 0.0;        // power price in year t: p (1 + e)^(t-1)
  double overhead_power_fraction = 0.0;    // extra power on top of the miner's own
  double uptime_fraction = 1.0;            // share of time hashing (and drawing power)
  double pool_fee_fraction = 0.0;
  double fixed_cost_per_miner_per_year = 0.0;  // site currency
  double resale_fraction = 0.0;            // of capex, at the end of the horizon
  double fx_usd_to_site = 1.0;             // site currency per USD, constant over the horizon
  bool shutdown_when_unprofitable = false; // switch off (no revenue, no power) in losing months
};
OperatingTerms site_terms(const SiteConfig& c, double fx_usd_to_site);
// Hosted: the all-in price per kWh covers power, cooling and hosting (no overhead, no fixed fees).
OperatingTerms hosted_terms(const SiteConfig& c, double fx_usd_to_site);

struct MinerEconomics {
  MinerOffer offer;
  double energy_kwh_per_day = 0.0;    // incl. overhead, at uptime
  double cost_per_day_site_ccy = 0.0;
  double revenue_per_day_site_ccy = 0.0;
  double profit_per_day_site_ccy = 0.0;
  double payback_days = 0.0;          // price / profit per day; NaN when profit <= 0
  double breakeven_power_price_per_kwh = 0.0;  // power price at which profit per day is 0
  bool viable() const { return profit_per_day_site_ccy > 0.0; }
};
MinerEconomics miner_economics(const MinerOffer& m, const OperatingTerms& t, double hashprice_usd_per_th_day);

struct Selection {
  double hashprice_usd_per_th_day = 0.0;  // year-1 mean over paths and days of the selection scenario
  double power_price_per_kwh = 0.0;
  std::vector<MinerEconomics> miners;     // offer order
  std::optional<std::size_t> chosen;      // none: no viable miner at this power price
  std::string reason;
  std::vector<double> grid_power_prices_per_kwh;
  std::vector<double> grid_cost_per_th_day_site_ccy;  // [grid][miner], row-major
  std::vector<double> grid_payback_days;              // [grid][miner], NaN where profit <= 0
};
Selection select_miner(const std::vector<MinerOffer>& offers, const OperatingTerms& t, double hashprice_usd_per_th_day,
                       const std::vector<double>& grid_power_prices_per_kwh, const std::string& forced_miner = "");

// A set of identical miners with the terms they run on.
struct Plant {
  MinerOffer miner;
  OperatingTerms terms;
  std::int64_t n_miners = 0;
  double hashrate_ths = 0.0;
  double energy_kwh_per_day = 0.0;
  double capex_site_ccy = 0.0;
  double fixed_cost_per_year_site_ccy = 0.0;
  double power_cost_in_year(int t) const;  // t = 1..years
};
Plant make_plant(const MinerOffer& m, const OperatingTerms& t, std::int64_t n_miners);

struct SiteBuild {
  double site_power_kw = 0.0;
  double effective_power_kw = 0.0;           // site_power x load_factor
  double miner_power_kw_incl_overhead = 0.0;
  double used_power_kw = 0.0;
  double unused_power_kw = 0.0;
  Plant plant;
  double power_cost_per_day_site_ccy = 0.0;  // year 1
  double other_cost_per_day_site_ccy = 0.0;
  double revenue_per_day_site_ccy = 0.0;     // year 1, at the selection hashprice
  double gross_profit_per_day_site_ccy = 0.0;
};
SiteBuild build_site(double site_power_kw, double load_factor, const MinerEconomics& chosen, const OperatingTerms& t);

// One scenario's per-path market inputs over the horizon, USD.
struct MarketPaths {
  std::string scenario;
  std::size_t n_paths = 0;
  int years = 0;
  std::vector<double> hashprice_year_usd_per_th;  // [path][year]: sum of daily USD/(TH/s)/day over the year
  std::vector<double> hashprice_month_usd_per_th; // [path][12 years]: same over each month; may be empty
                                                  // unless a plant shuts down in losing months
  std::vector<double> price_usd_day0;             // [path]
  std::vector<double> price_usd_month_end;        // [path][12 years]: on day month_end_day(m)
  double year1_mean_hashprice_usd_per_th_day() const;
};
inline int months(int years) { return 12 * years; }
// Day index of the end of month m (0-based): floor((m + 1) 365 / 12) - 1; month 12Y-1 ends on day 365Y-1.
// Month m covers days month_end_day(m - 1) + 1 .. month_end_day(m) (30 or 31 days).
int month_end_day(int m);
inline int days_in_month(int m) { return month_end_day(m) - month_end_day(m - 1); }

// Cashflows [path][year 0..Y], site currency:
// CF_0 = -capex; CF_t = revenue_t - power_t - fixed; CF_Y += resale x capex, where
// revenue_t = hashrate x sum_{days in year t} hashprice x uptime x (1 - pool fee) x fx.
// With shutdown_when_unprofitable, revenue_t - power_t becomes sum over the year's months of
// max(revenue_m - power_t x days_m / 365, 0): the plant is off in months that would lose money.
std::vector<double> plant_cashflows(const Plant& p, const MarketPaths& m);
// One path's lines behind those cashflows, index t = 0..Y (0 at t = 0), site currency.
struct YearLines {
  std::vector<double> revenue, power, other;
  double resale = 0.0;  // received at the end of year Y
};
void plant_path_lines(const Plant& p, const MarketPaths& m, std::size_t path, YearLines& out);
// Buy BTC with `capital` on day 0, then at each month end with the plant's power bill for that
// month (power_t / 12); CF_0 = -capital, CF_t = -power_t, CF_Y += holdings x price(day 365Y-1) x fx.
std::vector<double> btc_cashflows(double capital_site_ccy, const Plant& p, const MarketPaths& m);

struct PathMetrics {
  std::vector<double> npv_site_ccy, irr, roic, payback_years, discounted_payback_years;  // NaN: none / never
  std::vector<std::int8_t> irr_status;  // IrrStatus
};
PathMetrics compute_metrics(const std::vector<double>& cashflows, std::size_t n_paths, int years, double rate,
                            double capital_site_ccy);

struct PlaySummary {
  Distribution npv, irr, roic, payback, discounted_payback;
  double share_no_irr = 0, share_multiple_irr = 0;
  double p_npv_negative = 0, p_payback_never = 0, p_discounted_payback_never = 0;
};
PlaySummary summarize_play(const PathMetrics& pm);

// The median path: the path whose horizon-total hashprice (sum over years) has rank
// floor((n - 1) / 2) in ascending order. The same market path is shown for every play.
std::size_t median_path(const MarketPaths& m);

struct PlayResult {
  std::string key;    // site | btc | hosted
  std::string label;
  bool available = false;
  std::string unavailable_reason;
  double capital_site_ccy = 0.0;
  std::vector<double> cashflows;  // [path][Y+1]
  PathMetrics metrics;
  PlaySummary summary;
};
struct ScenarioResult {
  std::string scenario;
  std::size_t n_paths = 0;
  int years = 0;
  std::size_t median_path = 0;
  YearLines median_site_lines;    // the site's revenue and costs on the median path
  std::vector<PlayResult> plays;  // site, btc, hosted
};

struct FxRate {
  double usd_to_site = 1.0;
  std::string source;          // "identity (USD site)", "site file", "snapshot fx_usd_gbp (provider)"
  std::string provider_time, fetched_at;
  bool stale = false;
};

// Everything the site command computes, before output.
struct SiteAnalysis {
  SiteConfig config;
  FxRate fx;
  std::string selection_scenario;
  Selection selection;
  std::optional<SiteBuild> site;     // none when no miner is viable
  std::optional<Selection> hosted_selection;
  std::optional<Plant> hosted;
  std::vector<ScenarioResult> scenarios;
};
// selection_paths gives the year-1 revenue for the miner choice; scenarios are evaluated in order.
SiteAnalysis analyse_site(const SiteConfig& c, const FxRate& fx, const std::vector<MinerOffer>& offers,
                          const MarketPaths& selection_paths, const std::vector<const MarketPaths*>& scenarios);

}  // namespace hashsim::site
