// Exact rule tests and property tests of the default profile's mechanisms (README "Miner
// agents"): forward-looking buy value, equilibrium start, short-term proportional switching
// (no ringing), retirement and resale, finite power per tariff band. Each test switches on the
// mechanism under test on top of the legacy rules (ts::legacy_rules), so one mechanism is pinned
// at a time; the last tests run the full default rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "agents/miner_rules.h"
#include "tests/agents/agents_fixture.h"

using namespace hashsim;
using namespace hashsim::agents;
using hashsim::test_support::TempDir;
namespace ts = hashsim::test_support;

namespace {
MinerState state_for(const ArchetypeTable& t, const DefaultRules& r) {
  MinerState s;
  s.allocate(t, r);
  s.reset(t);
  return s;
}
}  // namespace

TEST(ForwardValue, ConstantHashpriceIsHorizonTimesMargin) {
  // g = 0, no halving in the horizon: V = T (R - C), the legacy payback rule price <= T * margin.
  EXPECT_DOUBLE_EQ(forward_machine_value_usd(20.0, 8.0, 720.0, 0.0, {}), 720.0 * 12.0);
  EXPECT_EQ(forward_machine_value_usd(7.0, 8.0, 720.0, 0.0, {}),
            0.0);  // under water: switched off, worth 0
}

TEST(ForwardValue, DifficultyGrowthAndHalvingByHand) {
  // R = 20, C = 8 USD/day, T = 720 d, g = 0.365/yr -> k = 0.001/day.
  // No halving: runs until ln(20/8)/0.001 = 916 d > T, so V = 20 (1 - e^-0.72) / 0.001 - 8 * 720
  //   = 20000 * 0.513248 - 5760 = 4504.96.
  const double k = 0.001;
  const double v_growth = 20.0 * (1.0 - std::exp(-0.72)) / k - 8.0 * 720.0;
  EXPECT_NEAR(v_growth, 4504.96, 0.01);
  EXPECT_LT(ts::rel(forward_machine_value_usd(20.0, 8.0, 720.0, 0.365, {}), v_growth), 1e-12);
  // Halving in 100 days, reward ratio 0.55: revenue 11 afterwards, stops at ln(11/8)/k = 318.45 d.
  //   before: 20 (1 - e^-0.1)/k - 800 = 1103.25; after: 11 (e^-0.1 - e^-0.31845)/k - 8 (318.45 -
  //   100) = 205.3
  RewardOutlook o;
  o.days_to_halving = 100.0;
  o.reward_ratio_after_halving = 0.55;
  const double t_stop = std::log(11.0 / 8.0) / k;
  const double v_halving = 20.0 * (1.0 - std::exp(-0.1)) / k - 800.0 +
                           11.0 * (std::exp(-0.1) - std::exp(-k * t_stop)) / k -
                           8.0 * (t_stop - 100.0);
  EXPECT_NEAR(v_halving, 1308.6, 0.5);
  EXPECT_LT(ts::rel(forward_machine_value_usd(20.0, 8.0, 720.0, 0.365, o), v_halving), 1e-12);
}

TEST(ForwardValue, RewardOutlookFromHeightSubsidyAndFee) {
  const RewardOutlook o = reward_outlook(840000.0 - 1440.0, 3.125, 0.1);
  EXPECT_DOUBLE_EQ(o.days_to_halving, 10.0);
  EXPECT_DOUBLE_EQ(o.reward_ratio_after_halving, (1.5625 + 0.1) / 3.225);
  // Exactly on a halving height: the next one is 210000 blocks away.
  EXPECT_DOUBLE_EQ(reward_outlook(840000.0, 3.125, 0.0).days_to_halving, 210000.0 / 144.0);
}

TEST(ForwardValue, AnticipatedHalvingStopsOrdersThatTodaysMarginWouldPlace) {
  // Margin today 12.8 USD/day, price 5000: legacy payback 391 d <= 720 buys, and with g = 0.2/yr
  // the expected profit over 720 d (6714) still covers the price. A halving in 30 days (ratio 0.5:
  // revenue 10 against 7.2 of power afterwards) brings it to ~1094 < 5000: no order.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 1, 5000.0)}, {{0.10, 1.0}});
  c.rules.expected_difficulty_growth_per_year = 0.2;
  c.rules.anticipate_halving = true;
  const ArchetypeTable t = build_archetype_table(c, 1e5);
  RewardOutlook o;
  o.days_to_halving = 30.0;
  o.reward_ratio_after_halving = 0.5;
  const double v = forward_machine_value_usd(20.0, 7.2, 720.0, 0.2, o);
  ASSERT_GT(forward_machine_value_usd(20.0, 7.2, 720.0, 0.2, {}), 5000.0);
  ASSERT_LT(v, 5000.0);
  ASSERT_GT(720.0 * 12.8, 5000.0);
  MinerState s = state_for(t, c.rules);
  seed_default(t, c.rules, s, 0.2, o);
  for (int day = 1; day <= 40; ++day)
    step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(0.2), 0.2, o);
  EXPECT_EQ(s.pending_machines[0], 0.0);
  EXPECT_LT(ts::rel(s.value_scratch_usd[0], v), 1e-9);
  // The same day without the halving in sight buys.
  MinerState s2 = state_for(t, c.rules);
  seed_default(t, c.rules, s2, 0.2, {});
  step_default(t, c.rules, s2, 1, ts::kPrice, ts::hp_btc(0.2), 0.2, {});
  EXPECT_GT(s2.pending_machines[0] + s2.machines_on[0], s.machines_on[0]);
}

TEST(EquilibriumStart, UnderWaterArchetypesStartIdleAndTheOnlineFleetIsTheStartHashrate) {
  // Two tariff bands: 0.10 USD/kWh (7.2 USD/day) and 0.30 (21.6 USD/day). hp0 = 0.15 USD/TH/day:
  // revenue 15 per machine, so the 0.30 band (half the machines) is under water.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 10, 1000.0)}, {{0.10, 0.5}, {0.30, 0.5}});
  c.rules.equilibrium_start = true;
  c.rules.reinvest_fraction = 0.5;
  const ArchetypeTable t = build_archetype_table(c, 1e6);
  MinerState s = state_for(t, c.rules);
  seed_default(t, c.rules, s, 0.15, {});
  // Archetype order: sell daily x (0.10, 0.30). 1e6 TH/s = 1e4 machines: 5000 per band before.
  EXPECT_NEAR(s.machines_on[0], 1e4, 1e-6);  // the profitable band carries the whole start hashrate
  EXPECT_NEAR(s.machines_idle[1], 1e4, 1e-6);  // the other band is idle, scaled alike
  EXPECT_EQ(s.machines_on[1], 0.0);
  EXPECT_NEAR(network_hashrate_ths(t, s), 1e6, 1e-6);
  // Profit window: 30 days of 1e4 * (15 - 7.2) = 78000 USD/day.
  EXPECT_NEAR(s.profit_window_usd[0], 30.0 * 78000.0, 1e-6);
  // Pipeline: day-0 order n0 = 0.5 * min(1, (V - 1000)/1000) * profit30 / 1000, n0/10 a day on
  // days 1..10.
  const double v = 720.0 * 7.8;
  const double n0 = 0.5 * std::min(1.0, (v - 1000.0) / 1000.0) * 30.0 * 78000.0 / 1000.0;
  EXPECT_NEAR(s.pending_machines[0], n0, 1e-9 * n0);
  const double on_before = s.machines_on[0];
  step_default(t, c.rules, s, 1, ts::kPrice, ts::hp_btc(0.15), 0.15, {});
  EXPECT_NEAR(s.machines_on[0], on_before + n0 / 10.0, 1e-9 * on_before);
}

TEST(EquilibriumStart, NoFirstMonthDropAtConstantConditions) {
  // Property: with the decision hashprice following the agents' own network (reward fixed) the
  // network does not fall in the first 60 days (legacy start: the under-water band switches off).
  TempDir dir;
  auto c =
      ts::make_config(dir, {ts::rig("A", 20, 1000.0), {"B", 200.0, 3500.0, 3000.0, 0.0, 30, 500.0}},
                      {{0.04, 0.4}, {0.07, 0.4}, {0.25, 0.2}}, 0.5);
  ts::default_rules(c.rules);
  c.rules.hardware_failure_rate_per_year = 0.0;  // failures alone would shrink the network
  const ArchetypeTable t = build_archetype_table(c, 1e7);
  const double reward_usd = 0.15 * 1e7;  // hp0 = 0.15 USD/TH/day at the start network
  for (bool eq : {true, false}) {
    c.rules.equilibrium_start = eq;
    MinerState s = state_for(t, c.rules);
    double h = network_hashrate_ths(t, s);
    seed_default(t, c.rules, s, reward_usd / h, {});
    double lowest = h;
    for (int day = 1; day <= 60; ++day) {
      const double hp = reward_usd / h;
      h = step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(hp), hp, {});
      lowest = std::min(lowest, h);
    }
    if (eq) {
      EXPECT_GE(lowest, 1e7 * (1.0 - 1e-12)) << "equilibrium start";
    } else {
      EXPECT_LT(lowest, 0.99e7) << "legacy start drops (the test can tell the two apart)";
    }
  }
}

TEST(EquilibriumPrices, DayZeroPriceLevelGrowsTheFleetAtTheExpectedRateByHand) {
  // One machine (100 TH/s, 3 kW, listed 1000 USD, delay 10 d), 0.10 USD/kWh: C = 7.2 USD/day;
  // hp0 = 0.15 USD/TH/day: R = 15. g = 0.365/yr (k = 0.001/day), no failures, no halving:
  //   V = 15 (1 - e^-0.72) / 0.001 - 7.2 * 720 = 2514.7 (runs to ln(15/7.2)/k = 734 d > 720).
  // Start 1e6 TH/s = 1e4 machines, all online: W = 30 * 1e4 * 7.8 = 2.34e6 USD.
  // Target: 1e6 * 0.365 / 365 = 1000 TH/s a day = n0 * 100 / 10, so n0 = 100 machines.
  // With x = L * 1000 in the scaled range (V / 2 < x < V): n0 = r W (V - x) / x^2 = 100, i.e.
  //   100 x^2 + r W x - r W V = 0, x = (-r W + sqrt((r W)^2 + 400 r W V)) / 200 = 2127.7.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 10, 1000.0)}, {{0.10, 1.0}});
  c.rules.equilibrium_start = true;
  c.rules.equilibrium_machine_prices = true;
  c.rules.expected_difficulty_growth_per_year = 0.365;
  c.rules.scale_orders_by_value = true;
  c.rules.reinvest_fraction = 0.5;
  const ArchetypeTable t = build_archetype_table(c, 1e6);
  MinerState s = state_for(t, c.rules);
  seed_default(t, c.rules, s, 0.15, {});
  const double v = 15.0 * (1.0 - std::exp(-0.72)) / 0.001 - 7.2 * 720.0;
  const double rw = 0.5 * 30.0 * 1e4 * 7.8;
  const double x = (-rw + std::sqrt(rw * rw + 400.0 * rw * v)) / 200.0;
  ASSERT_GT(x, v / 2.0);
  ASSERT_LT(x, v);
  EXPECT_NEAR(x, 2127.7, 0.1);
  // Bisection to ~1e-17 in ln L; the value itself is exact to a few ulp.
  EXPECT_LT(ts::rel(s.machine_price_level, x / 1000.0), 1e-9);
  EXPECT_LT(ts::rel(s.pending_machines[0], 100.0), 1e-9);
  // Days 2..11 bring 10 machines a day: the fleet grows at g from the start.
  const double on_before = s.machines_on[0];
  step_default(t, c.rules, s, 1, ts::kPrice, ts::hp_btc(0.15), 0.15, {});
  EXPECT_LT(ts::rel(s.machines_on[0], on_before + 10.0), 1e-9);
  // A listed price is scaled by the level on every later day too (index at hp0: exactly L * p).
  EXPECT_LT(ts::rel(s.price_scratch_usd[0], x), 1e-9);
}

TEST(EquilibriumPrices, AnUnreachableTargetStopsAtTheBoundNothingToOrderKeepsListedPrices) {
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 10, 1000.0)}, {{0.10, 1.0}});
  c.rules.equilibrium_start = true;
  c.rules.expected_difficulty_growth_per_year = 0.365;
  c.rules.scale_orders_by_value = true;
  const ArchetypeTable t = build_archetype_table(c, 1e6);
  c.rules.equilibrium_machine_prices = true;
  // Reinvesting 1 % of W = 2.34e6 USD buys at most 0.01 W / 250 = 93.6 machines at a quarter of
  // the price (scale capped at 1): 936 TH/s a day < 1e6 * 0.5 / 365 = 1370 for 50 %/yr.
  c.rules.reinvest_fraction = 0.01;
  c.rules.equilibrium_growth_per_year = 0.5;
  MinerState s = state_for(t, c.rules);
  seed_default(t, c.rules, s, 0.15, {});
  EXPECT_DOUBLE_EQ(s.machine_price_level, 0.25);
  // Nothing can be ordered at any level (revenue 5 < power 7.2 USD/day): the listed prices stand
  // (not the bound, which would carry a quarter price into every later day).
  MinerState under_water = state_for(t, c.rules);
  seed_default(t, c.rules, under_water, 0.05, {});
  EXPECT_EQ(under_water.machine_price_level, 1.0);
  c.rules.equilibrium_machine_prices = false;
  MinerState listed = state_for(t, c.rules);
  seed_default(t, c.rules, listed, 0.15, {});
  EXPECT_EQ(listed.machine_price_level, 1.0);
  EXPECT_EQ(listed.price_scratch_usd[0], 1000.0);
}

TEST(EquilibriumPrices, AFlatMarketKeepsBuyingWhereListedPricesStopEveryOrder) {
  // Property (the forward scenarios' decline of issue 15): listed at 5000 USD, a machine earning
  // 15 - 7.2 USD/day never pays back over 720 days, so with listed prices nobody buys and the
  // fleet only shrinks (failures); with equilibrium prices the machine market clears at the
  // growth the agents expect and the network, reward fixed, grows over the year.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 30, 5000.0)}, {{0.10, 1.0}}, 0.5);
  ts::default_rules(c.rules);
  const ArchetypeTable t = build_archetype_table(c, 1e7);
  const double reward_usd = 0.15 * 1e7;
  for (bool eq : {true, false}) {
    c.rules.equilibrium_machine_prices = eq;
    MinerState s = state_for(t, c.rules);
    double h = network_hashrate_ths(t, s);
    seed_default(t, c.rules, s, reward_usd / h, {});
    for (int day = 1; day <= 365; ++day) {
      const double hp = reward_usd / h;
      h = step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(hp), hp, {});
    }
    if (eq) {
      EXPECT_GT(h, 1.05e7) << "equilibrium prices: the network grows";
      EXPECT_LT(s.machine_price_level, 1.0);
    } else {
      EXPECT_LT(h, 0.96e7) << "listed prices: no orders, 5 %/yr failures";
    }
  }
}

TEST(Switching, ProportionalRestartPaceByHand) {
  // Short window 1: margin m = 100 * 0.0756 - 7.2 = 0.36 USD/day -> restart min(0.25, 0.36/7.2 =
  // 0.05).
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A")}, {{0.10, 1.0}});
  c.rules.reinvest_fraction = 0.0;
  c.rules.switch_window_days = 1;
  c.rules.proportional_restart = true;
  const ArchetypeTable t = build_archetype_table(c, 1e5);
  MinerState s = state_for(t, c.rules);
  seed_default(t, c.rules, s, 0.05, {});
  step_default(t, c.rules, s, 1, ts::kPrice, ts::hp_btc(0.05), 0.05,
               {});  // m = -2.2: off min(0.1, 2.2/7.2) = 10 %
  EXPECT_LT(ts::rel(s.machines_idle[0], 100.0), 1e-12);
  step_default(t, c.rules, s, 2, ts::kPrice, ts::hp_btc(0.0756), 0.0756, {});
  EXPECT_LT(ts::rel(s.machines_idle[0], 100.0 * (1.0 - 0.36 / 7.2)), 1e-12);
  EXPECT_LT(ts::rel(s.machines_on[0], 900.0 + 100.0 * 0.36 / 7.2), 1e-12);
}

TEST(Switching, NoRingingAfterAHalvingInClosedLoop) {
  // Closed loop without purchases: decision hashprice = reward / H (reward in USD/day), the
  // reward halves on day 20. Bound (no ringing): after the halving the network moves one way
  // (falls) and then settles: at most one change of direction of H_d - H_{d-1} (|change| > 1e-9 H),
  // and the final level is within 1 % of the break-even band; no day moves H by more than the
  // switch-off pace (10 %).
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A"), ts::rig("B"), ts::rig("C")},
                           {{0.03, 0.3}, {0.05, 0.3}, {0.08, 0.4}});
  c.rules.reinvest_fraction = 0.0;
  auto run = [&](bool modern) {
    if (modern) {
      c.rules.switch_window_days = 3;
      c.rules.proportional_restart = true;
    }
    const ArchetypeTable t = build_archetype_table(c, 3e5);
    MinerState s = state_for(t, c.rules);
    double h = network_hashrate_ths(t, s);
    double reward = 0.06 * h;  // every band profitable (0.06 > 0.0576 USD/TH/day)
    seed_default(t, c.rules, s, reward / h, {});
    std::vector<double> path{h};
    for (int day = 1; day <= 200; ++day) {
      if (day == 20) reward *= 0.5;
      const double hp = reward / h;
      h = step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(hp), hp, {});
      path.push_back(h);
    }
    int turns = 0, dir_prev = 0;
    for (std::size_t d = 21; d < path.size(); ++d) {
      const double dh = path[d] - path[d - 1];
      EXPECT_LE(std::fabs(dh),
                c.rules.max_switch_off_fraction_per_day * path[d - 1] * (1.0 + 1e-12))
          << "day " << d;
      const int dir_now = std::fabs(dh) > 1e-9 * path[d] ? (dh > 0 ? 1 : -1) : 0;
      if (dir_now != 0 && dir_prev != 0 && dir_now != dir_prev) ++turns;
      if (dir_now != 0) dir_prev = dir_now;
    }
    return std::make_pair(turns, path.back());
  };
  const auto [turns_modern, final_modern] = run(true);
  EXPECT_LE(turns_modern, 1);
  // After the halving hp = 0.03 * 3e5 / H: the 0.08 band (0.0576 USD/TH/day) goes off, the 0.03
  // and 0.05 bands (0.0216, 0.036) run: 0.036 <= hp <= 0.0576 at the end.
  const double hp_final = 0.03 * 3e5 / final_modern;
  EXPECT_GE(hp_final, 0.036 * 0.99);
  EXPECT_LE(hp_final, 0.0576 * 1.01);
  const auto [turns_legacy, final_legacy] = run(false);
  std::printf("turns after the halving: modern %d, legacy %d; final H modern %.6g, legacy %.6g\n",
              turns_modern, turns_legacy, final_modern, final_legacy);
  // This pure switching loop does not separate the two rule sets (both settle without turns): the
  // ringing of the old rules needs orders and the retarget lag too; the bound is stated here for
  // the default rules.
}

TEST(Retirement, IdleUnderWaterMachinesAreRetiredAndSoldByHand) {
  // All on, margin negative: day 1 switches off 10 % (100 machines), retires 2 % of the idle
  // machines it started the day with (none), day 2 retires 2 % of 100 and sells them at 30 % of
  // 1000 USD: usd += 2 * 300 on top of the day's (negative) profit.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A")}, {{0.10, 1.0}});
  c.rules.reinvest_fraction = 0.0;
  c.rules.retire_fraction_per_day = 0.02;
  c.rules.resale_fraction = 0.3;
  const ArchetypeTable t = build_archetype_table(c, 1e5);
  MinerState s = state_for(t, c.rules);
  seed_default(t, c.rules, s, 0.05, {});
  step_default(t, c.rules, s, 1, ts::kPrice, ts::hp_btc(0.05), 0.05, {});
  EXPECT_LT(ts::rel(s.machines_idle[0], 100.0), 1e-12);
  EXPECT_EQ(s.retired_machines[0], 0.0);
  const double usd1 = s.usd[0];
  step_default(t, c.rules, s, 2, ts::kPrice, ts::hp_btc(0.05), 0.05, {});
  EXPECT_LT(ts::rel(s.retired_machines[0], 2.0), 1e-12);
  EXPECT_LT(ts::rel(s.machines_idle[0], 100.0 - 2.0 + 90.0), 1e-12);
  EXPECT_LT(ts::rel(s.usd[0], usd1 + s.profit_day_usd[0] + 2.0 * 300.0), 1e-12);
}

TEST(Retirement, FailureRateRemovesMachinesAtTheStatedPace) {
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A")}, {{0.10, 1.0}});
  c.rules.reinvest_fraction = 0.0;
  c.rules.hardware_failure_rate_per_year = 0.05;
  const ArchetypeTable t = build_archetype_table(c, 1e5);
  MinerState s = state_for(t, c.rules);
  seed_default(t, c.rules, s, 0.2, {});
  for (int day = 1; day <= 365; ++day)
    step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(0.2), 0.2, {});
  EXPECT_LT(ts::rel(s.machines_on[0], 1000.0 * 0.95), 1e-9);  // (1 - 0.05)^(365/365)
}

TEST(BandCapacity, OrdersStopAtTheBandsCapacityByHand) {
  // Capacity headroom 0.01 of the day-0 power 1000 machines * 3 kW = 3000 kW -> 30 kW of room,
  // 10 machines; growth 0. Highly profitable: the wanted order is far above 10 machines.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 5, 100.0)}, {{0.10, 1.0}});
  c.rules.band_capacity_headroom = 0.01;
  c.rules.band_capacity_growth_per_year = 0.0;
  const ArchetypeTable t = build_archetype_table(c, 1e5);
  MinerState s = state_for(t, c.rules);
  seed_default(t, c.rules, s, 0.5, {});
  EXPECT_DOUBLE_EQ(s.band_capacity0_kw[0], 1.01 * 3.0 * 1000.0);
  s.usd[0] = 1e9;  // funds are not the limit
  step_default(t, c.rules, s, 1, ts::kPrice, ts::hp_btc(0.5), 0.5, {});
  EXPECT_LT(ts::rel(s.pending_machines[0], 10.0), 1e-9);
  step_default(t, c.rules, s, 2, ts::kPrice, ts::hp_btc(0.5), 0.5, {});
  EXPECT_LT(ts::rel(s.pending_machines[0], 10.0), 1e-9);  // full: nothing more
}

TEST(BandCapacity, NoBandEverExceedsItsCapacityUnderTheDefaultRules) {
  // Property over 3 years: very profitable cheap bands, growing capacity, retirements freeing
  // room; on + idle + pending kW of each band <= capacity0 * e^(g d / 365) (+1e-9 relative).
  TempDir dir;
  auto c =
      ts::make_config(dir, {ts::rig("A", 20, 500.0), {"B", 200.0, 3500.0, 2000.0, 0.0, 40, 300.0}},
                      {{0.02, 0.3}, {0.05, 0.4}, {0.09, 0.3}}, 0.5);
  ts::default_rules(c.rules);
  const ArchetypeTable t = build_archetype_table(c, 1e7);
  MinerState s = state_for(t, c.rules);
  double h = network_hashrate_ths(t, s);
  const double reward_usd = 0.12 * 1e7;
  seed_default(t, c.rules, s, reward_usd / h, {});
  for (int day = 1; day <= 1095; ++day) {
    const double r = reward_usd * (1.0 + 0.8 * std::sin(day / 50.0));  // booms and busts
    const double hp = r / h;
    h = step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(hp), hp, {});
    const double cap = std::exp(c.rules.band_capacity_growth_per_year * day / 365.0);
    std::vector<double> used(t.n_bands, 0.0);
    for (std::size_t a = 0; a < t.n_env; ++a)
      used[static_cast<std::size_t>(t.tariff_band[a])] +=
          t.power_kw[a] * (s.machines_on[a] + s.machines_idle[a] + s.pending_machines[a]);
    for (std::size_t b = 0; b < t.n_bands; ++b)
      ASSERT_LE(used[b], s.band_capacity0_kw[b] * cap * (1.0 + 1e-9))
          << "band " << b << " day " << day;
  }
}
