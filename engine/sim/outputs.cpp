#include "engine/sim/outputs.h"

#include <string>

namespace hashsim::sim {

OutputLayout make_output_layout(const scenario::Scenario& s, std::size_t n_archetypes,
                                std::size_t n_fleets) {
  namespace schema = io::schema;
  OutputLayout L;
  const auto days = static_cast<std::uint64_t>(s.recorded_days());
  const std::string paths = std::string(schema::kPathsGroup) + "/";
  for (auto series : s.record.series) {
    const std::string name = scenario::series_name(series);
    L.specs.push_back({paths + name,
                       {days},
                       scenario::series_unit(series),
                       true,
                       {schema::kDimDay},
                       schema::series_long_name(name)});
  }
  if (!s.agents) return L;
  L.has_agents = true;
  L.n_archetypes = n_archetypes;
  L.n_fleets = n_fleets;
  L.first_archetype_final = L.specs.size();
  for (const auto& f : schema::kArchetypeFinalFields)
    L.specs.push_back({std::string(schema::kArchetypeFinalGroup) + "/" + f.name,
                       {n_archetypes},
                       f.units,
                       true,
                       {schema::kDimAgent},
                       f.long_name});
  if (n_fleets > 0) {
    L.has_fleets = true;
    L.first_fleet = L.specs.size();
    for (const auto& f : schema::kFleetFields)
      L.specs.push_back({std::string(schema::kFleetsGroup) + "/" + f.name,
                         {n_fleets, days},
                         f.units,
                         true,
                         {schema::kDimFleet, schema::kDimDay},
                         f.long_name});
  }
  if (s.agents->archetype_series_every_days > 0) {
    L.has_archetype_series = true;
    L.archetype_every_days = s.agents->archetype_series_every_days;
    L.archetype_days = (s.horizon_days + L.archetype_every_days - 1) / L.archetype_every_days;
    L.first_archetype_series = L.specs.size();
    for (const auto& f : schema::kArchetypeSeriesFields)
      L.specs.push_back({std::string(schema::kArchetypesGroup) + "/" + f.name,
                         {n_archetypes, static_cast<std::uint64_t>(L.archetype_days)},
                         f.units,
                         false,
                         {schema::kDimAgent, schema::kDimArchetypeDay},
                         f.long_name,
                         L.archetype_every_days});
  }
  return L;
}

}  // namespace hashsim::sim
