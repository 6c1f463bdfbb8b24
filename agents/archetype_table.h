#pragma once
// The frozen description of every agent of a scenario, as structure-of-arrays: environment
// archetypes first (machine -> strategy (sell daily, long BTC) -> tariff band, the reference's
// order), then observer fleets. Built once per scenario, shared const& by all paths.
#include <cstdint>
#include <vector>

#include "agents/agents_config.h"
#include "agents/generations.h"
#include "agents/machine_catalogue.h"

namespace hashsim::agents {

struct ArchetypeTable {
  MachineCatalogue catalogue;
  RuleProfile profile = RuleProfile::Default;
  std::size_t n_env = 0;        // environment archetypes (machines x strategies x tariffs)
  std::size_t n_observers = 0;  // fixed observer fleets, after the archetypes
  std::size_t size() const { return n_env + n_observers; }
  std::size_t n_bands = 0;  // tariff bands of the config

  // One entry per agent (archetype or observer fleet).
  std::vector<int> machine;  // index into catalogue.machines
  std::vector<double> tariff_usd_per_kwh;
  std::vector<int> tariff_band;  // index into config.tariffs; observers: n_bands (no band)
  std::vector<Strategy> strategy;
  std::vector<double> is_long_btc;             // 1.0 for Long BTC, else 0.0 (branch-free booking)
  std::vector<double> hashrate_ths;            // per machine
  std::vector<double> power_kw;                // per machine
  std::vector<double> power_cost_usd_per_day;  // per machine: kW x 24 h x tariff
  std::vector<double> inv_power_cost_usd_per_day;  // 1 / the above (0 at a zero tariff)
  std::vector<double> price0_usd;                  // per machine, catalogue price
  std::vector<double> growth_factor;
  std::vector<int> delay_days;
  std::vector<int>
      pipeline_delay_days;  // default rules: max(1, delay), online the next day at the earliest
  std::vector<double> initial_machines;  // at day 0 (scaled for archetypes)
  std::vector<double> network_weight;    // 1 if the agent's hashrate counts in the network
  std::vector<double> budget_usd;        // observers: purchase budget; archetypes: 0
  // reference-2021: the seeded daily P&L of the 30-day history (unscaled float counts, a quirk).
  std::vector<double> seed_pnl_usd_per_day;
  std::vector<double> buyable;  // 1.0: sold new (generations off: every archetype)
  int max_delay_days = 0;
  // Machine generations (config.generations): epochs[0] starts on day 0; empty when off (the
  // per-agent arrays above then hold all along). epochs[0]'s arrays equal the ones above.
  std::vector<GenerationEpoch> epochs;

  double initial_network_hashrate_ths() const;
};

// start_network_hashrate_ths: the default profile scales archetypes so that archetypes plus
// counted observers equal it; reference-2021 scales archetypes alone to
// reference.start_hashrate_ths. With config.generations on, start_date (YYYY-MM-DD, day 0) and
// horizon_days place the catalogue's release dates: machines released after the start begin with no
// units and are sold from their release; future generations are scheduled up to the horizon (Error
// without a start date or without release dates in the catalogue).
ArchetypeTable build_archetype_table(const AgentsConfig& config, double start_network_hashrate_ths,
                                     const std::string& start_date = "", int horizon_days = 0);

// Archetypes that order the same machine (catalogue slot, so the same price that day) with the
// same TH/s and power cost share one forward-value evaluation a day (want_orders): source[a] is the
// first archetype with a's (slot, TH/s, cost) key (exact double equality); evaluated lists those
// first archetypes. Over the first n archetypes (the environment ones).
void group_forward_value_pairs(std::size_t n, const int* order_slot,
                               const double* order_hashrate_ths,
                               const double* order_power_cost_usd_per_day,
                               std::vector<std::size_t>& source,
                               std::vector<std::size_t>& evaluated);

}  // namespace hashsim::agents
