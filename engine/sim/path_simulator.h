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
//
// SIMD lanes across paths (agents/lanes.h): with the default profile, simulate_block advances
// `lanes` paths together; each lane keeps its own market, chain, shocks and rules (scalar, cheap)
// and the agents' day runs on all lanes at once. A path's outputs do not depend on the lane count.
#include <cstdint>
#include <memory>
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

// How many paths the agents' day advances together: 1, 2 or 4 (0: agents::kNativeLanes for
// the default profile; other profiles and exogenous runs always use 1).
int lanes_for(const scenario::Scenario& s, const MarketInputs& inputs, int requested);

class PathSimulator {
 public:
  PathSimulator(const scenario::Scenario& s, const MarketInputs& inputs, const OutputLayout& layout,
                int lanes = 1);
  ~PathSimulator();
  PathSimulator(const PathSimulator&) = delete;
  PathSimulator& operator=(const PathSimulator&) = delete;
  // outputs[k] points at layout.specs[k].per_path_size() doubles for this path.
  void simulate(std::uint64_t path_index, double* const* outputs);
  // Paths first_path .. first_path + count - 1, path p's outputs at outputs[p - first_path];
  // `lanes` at a time, a shorter rest at the widest width it fills.
  void simulate_block(std::uint64_t first_path, std::uint64_t count,
                      const std::vector<double*>* outputs);
  int lanes() const { return lanes_; }

 private:
  struct LanePath;  // one path's market, chain, shocks and rules (path_simulator.cpp)
  template <int L>
  void simulate_lanes(const std::uint64_t* path_index, double* const* const* outputs);
  void simulate_reference_2021(std::uint64_t path_index, double* const* outputs);
  // Resets lane l's chain, shock process and streams for a path and sets its rules.
  void reset_lane(LanePath& p, std::uint64_t path_index);
  // One day's market as the agents see it.
  struct MarketDay {
    double price_usd, fee_btc_per_block, network_hashrate_ths, hashprice_btc_per_th_day,
        online_share;
  };
  // Day d of a lane's path up to the agents: price, fees, shocks, chain.
  struct ChainAndMarket {
    chain::ChainDay day;
    MarketDay m;
  };
  ChainAndMarket advance_market(LanePath& p, int d);
  // What the agents decide on: the hashprice at the full subsidy of the day's last height
  // (expected block pace) and the reward outlook past the next halving.
  struct AgentsDay {
    double decision_hashprice_usd = 0.0;
    agents::RewardOutlook outlook;
  };
  static AgentsDay agents_day(const chain::ChainDay& day, const MarketDay& m);
  // Day 0 of lane l: the one-path seeding (agents/miner_rules.h) on the scratch state miners_.
  void seed_agents(const LanePath& p, const ChainAndMarket& cm);
  // Writes the recorded core series of one recorded day (values in Series order).
  void record_series(int rec, const double (&values)[scenario::kSeriesCount],
                     double* const* outputs) const;
  template <int L>
  void record_agents_day(const agents::BasicMinerState<L>& st, int l, int day, double price_usd,
                         double* const* outputs) const;
  template <int L>
  void record_agents_final(const agents::BasicMinerState<L>& st, int l,
                           double* const* outputs) const;

  const scenario::Scenario& s_;
  const MarketInputs& in_;
  const OutputLayout& layout_;
  int lanes_ = 1;
  market::GbmPriceModel price_model_;
  market::LognormalFeeModel fee_model_;
  // Exogenous network: the daily drift and diffusion of ln(hashrate) (set once, in the
  // constructor).
  double hashrate_log_drift_ = 0.0, hashrate_log_diffusion_ = 0.0;
  std::vector<LanePath> paths_;  // one per lane
  agents::MinerState miners_;    // L = 1; with lanes, the state each lane is seeded in
  std::unique_ptr<agents::BasicMinerState<2>> miners2_;
  std::unique_ptr<agents::BasicMinerState<4>> miners4_;
  int slot_of_series_[scenario::kSeriesCount];
};

}  // namespace hashsim::sim
