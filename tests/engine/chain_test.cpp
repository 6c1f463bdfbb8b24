// Exact tests of the consensus facts and the day-by-day chain model (no randomness: expected
// block arrivals).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/chain/chain_state.h"
#include "engine/chain/consensus.h"
#include "engine/rng/streams.h"

using namespace hashsim::chain;

TEST(Consensus, SubsidyAtHalvingBoundariesMatchesIntegerShifts) {
  // Bitcoin Core GetBlockSubsidy: (50 * COIN) >> (height / 210000), 0 from 64 halvings on.
  EXPECT_EQ(block_subsidy_sat(0), 5'000'000'000);
  EXPECT_EQ(block_subsidy_sat(209'999), 5'000'000'000);
  EXPECT_EQ(block_subsidy_sat(210'000), 2'500'000'000);
  EXPECT_EQ(block_subsidy_sat(840'000), 312'500'000);  // 4th halving: 3.125 BTC
  EXPECT_EQ(block_subsidy_sat(1'049'999), 312'500'000);
  EXPECT_EQ(block_subsidy_sat(1'050'000), 156'250'000);
  // 5e9 >> 32 = 1 (5e9 / 2^32 = 1.16): the last satoshi era ends at 33 * 210000.
  EXPECT_EQ(block_subsidy_sat(6'929'999), 1);
  EXPECT_EQ(block_subsidy_sat(6'930'000), 0);
  EXPECT_EQ(block_subsidy_sat(13'440'000), 0);  // 64 halvings: guarded shift
  EXPECT_EQ(block_subsidy_sat(-1), 0);
  static_assert(block_subsidy_sat(209'999) == 50 * kSatPerBtc);
}

TEST(Consensus, TotalSupplyIsBitcoinsCap) {
  std::int64_t total = 0;
  for (std::int64_t era = 0; era < 64; ++era)
    total += kHalvingInterval * block_subsidy_sat(era * kHalvingInterval);
  EXPECT_EQ(total, 2'099'999'997'690'000);
}

TEST(Consensus, SubsidyOverAnIntervalCrossingAHalving) {
  EXPECT_DOUBLE_EQ(subsidy_btc_over(209'990, 20), 10 * 50.0 + 10 * 25.0);
  EXPECT_DOUBLE_EQ(subsidy_btc_over(839'928, 144), 72 * 6.25 + 72 * 3.125);
  EXPECT_DOUBLE_EQ(subsidy_btc_over(0, 210'000), 210'000 * 50.0);
  EXPECT_DOUBLE_EQ(subsidy_btc_over(209'999.5, 1.0), 0.5 * 50.0 + 0.5 * 25.0);  // fractional blocks
  EXPECT_DOUBLE_EQ(subsidy_btc_over(6'929'999, 2), 1e-8);  // last satoshi block
  EXPECT_DOUBLE_EQ(subsidy_btc_over(100, 0), 0.0);
  // Across several eras at once: the sum of the per-block integers.
  double sat = 0.0;
  for (std::int64_t h = 419'000; h < 631'000; h += 1000)
    sat += 1000.0 * static_cast<double>(block_subsidy_sat(h));
  EXPECT_DOUBLE_EQ(subsidy_btc_over(419'000, 212'000), sat / 1e8);
}

TEST(Consensus, RetargetClampsAtFourAndAQuarterAndIsExactInBetween) {
  const double target = kTargetBlockTimeS * kRetargetInterval;  // 1,209,600 s
  const double d = 1e13;
  EXPECT_DOUBLE_EQ(retarget_difficulty(d, target), d);
  EXPECT_DOUBLE_EQ(retarget_difficulty(d, target / 4.0), 4.0 * d);
  EXPECT_DOUBLE_EQ(retarget_difficulty(d, target / 100.0), 4.0 * d);  // clamped
  EXPECT_DOUBLE_EQ(retarget_difficulty(d, target * 4.0), d / 4.0);
  EXPECT_DOUBLE_EQ(retarget_difficulty(d, target * 100.0), d / 4.0);  // clamped
  EXPECT_DOUBLE_EQ(retarget_difficulty(d, 1'008'000.0), d * 1.2);     // 1209600 / 1008000
  EXPECT_DOUBLE_EQ(retarget_difficulty(d, 2'419'200.0), d * 0.5);
}

TEST(Consensus, ExpectedBlocksAtTargetPaceIs144) {
  for (double d : {1.0, 1e12, 1.2e14}) {
    EXPECT_DOUBLE_EQ(expected_blocks_per_day(hashrate_at_target_pace_ths(d), d), 144.0);
    EXPECT_DOUBLE_EQ(expected_blocks_per_day(2.0 * hashrate_at_target_pace_ths(d), d), 288.0);
  }
  // D * 2^32 hashes per block: 1 TH/s at difficulty 1e12 / 2^32 finds 86400 / 1 ... blocks.
  EXPECT_DOUBLE_EQ(expected_blocks_per_day(1.0, 1e12 / kHashesPerDifficulty), kSecondsPerDay);
}

namespace {
ChainState make_chain(double height, double difficulty, bool adjust = true) {
  ChainState c;
  ChainOptions o;
  o.difficulty_adjustment = adjust;
  c.reset({height, difficulty, -1.0}, o);
  return c;
}
}  // namespace

TEST(ChainState, ExpectedModeFinds144BlocksADayAtTargetPace) {
  const double d = 1e14;
  ChainState c = make_chain(100'000, d);
  auto rng = hashsim::rng::make_rng(1, hashsim::rng::Stream::Blocks, 0);
  const auto before = rng;
  for (int day = 0; day < 30; ++day) {
    const ChainDay cd = c.advance_day(hashrate_at_target_pace_ths(d), rng);
    EXPECT_NEAR(cd.blocks, 144.0, 1e-9);
    EXPECT_NEAR(cd.height_end, 100'000 + 144.0 * (day + 1), 1e-6);
    EXPECT_NEAR(cd.difficulty / d, 1.0, 1e-12);     // on-pace retargets keep the difficulty
    EXPECT_NEAR(cd.subsidy_btc, 144 * 50.0, 1e-6);  // first era
  }
  EXPECT_TRUE(rng == before);  // expected mode draws nothing
}

TEST(ChainState, HalvingLandsOnTheRightDay) {
  // Start 1512 blocks before the 4th halving (840,000): at 144 blocks/day day 10 covers
  // 839,928 .. 840,072 and is split half 6.25, half 3.125 BTC.
  const double d = 1e14;
  ChainState c = make_chain(840'000 - 1'512, d);
  auto rng = hashsim::rng::make_rng(1, hashsim::rng::Stream::Blocks, 0);
  for (int day = 0; day < 13; ++day) {
    const ChainDay cd = c.advance_day(hashrate_at_target_pace_ths(d), rng);
    const double expected = day < 10    ? 144 * 6.25
                            : day == 10 ? 72 * 6.25 + 72 * 3.125
                                        : 144 * 3.125;
    EXPECT_NEAR(cd.subsidy_btc, expected, 1e-6) << "day " << day;
  }
}

TEST(ChainState, FixedSubsidyOptionIgnoresHalvings) {
  const double d = 1e14;
  ChainState c;
  ChainOptions o;
  o.halvings = false;
  c.reset({840'000 - 72, d, -1.0}, o);
  auto rng = hashsim::rng::make_rng(1, hashsim::rng::Stream::Blocks, 0);
  EXPECT_NEAR(c.advance_day(hashrate_at_target_pace_ths(d), rng).subsidy_btc, 144 * 6.25, 1e-6);
}

TEST(ChainState, RetargetTriggersWhenHeightCrossesAMultipleOf2016) {
  const double d = 1e14;
  // 100 blocks before a boundary, on pace: retargets on days 0, 14, 28 only (2016 = 14 x 144).
  ChainState c = make_chain(2016.0 * 400 - 100, d);
  auto rng = hashsim::rng::make_rng(1, hashsim::rng::Stream::Blocks, 0);
  for (int day = 0; day < 40; ++day) {
    const ChainDay cd = c.advance_day(hashrate_at_target_pace_ths(d), rng);
    EXPECT_EQ(cd.retargets, (day % 14 == 0) ? 1.0 : 0.0) << "day " << day;
  }
}

TEST(ChainState, MidDayRetargetUsesTheSimulatedEpochTimeAndNewPace) {
  // From an epoch start at 3x target pace: 432 blocks/day, the epoch's 2016 blocks take 4 2/3
  // days, so the difficulty triples on day 4 and the rest of day 4 runs at 144/day:
  // day 4 = 288 + 48 = 336 blocks, later days 144.
  const double d = 1e14;
  ChainState c = make_chain(2016.0 * 400, d);
  auto rng = hashsim::rng::make_rng(1, hashsim::rng::Stream::Blocks, 0);
  const double h = 3.0 * hashrate_at_target_pace_ths(d);
  for (int day = 0; day < 8; ++day) {
    const ChainDay cd = c.advance_day(h, rng);
    const double blocks = day < 4 ? 432.0 : day == 4 ? 336.0 : 144.0;
    EXPECT_NEAR(cd.blocks, blocks, 1e-6) << "day " << day;
    EXPECT_EQ(cd.retargets, day == 4 ? 1.0 : 0.0) << "day " << day;
    EXPECT_NEAR(cd.difficulty / d, day < 4 ? 1.0 : 3.0, 1e-12) << "day " << day;
  }
}

TEST(ChainState, RetargetInsideTheChainIsClampedToFour) {
  // 10x target pace: the epoch takes 1/10 of the target time but the difficulty only quadruples.
  const double d = 1e14;
  ChainState c = make_chain(2016.0 * 400, d);
  auto rng = hashsim::rng::make_rng(1, hashsim::rng::Stream::Blocks, 0);
  const ChainDay cd = c.advance_day(10.0 * hashrate_at_target_pace_ths(d), rng);
  EXPECT_EQ(cd.retargets, 0.0);  // 1440 blocks in day 0: the epoch (2016) is not over yet
  EXPECT_NEAR(cd.difficulty / d, 1.0, 1e-12);
  const ChainDay cd1 = c.advance_day(10.0 * hashrate_at_target_pace_ths(d), rng);
  EXPECT_EQ(cd1.retargets, 1.0);
  EXPECT_NEAR(cd1.difficulty / d, 4.0, 1e-12);
}

TEST(ChainState, NoDifficultyAdjustmentKeepsTheDifficulty) {
  const double d = 1e14;
  ChainState c = make_chain(2016.0 * 400, d, false);
  auto rng = hashsim::rng::make_rng(1, hashsim::rng::Stream::Blocks, 0);
  for (int day = 0; day < 20; ++day) {
    const ChainDay cd = c.advance_day(3.0 * hashrate_at_target_pace_ths(d), rng);
    EXPECT_NEAR(cd.blocks, 432.0, 1e-9);
    EXPECT_EQ(cd.retargets, 0.0);
    EXPECT_EQ(cd.difficulty, d);
  }
}
