// `hashsim scenario-summary` (engine/history/scenario_summary.h): the figures the README's
// per-scenario tables quote are recomputed here from an independent run of the same scenario
// (the shipped base with its default record series, not the summary's own two series), so a
// slip in the summary's slots, days or quantiles shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/history/scenario_summary.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"
#include "engine/util/error.h"

namespace hashsim::history {
namespace {

const std::string kSource = HASHSIM_SOURCE_DIR;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

scenario::Scenario small_base(int horizon_days) {
  scenario::Scenario s = scenario::load_scenario(kSource + "/scenarios/base.yaml");
  s.horizon_days = horizon_days;
  return s;
}

}  // namespace

TEST(ScenarioSummary, HashrateMediansAndTroughMatchAnIndependentRunOfTheSameScenario) {
  // 800 days from 2026-06-13 (height 953565): the 2028 halving (height 1050000, ~670 days at 144
  // blocks a day) falls inside with its 60-day window, and days 365 and 730 are recorded.
  const scenario::Scenario s = small_base(800);
  constexpr std::int64_t kPaths = 6;
  const ScenarioSummary r = summarise_scenario(s, kPaths, "current", 2);

  scenario::Scenario run = s;
  run.paths = kPaths;
  const auto specs = sim::output_specs(run);
  std::size_t k_hr = specs.size(), k_height = specs.size();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    if (specs[k].name == io::schema::paths_dataset(io::schema::kSeriesNetworkHashrateThs)) k_hr = k;
    if (specs[k].name == io::schema::paths_dataset(io::schema::kSeriesHeight)) k_height = k;
  }
  ASSERT_LT(k_hr, specs.size());
  ASSERT_LT(k_height, specs.size());
  const std::size_t n_days = 800;
  std::vector<double> hr(kPaths * n_days), height(kPaths * n_days);
  sim::RunOptions ro;
  ro.threads = 1;  // another thread count and block size than the summary's: same numbers
  sim::run_paths(
      run, 0, kPaths, ro,
      [&](std::uint64_t first, std::uint64_t count, const std::vector<const double*>& d) {
        std::copy(d[k_hr], d[k_hr] + count * n_days, hr.begin() + first * n_days);
        std::copy(d[k_height], d[k_height] + count * n_days, height.begin() + first * n_days);
      });

  EXPECT_EQ(r.start_hashrate_ths, hr[0]);
  ASSERT_EQ(r.days, (std::vector<int>{365, 730}));
  for (std::size_t i = 0; i < r.days.size(); ++i) {
    std::vector<double> v;
    for (std::size_t p = 0; p < kPaths; ++p)
      v.push_back(hr[p * n_days + static_cast<std::size_t>(r.days[i])]);
    EXPECT_DOUBLE_EQ(r.hashrate_p50_ths[i], median(v)) << "day " << r.days[i];
  }
  // Trough: the day the height crosses 1050000, then min over the next 60 days.
  std::vector<double> troughs;
  for (std::size_t p = 0; p < kPaths; ++p) {
    std::size_t hd = 0;
    for (std::size_t d = 1; d < n_days && hd == 0; ++d)
      if (height[p * n_days + d] >= 1050000.0 && height[p * n_days + d - 1] < 1050000.0) hd = d;
    ASSERT_GT(hd, 600u);
    ASSERT_LT(hd + 60, n_days);
    double lo = HUGE_VAL;
    for (std::size_t d = hd + 1; d <= hd + 60; ++d)
      lo = std::min(lo, hr[p * n_days + d] / hr[p * n_days + hd] - 1.0);
    troughs.push_back(lo);
  }
  EXPECT_DOUBLE_EQ(r.halving_trough_p50, median(troughs));
  EXPECT_LE(r.halving_trough_p5, r.halving_trough_p50);
  // Band shares are shares of the online archetype hashrate: they sum to 1.
  double share = 0.0;
  for (double b : r.band_share_mean) share += b;
  EXPECT_NEAR(share, 1.0, 1e-12);
  EXPECT_EQ(r.band_share_mean.size(), s.agents->tariffs.size());
  // The final fleet's J/TH lies between the most and least efficient machine ever on sale.
  EXPECT_GT(r.final_j_per_th_p50, 1.0);
  EXPECT_LT(r.final_j_per_th_p50, 40.0);
}

TEST(ScenarioSummary, PreIssue15VariantIsTheLegacyRulesAndTheTableQuotesBothRows) {
  const scenario::Scenario s = small_base(400);
  const ScenarioSummary now = summarise_scenario(s, 4, "current", 2);
  const ScenarioSummary old = summarise_scenario(s, 4, "pre-issue-15", 2);
  // Legacy rules: no generations, so the final fleet runs only catalogue machines (>= 13.5 J/TH,
  // the S21 XP's 3645 W / 270 TH/s).
  EXPECT_GE(old.final_j_per_th_p50, 3645.0 / 270.0 - 1e-9);
  EXPECT_NE(now.hashrate_p50_ths[0], old.hashrate_p50_ths[0]);
  const std::string table = scenario_summary_table({old, now});
  EXPECT_NE(table.find("| base | pre-issue-15 | 4 | "), std::string::npos) << table;
  EXPECT_NE(table.find("| base | current | 4 | "), std::string::npos) << table;
  EXPECT_THROW(summarise_scenario(s, 4, "newest", 1), Error);
  EXPECT_THROW(summarise_scenario(s, 0, "current", 1), Error);
}

}  // namespace hashsim::history

namespace hashsim::history {

TEST(ScenarioSummary, TheShippedBaseScenarioDoesNotDecayOverFiveYears) {
  // Issue 15: with listed machine prices nobody bought at the 2026 hashprice and the base P50 fell
  // to x0.25 of the start at 5 years (x0.22 with these 16 paths: `equilibrium_machine_prices:
  // false`, drift mean 0); with equilibrium machine prices it is x1.60 (32 paths, README). Bound:
  // the sd of ln H at 5 years across paths is about 0.6 (drift sd 0.3/yr x sqrt(5) in the noise
  // alone, less the agents' response), so the sample median of 16 paths has a sd of ln about 1.25 x
  // 0.6 / 4 = 0.19; x0.8 is more than 3 such sd below x1.6 and far above the old x0.25.
  const scenario::Scenario s = scenario::load_scenario(HASHSIM_SOURCE_DIR "/scenarios/base.yaml");
  const ScenarioSummary r = summarise_scenario(s, 16, "current", 2);
  ASSERT_EQ(r.days.back(), 1825);
  EXPECT_GT(r.hashrate_p50_ths.back(), 0.8 * r.start_hashrate_ths)
      << "x" << r.hashrate_p50_ths.back() / r.start_hashrate_ths;
}

}  // namespace hashsim::history
