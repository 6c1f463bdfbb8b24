#pragma once
// One Monte Carlo path as a pure function of (scenario, path_index): the daily loop of the
// market, chain, network and agent models. A PathSimulator is a per-worker workspace:
// constructed once, reset at the start of every path, no allocation inside the daily loop.
//
// Day d = 0 .. horizon-1 (date = start_date + d). Day 0 carries the start conditions; each later
// day first moves price and fees, then the chain advances one day under the network hashrate
// that is online that day (exogenous path, replay, or the agents' fleet decided yesterday), and
// hashprice follows:
//   hashprice_btc_per_th_day = (subsidy_btc + blocks * fee_btc_per_block) / network_hashrate_ths
//   hashprice_usd_per_th_day = hashprice_btc_per_th_day * price_usd
// With agents, every agent then earns that hashprice, decides, and the sum of their online
// hashrate is tomorrow's network hashrate (synchronous feedback).
#include <cstdint>
#include <vector>

#include "agents/miner_rules.h"
#include "agents/miner_state.h"
#include "agents/shocks.h"
#include "engine/chain/chain_state.h"
#include "engine/market/fee_model.h"
#include "engine/market/price_model.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/market_inputs.h"
#include "engine/sim/outputs.h"

namespace hashsim::sim {

class PathSimulator {
 public:
  PathSimulator(const scenario::Scenario& s, const MarketInputs& inputs,
                const OutputLayout& layout);
  // outputs[k] points at layout.specs[k].per_path_size() doubles for this path.
  void simulate(std::uint64_t path_index, double* const* outputs);

 private:
  void simulate_chain_model(std::uint64_t path_index, double* const* outputs);
  void simulate_reference_2021(std::uint64_t path_index, double* const* outputs);
  // Resets the chain, the agents and the shock process for a path and sets this path's rules;
  // returns the daily hashrate-drift step of agents.uncertainty (1 without it).
  double reset_for_path(std::uint64_t path_index);
  // One day's market as the agents see it.
  struct MarketDay {
    double price_usd, fee_btc_per_block, network_hashrate_ths, hashprice_btc_per_th_day,
        online_share;
  };
  // What the agents decide on: the hashprice at the full subsidy of the day's last height
  // (expected block pace) and the reward outlook past the next halving.
  struct AgentsDay {
    double decision_hashprice_usd = 0.0;
    agents::RewardOutlook outlook;
  };
  static AgentsDay agents_day(const chain::ChainDay& day, const MarketDay& m);
  // Day 0: the agents' opening orders; later days: one step, returning tomorrow's hashrate.
  void seed_agents(const chain::ChainDay& day, const MarketDay& m);
  double step_agents(int d, const chain::ChainDay& day, const MarketDay& m);
  // Writes the recorded core series of one recorded day (values in Series order).
  void record_series(int rec, const double (&values)[scenario::kSeriesCount],
                     double* const* outputs) const;
  void record_agents_day(int day, double price_usd, double* const* outputs);
  void record_agents_final(double* const* outputs);

  const scenario::Scenario& s_;
  const MarketInputs& in_;
  const OutputLayout& layout_;
  market::GbmPriceModel price_model_;
  market::LognormalFeeModel fee_model_;
  chain::ChainState chain_;
  agents::MinerState miners_;
  agents::ShockProcess shocks_;
  // This path's rules: the scenario's, or its own draw (agents.uncertainty), set in path setup.
  agents::DefaultRules rules_{};
  int slot_of_series_[scenario::kSeriesCount];
};

}  // namespace hashsim::sim
