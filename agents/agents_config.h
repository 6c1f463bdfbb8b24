#pragma once
// What a scenario says about its miner agents (the `agents:` section, keys in scenarios/README.md).
// Plain values, validated at load time and then frozen.
#include <filesystem>
#include <string>
#include <vector>

#include "engine/market/replay.h"

namespace hashsim::scenario {
class YamlMap;
}

namespace hashsim::agents {

enum class RuleProfile { Default, Reference2021 };
enum class Strategy : int { SellDaily = 0, LongBtc = 1 };
const char* strategy_name(Strategy s);   // "sell_daily" / "long_btc"
const char* profile_name(RuleProfile p);  // "default" / "reference-2021"

struct TariffBand {
  double usd_per_kwh = 0.0;  // the band's price (midpoint when given as a range)
  double weight = 0.0;       // population weight; weights sum to 1
};

struct ObserverFleet {
  std::string machine;
  double tariff_usd_per_kwh = 0.0;
  Strategy strategy = Strategy::LongBtc;
  double budget_usd = 1e6;
  bool counts_in_network = true;
};

// Parameters of hashsim's own (default) rules; documented with formulas in README.md.
struct DefaultRules {
  int window_days = 30;
  double pool_fee = 0.0;                          // fraction of revenue
  double hardware_failure_rate_per_year = 0.0;    // fraction of machines lost per year
  double reinvest_fraction = 0.5;                 // share of the 30-day profit spent on machines
  double max_payback_days = 720.0;                // buy only if price / margin <= this
  double max_switch_off_fraction_per_day = 0.10;  // bounded pace of switching off
  double restart_fraction_per_day = 0.25;         // bounded pace of restarting idle machines
};

// Inputs of the published 2021 model that are not market paths (README of the reference).
struct Reference2021 {
  double start_price_usd = 0.0;              // P0 in the machine-price formula
  double start_hashrate_ths = 0.0;           // HR0: the environment fleet is scaled to it
  double seed_hashprice_usd_per_th_day = 0.0;  // constant hashprice of the seeded 30-day history
  market::ReplaySpec reward;                 // network reward BTC/day per path and day
};

struct AgentsConfig {
  RuleProfile profile = RuleProfile::Default;
  std::filesystem::path catalogue_file;
  std::vector<TariffBand> tariffs;
  double strategy_weight[2] = {0.5, 0.5};  // indexed by Strategy
  std::vector<ObserverFleet> observers;
  DefaultRules rules{};
  Reference2021 reference{};
  int archetype_series_every_days = 0;     // 0: no per-archetype daily series
};

// Parses and validates `agents:`; relative file names resolve against the scenario's folder.
AgentsConfig parse_agents_config(scenario::YamlMap& m, const std::filesystem::path& scenario_file);

}  // namespace hashsim::agents
