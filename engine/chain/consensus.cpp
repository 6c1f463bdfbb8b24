#include "engine/chain/consensus.h"

#include <algorithm>
#include <cmath>

namespace hashsim::chain {

double retarget_difficulty(double old_difficulty, double actual_timespan_s) {
  const double target = kTargetBlockTimeS * static_cast<double>(kRetargetInterval);
  const double clamped = std::clamp(actual_timespan_s, target / 4.0, target * 4.0);
  return old_difficulty * target / clamped;
}

double expected_blocks_per_day(double network_hashrate_ths, double difficulty) {
  return network_hashrate_ths * 1e12 * kSecondsPerDay / (difficulty * kHashesPerDifficulty);
}

double hashrate_at_target_pace_ths(double difficulty) {
  return difficulty * kHashesPerDifficulty / kTargetBlockTimeS / 1e12;
}

double subsidy_btc_over(double height_start, double blocks) {
  double total_sat = 0.0;
  double h = height_start;
  const double end = height_start + blocks;
  while (h < end) {
    const auto era =
        static_cast<std::int64_t>(std::floor(h / static_cast<double>(kHalvingInterval)));
    const double era_end = static_cast<double>((era + 1) * kHalvingInterval);
    const double seg_end = std::min(end, era_end);
    total_sat += (seg_end - h) * static_cast<double>(block_subsidy_sat(era * kHalvingInterval));
    h = seg_end;
  }
  return total_sat / static_cast<double>(kSatPerBtc);
}

}  // namespace hashsim::chain
