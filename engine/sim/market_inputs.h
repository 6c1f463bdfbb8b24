#pragma once
// Everything a scenario's paths read but never modify: replayed series and the frozen agent
// table. Loaded once per scenario and shared const& by all workers.
#include <optional>

#include "agents/archetype_table.h"
#include "engine/market/replay.h"
#include "engine/scenario/scenario.h"

namespace hashsim::sim {

struct MarketInputs {
  std::optional<market::ReplaySeries> price;
  std::optional<market::ReplaySeries> fees;
  std::optional<market::ReplaySeries> network;
  std::optional<market::ReplaySeries> reward;  // reference-2021: network reward BTC/day
  std::optional<agents::ArchetypeTable> agents;
  static MarketInputs load(const scenario::Scenario& s);
};

}  // namespace hashsim::sim
