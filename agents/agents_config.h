#pragma once
// What a scenario says about its miner agents (the `agents:` section, keys in scenarios/README.md).
// Plain values, validated at load time and then frozen.
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "engine/market/replay.h"

namespace hashsim {
class YamlMap;  // engine/util/yaml_reader.h
}

namespace hashsim::agents {

enum class RuleProfile { Default, Reference2021 };
enum class Strategy : int { SellDaily = 0, LongBtc = 1 };
const char* strategy_name(Strategy s);    // "sell_daily" / "long_btc"
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

// Parameters of hashsim's own (default) rules; documented with formulas in README.md ("Miner
// agents"). The defaults are the calibrated model; the "legacy" values that switch a mechanism off
// are given per field (tests use them to pin one mechanism at a time).
struct DefaultRules {
  int window_days = 30;
  double pool_fee = 0.0;                         // fraction of revenue
  double hardware_failure_rate_per_year = 0.05;  // fraction of machines lost per year (legacy: 0)
  double reinvest_fraction = 0.5;                // share of the 30-day profit spent on machines
  double max_payback_days =
      720.0;  // buy only if the expected profit over this many days covers the price
  double max_switch_off_fraction_per_day = 0.10;  // bounded pace of switching off
  double restart_fraction_per_day = 0.25;         // bounded pace of restarting idle machines
  // Forward-looking buy: expected continuous growth of difficulty (1/yr); the expected hashprice
  // over the payback horizon is hp * e^(-g t), times the post-halving reward share after the
  // next halving. Legacy: 0 and anticipate_halving = false (value = horizon * today's margin).
  double expected_difficulty_growth_per_year = 0.35;
  bool anticipate_halving = true;
  // Order size scales with the value/price excess: min(1, (V - price) / price) (legacy: false = 1).
  bool scale_orders_by_value = true;
  // Switch-off / restart decide on the mean decision hashprice of the last switch_window_days
  // (short-term; legacy: window_days) at a pace proportional to the margin (legacy: restart at
  // the full restart fraction whenever the margin is positive).
  int switch_window_days = 3;
  bool proportional_restart = true;
  // Retirement: idle machines with a negative margin are retired at this fraction a day and sold
  // at resale_fraction of today's machine price (legacy: 0, kept idle forever).
  double retire_fraction_per_day = 0.02;
  double resale_fraction = 0.3;
  // Equilibrium start: day 0 puts under-water archetypes idle and rescales the online fleet to
  // the start hashrate, seeds the profit window and the order pipeline (legacy: false).
  bool equilibrium_start = true;
  // Equilibrium machine prices (with equilibrium_start): day 0 scales every catalogue price by
  // one level L so that the day-0 orders grow the online fleet at equilibrium_growth_per_year
  // (NaN: the agents' own expected_difficulty_growth_per_year) plus replacing failures; L is
  // clamped to [1 / max, max] (legacy: false = the catalogue's listed prices, L = 1).
  bool equilibrium_machine_prices = true;
  double equilibrium_growth_per_year = std::numeric_limits<double>::quiet_NaN();
  double machine_price_level_max = 4.0;
  // Finite power per tariff band: capacity_b(d) = (1 + headroom) * power_b(0) * e^(growth d / 365),
  // power = kW of on + idle + pending machines; no order past it (legacy: headroom < 0 =
  // unlimited).
  double band_capacity_headroom = 0.10;
  double band_capacity_growth_per_year = 0.25;
  // Supply (YAML `agents.supply`): manufacturers ship c(d) = share * H0 / 30.4375 * e^(growth d /
  // 365) TH/s a day (H0: the start network hashrate). Orders queue behind the backlog B (TH/s of
  // all pending machines): delivery after max(spec delay, ceil((B + today's orders) / c)) days (at
  // most max_wait_days), and machine prices rise by premium * max(0, B / c - 30.4375) / 30.4375
  // (per month of backlog beyond one month of shipments). share <= 0: unlimited (legacy, and
  // without the section).
  double supply_share_per_month = 0.0;
  double supply_growth_per_year = 0.0;
  double supply_price_premium_per_backlog_month = 0.0;
  int supply_max_wait_days = 180;
};

// Machine generations (YAML `agents.generations`; README "Miner agents"): catalogue slots hold
// generations by release date (catalogue column `release_date`); a generation is sold new from its
// release for new_sale_years; future generations arrive every future_every_days after the newest
// catalogue release (or the start, if later) with J/TH = J/TH_newest *
// e^(log_efficiency_change_per_year
// * years since the newest release), the slope of the efficiency frontier fitted on `specs`
// (data/history/asic_specs.csv), at the newest machine's power and the lowest USD per TH/s of the
// newest release; each takes the slot of the least efficient generation, whose machines join the
// next least efficient slot at equal hashrate. Archetypes order the generation on sale with the
// lowest (price + max_payback_days * 24 * kW * tariff) / TH in their group (strategy, band).
struct Generations {
  bool enabled = false;
  double new_sale_years = 3.0;  // <= 0: every released generation is sold new for ever
  int future_every_days = 365;  // 0: no future generations
  std::filesystem::path specs_file;
  double log_efficiency_change_per_year =
      0.0;  // d ln(J/TH) / dt of the frontier (negative: improves)
};

// Exogenous hashrate shocks (YAML `agents.shocks`): a shock starts on a day with probability
// 1 - e^(-rate / 365) (Poisson arrivals), takes a fraction F ~ U[fraction_min, fraction_max] of the
// online fleet offline for duration_days days; overlapping shocks multiply the online share,
// prod (1 - F_i). Own random stream (rng::Stream::Shocks). rate 0: off.
struct Shocks {
  double rate_per_year = 0.0;
  double fraction_min = 0.0;
  double fraction_max = 0.0;
  int duration_days = 1;
  bool enabled() const { return rate_per_year > 0.0; }
};

// Parameter uncertainty (YAML `agents.uncertainty`; README "Miner agents", "Parameter
// uncertainty"): each path draws its own rules once, before day 0,
//   theta_path = clamp(theta + sd * z, lo, hi),  z ~ N(0, 1) independent per parameter,
// from its own random stream (rng::Stream::Parameters, a fixed kUncertainParameterCount normals per
// path whatever the sds), so a path stays a pure function of (scenario, seed, path index). theta
// is the scenario's (fitted) value, sd the spread of its estimate (`hashsim fit`), [lo, hi] the
// YAML range of the key. All sds 0: off (every path runs the scenario's rules).
struct ParameterUncertainty {
  double expected_difficulty_growth_sd = 0.0;  // of rules.expected_difficulty_growth_per_year
  double reinvest_fraction_sd = 0.0;           // of rules.reinvest_fraction
  double band_capacity_growth_sd = 0.0;        // of rules.band_capacity_growth_per_year
  double supply_growth_sd = 0.0;               // of supply.growth_per_year
  // Persistent hashrate-growth noise: the network the chain sees is the agents' online fleet times
  // e^(u d / 365), u ~ N(hashrate_drift, hashrate_drift_sd^2) per path (1/yr): the growth the agent
  // rules do not explain (miners outside the modelled economics, fleet-size error), persistent
  // over the path. It competes for the blocks, so the agents' hashprice and decisions respond.
  double hashrate_drift = 0.0;
  double hashrate_drift_sd = 0.0;
  bool enabled() const {
    return expected_difficulty_growth_sd > 0.0 || reinvest_fraction_sd > 0.0 ||
           band_capacity_growth_sd > 0.0 || supply_growth_sd > 0.0 || hashrate_drift_sd > 0.0 ||
           hashrate_drift != 0.0;
  }
};
inline constexpr int kUncertainParameterCount = 5;  // z[4]: the hashrate drift

// This path's rules: the scenario's with each uncertain parameter moved by sd * z[k] and clamped to
// its YAML range (order of z: the fields of ParameterUncertainty; z[4] is the hashrate drift,
// hashrate_drift_sd * z[4] per year, applied by the path simulator).
DefaultRules draw_path_rules(const DefaultRules& mean, const ParameterUncertainty& u,
                             const double (&z)[kUncertainParameterCount]);

// Inputs of the published 2021 model that are not market paths (README of the reference).
struct Reference2021 {
  double start_price_usd = 0.0;                // P0 in the machine-price formula
  double start_hashrate_ths = 0.0;             // HR0: the environment fleet is scaled to it
  double seed_hashprice_usd_per_th_day = 0.0;  // constant hashprice of the seeded 30-day history
  market::ReplaySpec reward;                   // network reward BTC/day per path and day
};

struct AgentsConfig {
  RuleProfile profile = RuleProfile::Default;
  std::filesystem::path catalogue_file;
  std::vector<TariffBand> tariffs;
  double strategy_weight[2] = {0.5, 0.5};  // indexed by Strategy
  std::vector<ObserverFleet> observers;
  DefaultRules rules{};
  Generations generations{};
  Shocks shocks{};
  ParameterUncertainty uncertainty{};
  Reference2021 reference{};
  int archetype_series_every_days = 0;  // 0: no per-archetype daily series
};

// Parses and validates `agents:`; relative file names resolve against the scenario's folder.
AgentsConfig parse_agents_config(YamlMap& m, const std::filesystem::path& scenario_file);

}  // namespace hashsim::agents
