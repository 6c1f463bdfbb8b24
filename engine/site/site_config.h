#pragma once
// The site description: power, tariff, currency, finance terms, the miners offered for purchase and
// the realism terms. Loaded from YAML with YamlMap (file:line: key = value is not in [lo, hi]),
// then frozen. Keys, units, ranges and defaults: scenarios/README-site.md.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hashsim::site {

// A miner offered for purchase, with its price already in the site currency.
struct MinerOffer {
  std::string name;
  double hashrate_ths = 0.0;
  double power_w = 0.0;
  double price_site_ccy = 0.0;
  double power_kw() const { return power_w / 1000.0; }
};

struct InlineMiner {
  std::string name;
  double hashrate_ths = 0.0, power_w = 0.0, price_site_ccy = 0.0;
};

// Day-by-day operation on what the operator knows that day (scenarios/README-site.md, "Operating
// policy").
struct OperatingPolicyConfig {
  std::string mode = "daily";      // daily (curtail on the rule below) | always_on
  int trailing_days = 7;           // expected hashprice = mean of the last N days' hashprice
  double threshold_per_mwh = 0.0;  // run while the expected margin per MWh is >= this (site ccy)
  int days_before_off = 2;         // consecutive days below the threshold before switching off
  int days_before_on = 2;          // consecutive days at or above it before switching back on
  double restart_cost_per_miner = 0.0;  // site ccy per miner per restart (labour, wear)
};

// A daily peak block at a higher price (time-of-day tariff); peak_hours_per_day 0: flat tariff.
struct TariffConfig {
  double peak_hours_per_day = 0.0;
  double peak_price_per_kwh = 0.0;  // site ccy per kWh, year 1; escalates like the base price
};

// The hosted-mining alternative: the site capex buys miners placed with a host.
struct HostedConfig {
  double price_per_kwh = 0.0;              // all-in (power, cooling, hosting); 0: no hosted play
  std::optional<double> uptime_guarantee;  // fraction; absent: the site's uptime
  double setup_fee_per_miner = 0.0;        // site ccy, paid on day 0
  int term_years = 0;                      // contract term; 0: the horizon
};

struct InfrastructureConfig {
  double capex_per_kw = 0.0;            // containers, transformers, grid connection, per kW built
  double life_years = 10.0;             // straight-line depreciation life
  double recovery_of_book_value = 0.5;  // share of the book value recovered at the horizon
};

struct FinancingConfig {
  double debt_share = 0.0;      // of the total capex, drawn on day 0
  double interest_rate = 0.08;  // per year on the outstanding balance
  int term_years = 5;
  std::string amortisation = "annuity";  // annuity | linear | bullet
};

// Corporation tax with capital allowances; UK defaults (main rate 25 % from 1 April 2023; full
// expensing of plant and machinery, i.e. a 100 % first-year allowance, from 1 April 2023; main-pool
// writing-down allowance 18 %).
struct TaxConfig {
  bool enabled = false;
  double rate = 0.25;
  double first_year_allowance = 1.0;
  double writing_down_rate = 0.18;
};

// What the same money earns outside mining.
struct TradFiConfig {
  double bond_yield = 0.0;              // per year, annual coupon, par back at the horizon; 0: skip
  double equity_expected_return = 0.0;  // per year (GBM drift); 0 with vol 0: skip
  double equity_vol = 0.0;              // per sqrt(year)
};

struct FxModelConfig {
  std::string model = "constant";  // constant | gbm
  double vol_per_sqrt_year = 0.0;
  double correlation_with_btc = 0.0;
};

// Sensitivity (tornado) steps: each driver moved down and up by this much, one at a time.
struct SensitivityConfig {
  double power_price = 0.20;               // relative
  double btc_price = 0.20;                 // relative, on revenue (network held fixed)
  double hashrate_growth_per_year = 0.10;  // absolute, extra network growth per year
  double capex = 0.20;                     // relative
  double discount_rate = 0.02;             // absolute
};

struct SiteConfig {
  std::filesystem::path file;
  std::string yaml_text;  // verbatim, for the JSON summary

  std::string name;
  double site_power_kw = 0.0;
  double load_factor = 1.0;          // fraction of site power usable on average
  std::string currency = "GBP";      // GBP | USD | EUR: every money input and output
  double power_price_per_kwh = 0.0;  // site currency per kWh
  double power_price_escalation_per_year = 0.0;
  std::optional<double> fx_usd_to_site;  // site currency per USD; else from the data snapshot
  std::optional<double> fx_fallback_usd_to_site;  // used only when the snapshot has no rate
  double discount_rate_per_year = 0.08;
  int horizon_years = 5;
  std::string selection_scenario = "base";  // scenario whose year-1 revenue picks the miner

  std::filesystem::path catalogue_file;  // empty when miners are given inline
  std::vector<InlineMiner> inline_miners;
  std::string forced_miner;  // optional: use this miner instead of the best payback

  double pool_fee_fraction = 0.0;
  double uptime_fraction = 1.0;
  double overhead_power_fraction = 0.0;          // cooling etc., on top of the miners' own power
  double other_opex_per_miner_per_year = 0.0;    // site currency
  double hosting_fee_per_miner_per_month = 0.0;  // site currency
  double resale_fraction = 0.0;                  // of capex, received at the end of the horizon
  std::string selection_criterion =
      "min_payback";  // min_payback | max_npv_p50 | max_prob_npv_positive
  OperatingPolicyConfig policy;
  TariffConfig tariff;
  HostedConfig hosted;
  InfrastructureConfig infrastructure;
  FinancingConfig financing;
  TaxConfig tax;
  TradFiConfig tradfi;
  FxModelConfig fx_model;
  SensitivityConfig sensitivity;
  std::uint64_t seed = 20260613;  // the equity-index and FX streams (engine/rng/streams.h)
  std::vector<double> table_power_prices_per_kwh;  // "payback by power price" table rows
};

inline constexpr int kMaxHorizonYears = 30;
// The site file's keys that hold amounts in the site currency (a number or a list of numbers),
// besides miners.list[].price: what `hashsim serve` converts when the user switches currency.
// Keep in step with parse_site_config.
inline constexpr const char* kSiteCurrencyKeys[] = {
    "power_price_per_kwh", "other_opex_per_miner_per_year", "hosting_fee_per_miner_per_month",
    "hosted_price_per_kwh", "table_power_prices_per_kwh"};

SiteConfig load_site_config(const std::filesystem::path& file);
// `file` names the text in messages and anchors relative paths (the catalogue).
SiteConfig parse_site_config(const std::string& yaml_text, const std::filesystem::path& file);

// The miners on offer: the inline list as given, or the catalogue's rows with USD prices
// multiplied by fx_usd_to_site.
std::vector<MinerOffer> miner_offers(const SiteConfig& c, double fx_usd_to_site);

}  // namespace hashsim::site
