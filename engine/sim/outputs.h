#pragma once
// The datasets one scenario writes per path, in a fixed order the path simulator fills:
//   paths/<series>                      [recorded_days]        (scenario.record.series order)
//   archetype_final/<field>             [n_archetypes]         (agents)
//   fleets/<field>                      [n_fleets, recorded_days]  (agents with observer fleets)
//   archetypes/<field>                  [n_archetypes, archetype_days]  (agents, when asked)
#include <cstddef>
#include <vector>

#include "engine/io/results_file.h"
#include "engine/scenario/scenario.h"

namespace hashsim::sim {

inline constexpr const char* kArchetypeFinalFields[] = {"machines_on", "machines_idle", "usd", "btc",
                                                         "profit_total_usd", "hashrate_ths"};
inline constexpr const char* kArchetypeFinalUnits[] = {"machines", "machines", "USD", "BTC", "USD", "TH/s"};
inline constexpr const char* kFleetFields[] = {"machines", "usd", "btc", "value_usd", "value_over_budget"};
inline constexpr const char* kFleetUnits[] = {"machines", "USD", "BTC", "USD", "1"};
inline constexpr const char* kArchetypeSeriesFields[] = {"machines_on", "position_usd"};
inline constexpr const char* kArchetypeSeriesUnits[] = {"machines", "USD"};

struct OutputLayout {
  std::size_t first_archetype_final = 0;
  std::size_t first_fleet = 0;
  std::size_t first_archetype_series = 0;
  bool has_agents = false, has_fleets = false, has_archetype_series = false;
  std::size_t n_archetypes = 0, n_fleets = 0;
  int archetype_every_days = 0;
  int archetype_days = 0;
  std::vector<io::OutputSpec> specs;
};

OutputLayout make_output_layout(const scenario::Scenario& s, std::size_t n_archetypes, std::size_t n_fleets);

}  // namespace hashsim::sim
