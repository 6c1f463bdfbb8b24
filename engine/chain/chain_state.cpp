#include "engine/chain/chain_state.h"

#include <cmath>

#include "engine/chain/consensus.h"
#include "engine/rng/distributions.h"

namespace hashsim::chain {

void ChainState::reset(const ChainStart& start, const ChainOptions& options) {
  options_ = options;
  height_ = start.height;
  difficulty_ = start.difficulty;
  const double interval = static_cast<double>(kRetargetInterval);
  epoch_start_height_ = std::floor(start.height / interval) * interval;
  epoch_elapsed_s_ = start.epoch_elapsed_s >= 0.0
                         ? start.epoch_elapsed_s
                         : (start.height - epoch_start_height_) * kTargetBlockTimeS;
  fixed_subsidy_btc_per_block_ =
      static_cast<double>(block_subsidy_sat(static_cast<std::int64_t>(start.height))) /
      static_cast<double>(kSatPerBtc);
}

ChainDay ChainState::advance_day(double network_hashrate_ths, rng::Engine& rng) {
  ChainDay day;
  double rate_per_day = expected_blocks_per_day(network_hashrate_ths, difficulty_);
  double blocks_left;
  if (options_.arrivals == BlockArrivals::Poisson) {
    // Count for the whole day at the start-of-day difficulty; a retarget inside the day then
    // only changes how the day's time is split, not the count (one draw per day).
    blocks_left = static_cast<double>(rng::poisson(rng, rate_per_day));
  } else {
    blocks_left = -1.0;  // determined by time below
  }

  double time_left_s = kSecondsPerDay;
  const double interval = static_cast<double>(kRetargetInterval);
  const double start_height = height_;
  while (time_left_s > 0.0) {
    const double to_boundary = epoch_start_height_ + interval - height_;
    // Blocks this segment could find in the time left at the current pace.
    const double pace_blocks = rate_per_day * time_left_s / kSecondsPerDay;
    const double want = blocks_left >= 0.0 ? blocks_left : pace_blocks;
    if (!options_.difficulty_adjustment || want < to_boundary || rate_per_day <= 0.0) {
      height_ += want;
      epoch_elapsed_s_ += time_left_s;
      if (blocks_left >= 0.0) blocks_left = 0.0;
      break;
    }
    // The epoch ends inside today: retarget on its simulated timespan.
    const double seg_time_s = blocks_left >= 0.0 ? time_left_s * to_boundary / blocks_left
                                                 : to_boundary / rate_per_day * kSecondsPerDay;
    height_ += to_boundary;
    epoch_elapsed_s_ += seg_time_s;
    time_left_s -= seg_time_s;
    if (blocks_left >= 0.0) blocks_left -= to_boundary;
    difficulty_ = retarget_difficulty(difficulty_, epoch_elapsed_s_);
    day.retargets += 1.0;
    epoch_start_height_ += interval;
    epoch_elapsed_s_ = 0.0;
    if (blocks_left < 0.0)
      rate_per_day = expected_blocks_per_day(network_hashrate_ths, difficulty_);
  }
  day.blocks = height_ - start_height;
  day.subsidy_btc = options_.halvings ? subsidy_btc_over(start_height, day.blocks)
                                      : day.blocks * fixed_subsidy_btc_per_block_;
  day.height_end = height_;
  day.difficulty = difficulty_;
  return day;
}

}  // namespace hashsim::chain
