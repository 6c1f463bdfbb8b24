// `hashsim fit` (engine/history/fit.h): a tiny grid on one origin of real history picks the point
// whose score is lowest, writes the YAML fragment, and refuses out-of-sample origins and unknown
// keys.
#include <gtest/gtest.h>

#include <string>

#include "engine/history/fit.h"
#include "engine/scenario/scenario.h"
#include "engine/util/error.h"

namespace hashsim::history {
namespace {

const std::string kSource = HASHSIM_SOURCE_DIR;

DailyTable daily() {
  return DailyTable::load(kSource + "/data/history/btc_daily_2020_2026_obm.csv");
}
DailyTable prices() { return DailyTable::load(kSource + "/data/history/btc_price_usd_daily.csv"); }

FitOptions tiny() {
  FitOptions o;
  o.score.from = "2024-01-01";
  o.score.to = "2024-01-01";
  o.score.horizons = {30, 60};
  o.score.paths = 2;
  o.score.threads = 2;
  o.score.modes = {ScoreMode::Replay};
  o.grid = {{"rules.reinvest_fraction", {0.1, 0.9}}};
  return o;
}

TEST(Fit, TinyGridPicksTheLowestScoreAndWritesTheFragment) {
  const auto base = scenario::load_scenario(kSource + "/scenarios/base.yaml");
  const FitOptions o = tiny();
  const FitResult r = run_fit(base, std::nullopt, daily(), prices(), o);
  ASSERT_EQ(r.points.size(), 2u);
  ASSERT_EQ(r.origins.size(), 1u);
  for (const auto& p : r.points) EXPECT_LE(r.points[r.best].objective, p.objective);
  // The objective is the mean pooled CRPS of ln hashrate of the score run with that value.
  scenario::Scenario s = base;
  apply_fit_parameter(s, "rules.reinvest_fraction", r.points[r.best].values[0]);
  const ScoreResult sr = run_score(s, std::nullopt, daily(), prices(), o.score);
  double sum = 0.0;
  for (const auto& c : sr.cells)
    if (c.variable == 0 && c.forecaster == 0) sum += c.summary.crps_mean;
  EXPECT_DOUBLE_EQ(r.points[r.best].objective, sum / 2.0);
  const std::string y = fit_yaml(r);
  EXPECT_NE(y.find("agents:\n  rules:\n    reinvest_fraction: "), std::string::npos) << y;
}

TEST(Fit, RefusesOriginsAfterTheTrainingWindowUnknownKeysAndOutOfRangeValues) {
  const auto base = scenario::load_scenario(kSource + "/scenarios/base.yaml");
  FitOptions o = tiny();
  o.score.to = "2024-07-01";
  EXPECT_THROW(run_fit(base, std::nullopt, daily(), prices(), o), Error);
  o = tiny();
  o.grid = {{"rules.no_such_key", {1.0}}};
  EXPECT_THROW(run_fit(base, std::nullopt, daily(), prices(), o), Error);
  o.grid = {{"rules.reinvest_fraction", {1.5}}};
  EXPECT_THROW(run_fit(base, std::nullopt, daily(), prices(), o), Error);
  o.grid = {};
  EXPECT_THROW(run_fit(base, std::nullopt, daily(), prices(), o), Error);
}

}  // namespace
}  // namespace hashsim::history

namespace hashsim::history {
namespace {
TEST(Fit, OneStandardErrorIntervalFromPairedPerOriginDifferencesByHand) {
  // One parameter at 0, 1, 2; four origins. Best = 1. Value 0 differs from the best by
  // d = {0.1, -0.1, 0.1, -0.1} + 0.01: mean 0.01, sd 0.1155, se 0.0577 -> inside. Value 2 by
  // d = 0.2 everywhere: mean 0.2, se 0 -> outside. Interval [0, 1], sd 0.5.
  FitResult r;
  r.options.grid = {{"rules.reinvest_fraction", {0.0, 1.0, 2.0}}};
  FitPoint p0, p1, p2;
  p1.values = {1.0};
  p1.objective_by_origin = {1.0, 1.0, 1.0, 1.0};
  p1.objective = 1.0;
  p0.values = {0.0};
  p0.objective_by_origin = {1.11, 0.91, 1.11, 0.91};
  p0.objective = 1.01;
  p2.values = {2.0};
  p2.objective_by_origin = {1.2, 1.2, 1.2, 1.2};
  p2.objective = 1.2;
  r.points = {p0, p1, p2};
  r.best = 1;
  const FitInterval iv = fit_interval(r, 0);
  EXPECT_EQ(iv.lo, 0.0);
  EXPECT_EQ(iv.hi, 1.0);
  EXPECT_EQ(iv.sd, 0.5);
}
}  // namespace
}  // namespace hashsim::history
