#pragma once
// One Monte Carlo path as a pure function of (scenario, path_index): the daily loop of the
// market, chain and network models. A PathSimulator is a per-worker workspace: constructed once,
// reset at the start of every path, no allocation inside the daily loop.
//
// Day d = 0 .. horizon-1 (date = start_date + d). Day 0 carries the start conditions; each later
// day first moves price, fees and network hashrate, then the chain advances one day under that
// hashrate, and hashprice follows:
//   hashprice_btc_per_th_day = (subsidy_btc + blocks * fee_btc_per_block) / network_hashrate_ths
//   hashprice_usd_per_th_day = hashprice_btc_per_th_day * price_usd
#include <cstdint>
#include <vector>

#include "engine/chain/chain_state.h"
#include "engine/market/fee_model.h"
#include "engine/market/price_model.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/market_inputs.h"

namespace hashsim::sim {

// Where one path's recorded series go: one pointer per recorded series (scenario.record.series
// order), each to recorded_days() doubles.
struct PathOutput {
  double* series[scenario::kSeriesCount] = {};
};

class PathSimulator {
 public:
  PathSimulator(const scenario::Scenario& s, const MarketInputs& inputs);
  void simulate(std::uint64_t path_index, const PathOutput& out);

 private:
  const scenario::Scenario& s_;
  const MarketInputs& in_;
  market::GbmPriceModel price_model_;
  market::LognormalFeeModel fee_model_;
  chain::ChainState chain_;
  int slot_of_series_[scenario::kSeriesCount];
};

}  // namespace hashsim::sim
