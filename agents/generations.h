#pragma once
// Machine generations (README "Miner agents", "technology over time"): the efficiency frontier
// fitted on the dated ASIC spec list, and the schedule of which generation each catalogue slot
// holds, day by day, for one start date and horizon. Deterministic (the same for every path), so
// it is built once per scenario into the ArchetypeTable.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "agents/agents_config.h"
#include "agents/machine_catalogue.h"

namespace hashsim::agents {

// The efficiency frontier of a spec list (data/history/asic_specs.csv: release_year, optional
// release_month, hashrate_ths, power_w): per release year the lowest J/TH; OLS of ln(J/TH) on the
// year. Throws Error (file, line) on bad rows or fewer than two years.
struct EfficiencyFrontier {
  double log_change_per_year = 0.0;  // slope of ln(J/TH) per year (negative: machines improve)
  double intercept = 0.0;            // ln(J/TH) at year 0 (so ln J/TH = intercept + slope * year)
  int years = 0;                     // release years on the frontier
};
EfficiencyFrontier fit_efficiency_frontier(const std::filesystem::path& specs_file);

// One span of days during which every slot holds the same generation and the same generations
// are sold new. Per-agent arrays follow ArchetypeTable's order (archetypes, then observers, whose
// entries never change).
struct GenerationEpoch {
  int first_day = 0;
  std::vector<MachineSpec> machines;  // the generation each catalogue slot holds
  std::vector<double> hashrate_ths, power_kw, power_cost_usd_per_day, inv_power_cost_usd_per_day;
  std::vector<double> buyable;  // 1: the agent can order (some generation of its group is sold new)
  std::vector<int> pipeline_delay_days;
  // What an archetype orders: the generation sold new in its group (same strategy and tariff
  // band) with the lowest (price + T * 24 * kW * tariff) / TH (T: max_payback_days). It pays from
  // its own money; the machines go online in archetype order_to (themselves when nothing is sold:
  // buyable 0). order_*: that machine's specs, by payer.
  std::vector<int> order_to, order_slot, order_delay_days;
  std::vector<double> order_hashrate_ths, order_power_kw, order_power_cost_usd_per_day;
  // On first_day the least efficient slot merge_from takes the new generation; its machines join
  // slot merge_into counted at equal hashrate: n_into += n_from * merge_ratio,
  // merge_ratio = TH_from / TH_into (their power is then understated by the two generations' J/TH
  // gap).
  int merge_from = -1, merge_into = -1;
  double merge_ratio = 0.0;
  // Forward-value sharing in this epoch (group_forward_value_pairs on order_slot,
  // order_hashrate_ths, order_power_cost_usd_per_day): the ordered machine differs by epoch, so
  // does the grouping.
  std::vector<std::size_t> value_source, value_evaluated;
};

}  // namespace hashsim::agents
