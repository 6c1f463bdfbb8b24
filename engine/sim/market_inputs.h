#pragma once
// Data a scenario's paths read but never modify (replayed series), loaded once per scenario and
// shared const& by all workers.
#include <optional>

#include "engine/market/replay.h"
#include "engine/scenario/scenario.h"

namespace hashsim::sim {

struct MarketInputs {
  std::optional<market::ReplaySeries> price;
  std::optional<market::ReplaySeries> fees;
  std::optional<market::ReplaySeries> network;
  static MarketInputs load(const scenario::Scenario& s);
};

}  // namespace hashsim::sim
