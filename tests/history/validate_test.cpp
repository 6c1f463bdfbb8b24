// `hashsim validate`: the agent model on the real price path vs the actual network hashrate.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/history/validate.h"
#include "engine/util/error.h"

namespace hashsim::history {
namespace {

const std::string kSource = HASHSIM_SOURCE_DIR;

DailyTable daily() {
  return DailyTable::load(kSource + "/data/history/btc_daily_2020_2026_obm.csv");
}

scenario::Scenario shipped(const std::string& name) {
  return scenario::load_scenario(kSource + "/scenarios/" + name + ".yaml");
}

// A validation from 2025-01-01 (inside the data) over `days` days, on one thread.
ValidateOptions from_2025(int days, int paths = 2) {
  ValidateOptions o;
  o.from = "2025-01-01";
  o.days = days;
  o.paths = paths;
  o.threads = 1;
  return o;
}

TEST(Validate, StartsOnTheActualDayAndReportsEveryHorizon) {
  const ValidateOptions o = from_2025(120);
  // base.yaml has exogenous hashrate shocks (agents.shocks): their own random stream per path, so
  // the paths differ even with replayed prices. With shocks off every input is replayed or
  // deterministic (generations and supply are the same on every path).
  scenario::Scenario s = shipped("base");
  ASSERT_TRUE(s.agents && s.agents->shocks.enabled());
  s.agents->shocks = agents::Shocks{};
  s.agents->uncertainty = agents::ParameterUncertainty{};  // per-path parameter draws off too
  const ValidateResult r = run_validate(s, daily(), o);
  ASSERT_EQ(r.dates.size(), 120u);
  EXPECT_EQ(r.dates.front(), "2025-01-01");
  // Day 0 is the start condition: the actual trailing-7-day hashrate of 2025-01-01.
  EXPECT_NEAR(r.simulated_p50_ths[0] / r.actual_ths[0], 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(r.start.price_usd, r.price_usd[0]);
  EXPECT_EQ(r.start.height, 877259);
  ASSERT_EQ(r.horizons.size(), 3u);  // 30 d, 90 d, all (180 d does not fit)
  EXPECT_EQ(r.horizons[0].days, 30);
  EXPECT_EQ(r.horizons[2].days, 119);
  for (const auto& h : r.horizons) {
    EXPECT_TRUE(std::isfinite(h.median_abs_log_error));
    EXPECT_GE(h.median_abs_log_error, 0.0);
    EXPECT_LE(std::fabs(h.bias_mean_log_error), 3.0);
  }
  // Replayed fees and prices, no shocks, no parameter draws: every path is the same.
  EXPECT_EQ(r.simulated_p5_ths.back(), r.simulated_p95_ths.back());
  EXPECT_NE(validate_report(r).find("median |e|"), std::string::npos);
}

// The shipped base scenario: shocks are the only per-path randomness left when prices and fees
// are replayed, so its paths spread (rate 6/yr over 120 days: P(no shock on a path) = e^-2 ~ 0.14;
// with 8 paths all shock-free with probability e^-16, and the seed is fixed).
TEST(Validate, ShocksAreThePerPathRandomnessOfAReplayedRun) {
  const ValidateResult r = run_validate(shipped("base"), daily(), from_2025(120, 8));
  EXPECT_LT(r.simulated_p5_ths.back(), r.simulated_p95_ths.back());
}

TEST(Validate, NeedsAnAgentScenarioAndAWindowInsideTheData) {
  ValidateOptions o = from_2025(30);
  EXPECT_THROW(run_validate(shipped("exogenous-hashrate"), daily(), o), Error);
  o.from = "2026-06-15";  // difficulty is blank from 2026-06-27
  EXPECT_THROW(run_validate(shipped("base"), daily(), o), Error);
  o.from = "2019-01-01";
  EXPECT_THROW(run_validate(shipped("base"), daily(), o), Error);
}

}  // namespace
}  // namespace hashsim::history
