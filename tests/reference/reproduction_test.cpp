// The reference-2021 profile must reproduce the published 2021 model: 25-trial mean network
// hashrate and observer-fleet positions per day within 1e-3 relative for all five scenarios
// (errors as defined in engine/sim/reference_check.h). A faithful implementation is expected at
// ~3e-4: the remaining gap is the unrecoverable day-by-day detail of the seeded 30-day history.
#include <gtest/gtest.h>

#include "engine/sim/reference_check.h"

namespace {
const std::filesystem::path kRoot = HASHSIM_SOURCE_DIR;

class Reproduction : public ::testing::TestWithParam<std::string> {};

TEST_P(Reproduction, MatchesPublishedHashrateAndFleetPositionsWithin1e3) {
  const auto r = hashsim::sim::check_reference_2021(
      kRoot / "scenarios/reference-2021" / (GetParam() + ".yaml"), kRoot / "data/reference-2021",
      2);
  EXPECT_LT(r.max_hashrate_rel_error, 1e-3) << "worst day " << r.worst_hashrate_day;
  EXPECT_LT(r.max_fleet_rel_error, 1e-3) << r.worst_fleet;
  EXPECT_GT(r.fleets_compared, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllArticleScenarios, Reproduction,
                         ::testing::ValuesIn(hashsim::sim::reference_2021_scenarios()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(ReproductionHeadline, HistoricalDay100HashrateIs204_82EH) {
  // Published headline: network hashrate 155.92 -> 204.82 EH/s (historical, 25-trial mean).
  const auto r = hashsim::sim::check_reference_2021(
      kRoot / "scenarios/reference-2021/historical.yaml", kRoot / "data/reference-2021", 1);
  EXPECT_NEAR(r.published_final_hashrate_ths / 1e6, 204.82, 0.005);
  EXPECT_NEAR(r.final_hashrate_ths / r.published_final_hashrate_ths, 1.0, 1e-3);
}
}  // namespace
