// SIMD lanes across paths (agents/lanes.h, README "Performance"): a path's results are a pure
// function of (scenario, seed, path index), whatever the lane count, block size and thread count.
// Every dataset of a run at 2 and 4 lanes must equal the one-path run's bytes, on the shipped base
// scenario with generations, supply, shocks and every uncertain rule parameter drawn per path (so
// lanes carry different rules), and on the test scenario with observer fleets and per-archetype
// series; path counts that are not a multiple of the lane count exercise the narrower rest.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "engine/io/results_file.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/market_inputs.h"
#include "engine/sim/path_simulator.h"
#include "engine/sim/runner.h"
#include "engine/util/error.h"
#include "tests/engine/scenarios.h"
#include "tests/engine/test_support.h"

using namespace hashsim;
using hashsim::test_support::TempDir;
namespace ts = hashsim::test_support;
namespace sc = hashsim::io::schema;

namespace {
std::map<std::string, ts::DatasetBytes> run_with(const scenario::Scenario& s,
                                                 const std::filesystem::path& out, int lanes,
                                                 std::uint64_t block, int threads) {
  {
    io::ResultsFile f(out, "lanes_test");
    io::ScenarioWriter& w = f.begin_scenario(s, sim::output_specs(s));
    sim::RunOptions o;
    o.threads = threads;
    o.block_paths = block;
    o.lanes = lanes;
    sim::run_scenario(s, w, o);
    f.commit();
  }
  return ts::read_all_datasets(out, sc::scenario_group(s.name));
}

void expect_lane_counts_agree(const scenario::Scenario& s, const TempDir& dir) {
  const auto one = run_with(s, dir / "lanes1.h5", 1, 64, 1);
  ASSERT_GE(one.count(sc::paths_dataset(sc::kSeriesNetworkHashrateThs)), 1u);
  ASSERT_GE(one.count(ts::field_dataset(sc::ArchetypeFinal::Usd)), 1u);
  struct Case {
    int lanes;
    std::uint64_t block;
    int threads;
  };
  for (const Case c : {Case{2, 64, 1}, Case{4, 64, 2}, Case{4, 3, 2}, Case{4, 1, 1}, Case{2, 5, 2},
                       Case{4, 6, 1}}) {
    const std::string what = "lanes " + std::to_string(c.lanes) + " block " +
                             std::to_string(c.block) + " threads " + std::to_string(c.threads);
    const auto other = run_with(s, dir / (what + ".h5"), c.lanes, c.block, c.threads);
    ASSERT_EQ(one.size(), other.size()) << what;
    for (const auto& [name, d] : one) {
      const auto it = other.find(name);
      ASSERT_NE(it, other.end()) << what << ": " << name;
      EXPECT_TRUE(d == it->second) << what << ": dataset " << name << " differs";
    }
  }
}
}  // namespace

TEST(Lanes, BaseScenarioWithEveryPerPathRuleDrawIsTheSameAtEveryLaneCount) {
  TempDir dir;
  std::ifstream in(ts::kSourceDir / "scenarios/base.yaml");
  std::stringstream text;
  text << in.rdbuf();
  // Every uncertain rule parameter gets a spread, so the lanes of one step run different rules.
  const std::string yaml = std::regex_replace(text.str(), std::regex("  uncertainty:[^\n]*\n"),
                                              "  uncertainty:\n"
                                              "    expected_difficulty_growth_per_year_sd: 0.15\n"
                                              "    reinvest_fraction_sd: 0.2\n"
                                              "    band_capacity_growth_per_year_sd: 0.2\n"
                                              "    supply_growth_per_year_sd: 0.2\n");
  ASSERT_NE(yaml, text.str());
  // 7 paths (4 + 2 + 1 at 4 lanes) over 800 days: past the first future generation (day 365 on)
  // and the 2028 halving.
  const auto s = scenario::parse_scenario(yaml, ts::kSourceDir / "scenarios/base-lanes.yaml");
  scenario::Scenario small = s;
  small.paths = 7;
  small.horizon_days = 800;
  const auto inputs = sim::MarketInputs::load(small);
  ASSERT_TRUE(small.agents->uncertainty.enabled());
  ASSERT_FALSE(inputs.agents->epochs.empty());
  EXPECT_EQ(sim::lanes_for(small, inputs, 0), agents::kNativeLanes);
  expect_lane_counts_agree(small, dir);
}

TEST(Lanes, ObserverFleetsAndArchetypeSeriesAreTheSameAtEveryLaneCount) {
  TempDir dir;
  ts::write_text(
      dir / "agents.yaml",
      ts::agents_yaml("agents", (ts::kSourceDir / "data/machines/current_2026.csv").string(), 11,
                      150, 7));
  const auto s = scenario::load_scenario(dir / "agents.yaml");
  expect_lane_counts_agree(s, dir);
}

TEST(Lanes, OtherProfilesAndExogenousRunsUseOneLane) {
  TempDir dir;
  ts::write_text(dir / "exo.yaml", ts::exogenous_yaml("exo", 4, 30, 7));
  const auto s = scenario::load_scenario(dir / "exo.yaml");
  EXPECT_EQ(sim::lanes_for(s, sim::MarketInputs::load(s), 4), 1);
}

TEST(Lanes, OnlyOneTwoOrFourLanesAreAccepted) {
  TempDir dir;
  ts::write_text(
      dir / "agents.yaml",
      ts::agents_yaml("agents", (ts::kSourceDir / "data/machines/current_2026.csv").string(), 2, 20,
                      7));
  const auto s = scenario::load_scenario(dir / "agents.yaml");
  const auto inputs = sim::MarketInputs::load(s);
  const sim::OutputLayout layout = sim::make_output_layout(s, inputs.agents->n_env, 2);
  EXPECT_THROW(sim::PathSimulator(s, inputs, layout, 3), Error);
  EXPECT_THROW(sim::PathSimulator(s, inputs, layout, 8), Error);
}

TEST(Lanes, Reference2021RefusesMoreThanOneLane) {
  const auto s = scenario::load_scenario(ts::kSourceDir / "scenarios/reference-2021/bearish.yaml");
  const auto inputs = sim::MarketInputs::load(s);
  const sim::OutputLayout layout =
      sim::make_output_layout(s, inputs.agents->size(), inputs.agents->n_observers);
  EXPECT_EQ(sim::lanes_for(s, inputs, 4), 1);
  EXPECT_THROW(sim::PathSimulator(s, inputs, layout, 4), Error);
  EXPECT_NO_THROW(sim::PathSimulator(s, inputs, layout, 1));
}
