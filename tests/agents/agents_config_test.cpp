// Invalid catalogues and agent configurations give clear errors naming the file, line, column
// or key and the offending value.
#include <gtest/gtest.h>

#include "agents/archetype_table.h"
#include "agents/machine_catalogue.h"
#include "engine/scenario/scenario.h"
#include "engine/util/error.h"
#include "tests/agents/agents_fixture.h"
#include "tests/engine/scenarios.h"

using namespace hashsim;
using namespace hashsim::agents;
using hashsim::test_support::TempDir;
namespace ts = hashsim::test_support;

namespace {
const std::string kHeader =
    "name,hashrate_ths,power_w,price_usd,price_growth_factor,delivery_delay_days,initial_units,"
    "source\n";

std::string catalogue_error(const TempDir& dir, const std::string& csv) {
  ts::write_text(dir / "cat.csv", csv);
  return ts::error_of([&] { load_machine_catalogue(dir / "cat.csv"); }, csv);
}

std::string scenario_error(const TempDir& dir, const std::string& yaml) {
  ts::write_text(dir / "agents.yaml", yaml);
  return ts::error_of(
      [&] {
        const auto s = scenario::load_scenario(dir / "agents.yaml");
        build_archetype_table(*s.agents, s.start.network_hashrate_ths);
      },
      yaml);
}

std::string with_catalogue(const TempDir& dir) {
  ts::write_text(dir / "cat.csv",
                 kHeader + "Rig A,100,3000,1000,0.5,10,1000,x\nRig B,200,3500,3000,1,30,500,x\n");
  return (dir / "cat.csv").string();
}
}  // namespace

TEST(MachineCatalogue, LoadsTheShippedCataloguesAndHashesThem) {
  const auto cat = load_machine_catalogue(ts::kSourceDir / "data/machines/current_2026.csv");
  EXPECT_EQ(cat.machines.size(), 11u);
  EXPECT_EQ(cat.sha256.size(), 64u);
  EXPECT_EQ(cat.machines[cat.index_of("Antminer S21")].hashrate_ths, 200.0);
  const auto ref = load_machine_catalogue(ts::kSourceDir / "data/machines/reference_2021.csv");
  EXPECT_GT(ref.machines.size(), 5u);
}

TEST(MachineCatalogue, NegativeOrZeroValuesNameFileLineColumnAndValue) {
  TempDir dir;
  std::string msg = catalogue_error(
      dir, kHeader + "Rig A,100,3000,1000,0.5,10,1000,x\nRig B,-5,3500,3000,1,30,500,x\n");
  EXPECT_NE(msg.find("cat.csv:3: column 'hashrate_ths' = -5 must be > 0"), std::string::npos)
      << msg;
  msg = catalogue_error(dir, kHeader + "Rig A,100,3000,0,0.5,10,1000,x\n");
  EXPECT_NE(msg.find("cat.csv:2: column 'price_usd' = 0 must be > 0"), std::string::npos) << msg;
  msg = catalogue_error(dir, kHeader + "Rig A,100,3000,1000,0.5,10,-1,x\n");
  EXPECT_NE(msg.find("column 'initial_units' = -1 must be >= 0"), std::string::npos) << msg;
  msg = catalogue_error(dir, kHeader + "Rig A,100,3000,1000,0.5,400,1,x\n");
  EXPECT_NE(msg.find("column 'delivery_delay_days' = 400 is not in [0, 365]"), std::string::npos)
      << msg;
}

TEST(MachineCatalogue, DuplicateEmptyMissingColumnAndNoRowsAreErrors) {
  TempDir dir;
  std::string msg = catalogue_error(
      dir, kHeader + "Rig A,100,3000,1000,0.5,10,1000,x\nRig A,100,3000,1000,0.5,10,1000,y\n");
  EXPECT_NE(msg.find("cat.csv:3: duplicate machine 'Rig A'"), std::string::npos) << msg;
  msg = catalogue_error(dir, kHeader);
  EXPECT_NE(msg.find("has no rows"), std::string::npos) << msg;
  msg = catalogue_error(dir, "name,hashrate_ths,power_w\nRig A,100,3000\n");
  EXPECT_NE(msg.find("price_usd"), std::string::npos) << msg;
  msg = catalogue_error(dir, kHeader + "Rig A,lots,3000,1000,0.5,10,1000,x\n");
  EXPECT_NE(msg.find("lots"), std::string::npos) << msg;
  try {
    load_machine_catalogue(dir / "absent.csv");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.csv: cannot read machine catalogue"),
              std::string::npos)
        << e.what();
  }
}

TEST(AgentsConfig, TariffWeightsMustBeNonNegativeAndSumToOne) {
  TempDir dir;
  const std::string cat = with_catalogue(dir);
  std::string msg =
      scenario_error(dir, ts::agents_yaml("a", cat, 1, 10, 1,
                                          "    - {usd_per_kwh: 0.03, weight: 0.5}\n"
                                          "    - {usd_per_kwh: 0.05, weight: 0.4}\n"));
  EXPECT_NE(msg.find("agents.tariffs weights sum to 0.9; they must sum to 1"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("agents.yaml:"), std::string::npos) << msg;
  msg = scenario_error(dir, ts::agents_yaml("a", cat, 1, 10, 1,
                                            "    - {usd_per_kwh: 0.03, weight: 1.1}\n"
                                            "    - {usd_per_kwh: 0.05, weight: -0.1}\n"));
  EXPECT_NE(msg.find("agents.tariffs[0].weight = 1.1 is not in [0, 1]"), std::string::npos) << msg;
  msg = scenario_error(dir, ts::agents_yaml("a", cat, 1, 10, 1,
                                            "    - {usd_per_kwh: 0.03, weight: 0.5}\n"
                                            "    - {usd_per_kwh: -0.05, weight: 0.5}\n"));
  EXPECT_NE(msg.find("agents.tariffs[1].usd_per_kwh = -0.05 is not in [0, 10]"), std::string::npos)
      << msg;
  msg = scenario_error(dir, ts::agents_yaml("a", cat, 1, 10, 1,
                                            "    - {usd_per_kwh: 0.05, weight: 0.5}\n"
                                            "    - {range: [0.04, 0.06], weight: 0.5}\n"));
  EXPECT_NE(msg.find("lists the price 0.05 USD/kWh twice"), std::string::npos) << msg;
  msg = scenario_error(
      dir, ts::agents_yaml("a", cat, 1, 10, 1, "    - {range: [0.06, 0.04], weight: 1}\n"));
  EXPECT_NE(msg.find("low <= high"), std::string::npos) << msg;
}

TEST(AgentsConfig, StrategyWeightsMustSumToOne) {
  TempDir dir;
  std::string yaml = ts::agents_yaml("a", with_catalogue(dir), 1, 10, 1);
  yaml.replace(yaml.find("{sell_daily: 0.6, long_btc: 0.4}"), 32,
               "{sell_daily: 0.6, long_btc: 0.6}");
  const std::string msg = scenario_error(dir, yaml);
  EXPECT_NE(msg.find("sell_daily + long_btc = 1.2; they must sum to 1"), std::string::npos) << msg;
}

TEST(AgentsConfig, UnknownObserverMachineListsTheCatalogue) {
  TempDir dir;
  const std::string cat = with_catalogue(dir);
  ts::write_text(dir / "ok.yaml", ts::agents_yaml("a", cat, 1, 10, 1));
  // agents_yaml's observers name current_2026 machines, absent from this catalogue.
  const std::string msg = scenario_error(dir, ts::agents_yaml("a", cat, 1, 10, 1));
  // File, line and key first (issue 16.20), then the catalogue's machines.
  EXPECT_NE(msg.find("agents.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("agents.observers[0].machine = Antminer S21 is not in the catalogue"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("Rig A, Rig B"), std::string::npos) << msg;
}

TEST(AgentsConfig, MissingCatalogueFileAndUnknownRuleKeyAreNamed) {
  TempDir dir;
  std::string msg =
      scenario_error(dir, ts::agents_yaml("a", (dir / "nope.csv").string(), 1, 10, 1));
  EXPECT_NE(msg.find("agents.catalogue = " + (dir / "nope.csv").string() + ": cannot read file"),
            std::string::npos)
      << msg;
  std::string yaml =
      ts::agents_yaml("a", (ts::kSourceDir / "data/machines/current_2026.csv").string(), 1, 10, 1);
  yaml.replace(yaml.find("pool_fee: 0.02"), 14, "pool_fees: 0.02");
  msg = scenario_error(dir, yaml);
  EXPECT_NE(msg.find("unknown key agents.rules.pool_fees"), std::string::npos) << msg;
}

TEST(AgentsConfig, ObserversAloneAboveTheStartHashrateIsAnError) {
  TempDir dir;
  auto c = ts::make_config(dir, {{"A", 100.0, 3000.0, 1000.0, 0.0, 0, 1000.0}}, {{0.05, 1.0}});
  c.observers.push_back({"A", 0.05, Strategy::SellDaily, 1e9, true});  // 1e6 machines x 100 TH/s
  try {
    build_archetype_table(c, 1e6);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("observer fleets alone"), std::string::npos) << e.what();
  }
}

TEST(ArchetypeTable, OrderIsMachineThenStrategyThenTariffWithWeightedCounts) {
  TempDir dir;
  auto c = ts::make_config(
      dir,
      {{"A", 100.0, 3000.0, 1000.0, 0.0, 0, 1000.0}, {"B", 200.0, 3000.0, 1000.0, 0.0, 4, 500.0}},
      {{0.03, 0.25}, {0.06, 0.75}}, 0.6);
  const ArchetypeTable t = build_archetype_table(c, 2e5);
  ASSERT_EQ(t.n_env, 2u * 2u * 2u);
  EXPECT_EQ(t.machine, (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(t.strategy[2], Strategy::LongBtc);
  EXPECT_EQ(t.tariff_usd_per_kwh[1], 0.06);
  // Unscaled: units x tariff weight x strategy weight; scaled so the total is 2e5 TH/s
  // (unscaled 1000 x 100 + 500 x 200 = 2e5: scale 1).
  EXPECT_DOUBLE_EQ(t.initial_machines[0], 1000.0 * 0.25 * 0.6);
  EXPECT_DOUBLE_EQ(t.initial_machines[7], 500.0 * 0.75 * 0.4);
  EXPECT_DOUBLE_EQ(t.power_cost_usd_per_day[1], 3.0 * 24.0 * 0.06);
  EXPECT_EQ(t.max_delay_days, 4);
  EXPECT_NEAR(t.initial_network_hashrate_ths(), 2e5, 1e-6);
}
