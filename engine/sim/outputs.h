#pragma once
// The datasets one scenario writes per path, in a fixed order the path simulator fills:
//   paths/<series>                      [recorded_days]        (scenario.record.series order)
//   archetype_final/<field>             [n_archetypes]         (agents)
//   fleets/<field>                      [n_fleets, recorded_days]  (agents with observer fleets)
//   archetypes/<field>                  [n_archetypes, archetype_days]  (agents, when asked)
#include <cstddef>
#include <vector>

#include "engine/io/results_file.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"

namespace hashsim::sim {

// The fields of each group and their slot order: engine/io/schema.h (schema::ArchetypeFinal,
// schema::Fleet, schema::ArchetypeSeries); slot(group, field) is where the simulator writes them.
struct OutputLayout {
  std::size_t first_archetype_final = 0;
  std::size_t first_fleet = 0;
  std::size_t first_archetype_series = 0;
  bool has_agents = false, has_fleets = false, has_archetype_series = false;
  std::size_t n_archetypes = 0, n_fleets = 0;
  int archetype_every_days = 0;
  int archetype_days = 0;
  std::vector<io::OutputSpec> specs;
  std::size_t slot(io::schema::ArchetypeFinal f) const {
    return first_archetype_final + io::schema::slot(f);
  }
  std::size_t slot(io::schema::Fleet f) const { return first_fleet + io::schema::slot(f); }
  std::size_t slot(io::schema::ArchetypeSeries f) const {
    return first_archetype_series + io::schema::slot(f);
  }
};

OutputLayout make_output_layout(const scenario::Scenario& s, std::size_t n_archetypes,
                                std::size_t n_fleets);

}  // namespace hashsim::sim
