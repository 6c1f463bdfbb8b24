#include "engine/sim/path_simulator.h"

#include <cmath>

#include "engine/rng/distributions.h"
#include "engine/rng/streams.h"

namespace hashsim::sim {

using scenario::Series;

PathSimulator::PathSimulator(const scenario::Scenario& s, const MarketInputs& inputs)
    : s_(s), in_(inputs), price_model_(s.price.gbm), fee_model_(s.fees.lognormal) {
  for (int& slot : slot_of_series_) slot = -1;
  for (std::size_t i = 0; i < s.record.series.size(); ++i) slot_of_series_[static_cast<int>(s.record.series[i])] = static_cast<int>(i);
}

void PathSimulator::simulate(std::uint64_t path_index, const PathOutput& out) {
  rng::Engine price_rng = rng::make_rng(s_.seed, rng::Stream::Price, path_index);
  rng::Engine jump_rng = rng::make_rng(s_.seed, rng::Stream::Jumps, path_index);
  rng::Engine fee_rng = rng::make_rng(s_.seed, rng::Stream::Fees, path_index);
  rng::Engine block_rng = rng::make_rng(s_.seed, rng::Stream::Blocks, path_index);
  rng::Engine hash_rng = rng::make_rng(s_.seed, rng::Stream::Hashrate, path_index);

  chain_.reset({s_.start.height, s_.start.difficulty, -1.0}, s_.chain);

  const double* price_replay = in_.price ? in_.price->path_row(path_index) : nullptr;
  const double* fee_replay = in_.fees ? in_.fees->path_row(path_index) : nullptr;
  const double* net_replay = in_.network ? in_.network->path_row(path_index) : nullptr;

  // Exogenous hashrate: ln R += (g - v^2/2) dt + v sqrt(dt) Z, so E[R_t] = R_0 e^(g t).
  const double dt = 1.0 / market::kDaysPerYear;
  const double hr_drift = (s_.network.growth_per_year - 0.5 * s_.network.vol_per_sqrt_year * s_.network.vol_per_sqrt_year) * dt;
  const double hr_diff = s_.network.vol_per_sqrt_year * std::sqrt(dt);

  double log_price = std::log(price_replay ? price_replay[0] : s_.start.price_usd);
  double log_fee = std::log(fee_replay ? fee_replay[0] : s_.start.fee_btc_per_block);
  double log_hashrate = std::log(net_replay ? net_replay[0] : s_.start.network_hashrate_ths);

  const int every = s_.record.every_days;
  int rec = 0;
  for (int d = 0; d < s_.horizon_days; ++d) {
    if (d > 0) {
      // Market step (each stream draws a fixed count per day, replay or not, see DESIGN.md 3.3).
      const double next_log_price = price_model_.step_log(log_price, price_rng, jump_rng);
      log_price = price_replay ? std::log(price_replay[d]) : next_log_price;
      const double next_log_fee = fee_model_.step_log(log_fee, fee_rng);
      log_fee = fee_replay ? std::log(fee_replay[d]) : next_log_fee;
      const double z = rng::standard_normal(hash_rng);
      log_hashrate = net_replay ? std::log(net_replay[d]) : log_hashrate + hr_drift + hr_diff * z;
    }
    const double price = std::exp(log_price);
    const double fee = std::exp(log_fee);
    const double hashrate = std::exp(log_hashrate);
    const chain::ChainDay day = chain_.advance_day(hashrate, block_rng);
    const double hashprice_btc = (day.subsidy_btc + day.blocks * fee) / hashrate;

    if (d % every == 0) {
      const double values[scenario::kSeriesCount] = {price, fee, hashrate, day.difficulty, day.height_end,
                                                      day.blocks, hashprice_btc, hashprice_btc * price};
      for (int k = 0; k < scenario::kSeriesCount; ++k) {
        const int slot = slot_of_series_[k];
        if (slot >= 0) out.series[slot][rec] = values[k];
      }
      ++rec;
    }
  }
}

}  // namespace hashsim::sim
