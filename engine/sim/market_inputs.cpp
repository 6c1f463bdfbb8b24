#include "engine/sim/market_inputs.h"

namespace hashsim::sim {

MarketInputs MarketInputs::load(const scenario::Scenario& s) {
  MarketInputs in;
  if (s.price.kind == scenario::PriceModelKind::Replay)
    in.price = market::ReplaySeries::load(s.price.replay, s.horizon_days);
  if (s.fees.kind == scenario::FeeModelKind::Replay)
    in.fees = market::ReplaySeries::load(s.fees.replay, s.horizon_days);
  if (s.network.kind == scenario::NetworkModelKind::Replay)
    in.network = market::ReplaySeries::load(s.network.replay, s.horizon_days);
  if (s.agents) {
    in.agents = agents::build_archetype_table(*s.agents, s.start.network_hashrate_ths, s.start.date,
                                              s.horizon_days);
    if (s.agents->profile == agents::RuleProfile::Reference2021)
      in.reward = market::ReplaySeries::load(s.agents->reference.reward, s.horizon_days);
  }
  return in;
}

}  // namespace hashsim::sim
