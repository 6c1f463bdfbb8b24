// The shipped default scenarios say what they are (scenarios/README.md, "Shipped scenarios"):
// 154 archetypes each, the 2026-06-13 start of the corrected data, and each differs from `base` in
// what its name promises.
#include <gtest/gtest.h>

#include <string>

#include "agents/archetype_table.h"
#include "engine/chain/consensus.h"
#include "engine/scenario/scenario.h"

namespace hashsim {
namespace {

const std::string kDir = HASHSIM_SOURCE_DIR "/scenarios/";
const char* const kDefaults[] = {"base",       "bull",       "bear",          "volatile",
                                 "old-vs-new", "power-cost", "halving-stress"};

scenario::Scenario load(const std::string& name) {
  return scenario::load_scenario(kDir + name + ".yaml");
}

double mean_tariff(const scenario::Scenario& s) {
  double m = 0.0;
  for (const auto& b : s.agents->tariffs) m += b.usd_per_kwh * b.weight;
  return m;
}

TEST(ShippedScenarios, EachHas154ArchetypesAndTheCorrectedStart) {
  for (const char* name : kDefaults) {
    const auto s = load(name);
    ASSERT_TRUE(s.agents) << name;
    const auto t = agents::build_archetype_table(*s.agents, s.start.network_hashrate_ths,
                                                 s.start.date, s.horizon_days);
    EXPECT_EQ(t.n_env, 154u) << name;  // 11 machines x 7 tariff bands x 2 strategies
    EXPECT_EQ(s.agents->tariffs.size(), 7u) << name;
    EXPECT_EQ(s.start.date, "2026-06-13") << name;
    EXPECT_DOUBLE_EQ(s.start.difficulty, 1.389554e14) << name;  // epoch 472, corrected data
    EXPECT_DOUBLE_EQ(s.start.network_hashrate_ths, 942453835.0) << name;
  }
}

TEST(ShippedScenarios, EachDiffersFromBaseInWhatItsNamePromises) {
  const auto base = load("base");
  EXPECT_GT(load("bull").price.gbm.drift_per_year, base.price.gbm.drift_per_year);
  EXPECT_LT(load("bear").price.gbm.drift_per_year, 0.0);
  const auto vol = load("volatile");
  EXPECT_GT(vol.price.gbm.vol_per_sqrt_year, base.price.gbm.vol_per_sqrt_year);
  EXPECT_GT(vol.price.gbm.jumps.intensity_per_year, 0.0);
  EXPECT_LT(vol.price.gbm.jumps.log_mean, 0.0);
  // old-vs-new: $1M observer fleets of an old and a new machine, same tariff, same market as base.
  const auto ovn = load("old-vs-new");
  ASSERT_EQ(ovn.agents->observers.size(), 4u);
  bool old_fleet = false, new_fleet = false;
  for (const auto& f : ovn.agents->observers) {
    EXPECT_EQ(f.budget_usd, 1e6);
    old_fleet |= f.machine == "Antminer S19 Pro";
    new_fleet |= f.machine == "Antminer S21 XP";
  }
  EXPECT_TRUE(old_fleet && new_fleet);
  EXPECT_EQ(ovn.price.gbm.drift_per_year, base.price.gbm.drift_per_year);
  // power-cost: the tariff distribution moves up; the market stays base's.
  const auto pc = load("power-cost");
  EXPECT_GT(mean_tariff(pc), mean_tariff(base) + 0.01);
  EXPECT_EQ(pc.price.gbm.drift_per_year, base.price.gbm.drift_per_year);
  EXPECT_EQ(pc.agents->observers.size(), 6u);
  EXPECT_NEAR(mean_tariff(base), 0.038, 1e-12);
  // halving-stress crosses the 2028 halving (height 1,050,000) well inside its horizon.
  const auto hs = load("halving-stress");
  EXPECT_EQ(chain::block_subsidy_sat(static_cast<std::int64_t>(hs.start.height)), 312500000);
  EXPECT_LT(hs.start.height + 144.0 * 700.0, hs.start.height + 144.0 * hs.horizon_days);
  EXPECT_GT(hs.start.height + 144.0 * 700.0, 1050000.0);
  EXPECT_LT(hs.price.gbm.drift_per_year, 0.0);
  EXPECT_GT(hs.price.gbm.jumps.intensity_per_year, 0.0);
  EXPECT_LT(hs.fees.lognormal.median_btc_per_block, base.fees.lognormal.median_btc_per_block);
}

}  // namespace
}  // namespace hashsim
