#pragma once
// The site description: power, tariff, currency, finance terms, the miners offered for purchase and
// the realism terms. Loaded from YAML with YamlMap (file:line: key = value is not in [lo, hi]),
// then frozen. Keys, units, ranges and defaults: scenarios/README-site.md.
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

struct SiteConfig {
  std::filesystem::path file;
  std::string yaml_text;  // verbatim, for the JSON summary

  std::string name;
  double site_power_kw = 0.0;
  double load_factor = 1.0;                   // fraction of site power usable on average
  std::string currency = "GBP";               // GBP | USD | EUR: every money input and output
  double power_price_per_kwh = 0.0;           // site currency per kWh
  double power_price_escalation_per_year = 0.0;
  std::optional<double> fx_usd_to_site;       // site currency per USD; else from the data snapshot
  std::optional<double> fx_fallback_usd_to_site;  // used only when the snapshot has no rate
  double discount_rate_per_year = 0.08;
  int horizon_years = 5;
  std::string selection_scenario = "base";    // scenario whose year-1 revenue picks the miner

  std::filesystem::path catalogue_file;       // empty when miners are given inline
  std::vector<InlineMiner> inline_miners;
  std::string forced_miner;                   // optional: use this miner instead of the best payback

  double pool_fee_fraction = 0.0;
  double uptime_fraction = 1.0;
  double overhead_power_fraction = 0.0;       // cooling etc., on top of the miners' own power
  double other_opex_per_miner_per_year = 0.0;      // site currency
  double hosting_fee_per_miner_per_month = 0.0;    // site currency
  double resale_fraction = 0.0;               // of capex, received at the end of the horizon
  bool shutdown_when_unprofitable = false;    // switch miners off in months that would lose money

  double hosted_price_per_kwh = 0.0;          // all-in hosting price, site currency per kWh (0: skip)
  std::vector<double> table_power_prices_per_kwh;  // "payback by power price" table rows
};

inline constexpr int kMaxHorizonYears = 30;
// The site file's keys that hold amounts in the site currency (a number or a list of numbers),
// besides miners.list[].price: what `hashsim serve` converts when the user switches currency.
// Keep in step with parse_site_config.
inline constexpr const char* kSiteCurrencyKeys[] = {"power_price_per_kwh", "other_opex_per_miner_per_year",
                                                    "hosting_fee_per_miner_per_month", "hosted_price_per_kwh",
                                                    "table_power_prices_per_kwh"};

SiteConfig load_site_config(const std::filesystem::path& file);
// `file` names the text in messages and anchors relative paths (the catalogue).
SiteConfig parse_site_config(const std::string& yaml_text, const std::filesystem::path& file);

// The miners on offer: the inline list as given, or the catalogue's rows with USD prices
// multiplied by fx_usd_to_site.
std::vector<MinerOffer> miner_offers(const SiteConfig& c, double fx_usd_to_site);

}  // namespace hashsim::site
