#pragma once
// Bitcoin consensus facts used by the chain model. Subsidy follows Bitcoin Core's
// GetBlockSubsidy (validation.cpp): 50 BTC in satoshis shifted right once per 210,000 blocks,
// zero from the 64th halving on. Retargeting follows CalculateNextWorkRequired (pow.cpp):
// new = old * target_timespan / actual_timespan with actual clamped to [timespan/4, timespan*4].
#include <cstdint>

#include "engine/util/units.h"

namespace hashsim::chain {

using units::kHalvingInterval;
using units::kSatPerBtc;
inline constexpr std::int64_t kRetargetInterval = 2016;
inline constexpr double kTargetBlockTimeS = 600.0;
using units::kSecondsPerDay;
// Hashes per unit of difficulty: a block at difficulty D needs D * 2^32 hashes on average.
inline constexpr double kHashesPerDifficulty = 4294967296.0;

constexpr std::int64_t block_subsidy_sat(std::int64_t height) {
  const std::int64_t halvings = height / kHalvingInterval;
  if (height < 0 || halvings >= 64) return 0;
  return (50 * kSatPerBtc) >> halvings;
}

// Difficulty after a retarget, given the seconds the 2016-block epoch took.
double retarget_difficulty(double old_difficulty, double actual_timespan_s);

// Expected blocks per day for a network hashrate (TH/s) at a difficulty:
// hashrate * 1e12 * 86400 / (difficulty * 2^32).
double expected_blocks_per_day(double network_hashrate_ths, double difficulty);

// Network hashrate (TH/s) that finds one block every 600 s at a difficulty.
double hashrate_at_target_pace_ths(double difficulty);

// Subsidy (BTC) summed over the continuous block interval [height_start, height_start + blocks):
// whole blocks count fully, a fractional block counts by its fraction. With integer arguments
// this is exactly the sum of block_subsidy_sat over the blocks, divided by 1e8.
double subsidy_btc_over(double height_start, double blocks);

}  // namespace hashsim::chain
