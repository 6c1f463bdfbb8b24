#include "engine/sim/outputs.h"

#include <string>

namespace hashsim::sim {

OutputLayout make_output_layout(const scenario::Scenario& s, std::size_t n_archetypes, std::size_t n_fleets) {
  OutputLayout L;
  const auto days = static_cast<std::uint64_t>(s.recorded_days());
  for (auto series : s.record.series)
    L.specs.push_back({std::string("paths/") + scenario::series_name(series), {days}, scenario::series_unit(series), true});
  if (!s.agents) return L;
  L.has_agents = true;
  L.n_archetypes = n_archetypes;
  L.n_fleets = n_fleets;
  L.first_archetype_final = L.specs.size();
  for (std::size_t i = 0; i < std::size(kArchetypeFinalFields); ++i)
    L.specs.push_back({std::string("archetype_final/") + kArchetypeFinalFields[i], {n_archetypes}, kArchetypeFinalUnits[i], true});
  if (n_fleets > 0) {
    L.has_fleets = true;
    L.first_fleet = L.specs.size();
    for (std::size_t i = 0; i < std::size(kFleetFields); ++i)
      L.specs.push_back({std::string("fleets/") + kFleetFields[i], {n_fleets, days}, kFleetUnits[i], true});
  }
  if (s.agents->archetype_series_every_days > 0) {
    L.has_archetype_series = true;
    L.archetype_every_days = s.agents->archetype_series_every_days;
    L.archetype_days = (s.horizon_days + L.archetype_every_days - 1) / L.archetype_every_days;
    L.first_archetype_series = L.specs.size();
    for (std::size_t i = 0; i < std::size(kArchetypeSeriesFields); ++i)
      L.specs.push_back({std::string("archetypes/") + kArchetypeSeriesFields[i],
                         {n_archetypes, static_cast<std::uint64_t>(L.archetype_days)}, kArchetypeSeriesUnits[i], false});
  }
  return L;
}

}  // namespace hashsim::sim
