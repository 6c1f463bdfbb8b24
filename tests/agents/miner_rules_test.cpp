// Exact tests of the miner rules (agents/miner_rules.h) on tiny hand-built tables: revenue
// shares, switching off and restarting, order delays, capex, booking by strategy, observer fleets.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "agents/miner_rules.h"
#include "tests/agents/agents_fixture.h"

using namespace hashsim;
using namespace hashsim::agents;
using hashsim::test_support::TempDir;
namespace ts = hashsim::test_support;

TEST(DefaultRules, RevenueSharesSumToTheNetworkRewardNetOfPoolFee) {
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A"), {"B", 200.0, 3500.0, 3000.0, 0.5, 10, 700.0}},
                           {{0.04, 0.3}, {0.07, 0.7}}, 0.4);
  c.rules.pool_fee = 0.02;
  c.observers.push_back({"A", 0.05, Strategy::SellDaily, 1e6, true});
  c.observers.push_back(
      {"B", 0.05, Strategy::LongBtc, 1e6, false});  // shadow fleet: not in the network
  const ArchetypeTable t = build_archetype_table(c, 1e6);
  MinerState s = ts::fresh_state(t);
  seed_default(t, s, 0.1);
  for (int day = 1; day <= 40; ++day) {
    const double reward_btc = 144.0 * (3.125 + 0.02 * day);  // the day's subsidy + fees
    const double network = network_hashrate_ths(t, s);
    const std::vector<double> on = s.machines_on;
    step_default(t, c.rules, s, day, ts::kPrice, reward_btc / network,
                 (reward_btc / network) * ts::kPrice);
    // Every counted agent's gross revenue (profit + power cost) is its share of the reward.
    double gross = 0.0;
    for (std::size_t a = 0; a < t.size(); ++a)
      if (t.network_weight[a] > 0.0)
        gross += s.profit_day_usd[a] + on[a] * t.power_cost_usd_per_day[a];
    EXPECT_LT(ts::rel(gross, ts::kPrice * reward_btc * (1.0 - c.rules.pool_fee)), 1e-12)
        << "day " << day;
  }
}

TEST(Reference2021Rules, RevenueSharesSumToTheNetworkReward) {
  // sum over agents of (pnl + power cost) = P * B * H_counted / H_prev: with H_prev the counted
  // network hashrate, exactly P * B.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 2), {"B", 200.0, 3500.0, 3000.0, 1.0, 3, 700.0}},
                           {{0.04, 0.5}, {0.07, 0.5}}, 0.5, RuleProfile::Reference2021);
  c.reference = {ts::kPrice, 2.0e5, 0.2, {}};
  c.observers.push_back({"A", 0.05, Strategy::SellDaily, 1e6, true});
  c.observers.push_back({"B", 0.05, Strategy::LongBtc, 1e6, false});
  const ArchetypeTable t = build_archetype_table(c, 0.0);
  MinerState s = ts::fresh_state(t);
  double prev = network_hashrate_ths(t, s);
  for (int k = 0; k < 40; ++k) {
    const double reward = 900.0 + k;
    const double price = ts::kPrice * (1.0 + 0.01 * k);
    const std::vector<double> on = s.machines_on;
    double uncounted_hashrate = 0.0;
    for (std::size_t a = 0; a < t.size(); ++a)
      if (t.network_weight[a] == 0.0) uncounted_hashrate += t.hashrate_ths[a] * on[a];
    const double next = step_reference_2021(t, c.reference, s, k, price, reward, prev);
    double gross_counted = 0.0, gross_all = 0.0;
    for (std::size_t a = 0; a < t.size(); ++a) {
      const double g = s.profit_day_usd[a] + t.power_kw[a] * on[a] * t.tariff_usd_per_kwh[a] * 24.0;
      gross_all += g;
      if (t.network_weight[a] > 0.0) gross_counted += g;
    }
    EXPECT_LT(ts::rel(gross_counted, price * reward), 1e-12) << "update " << k;
    EXPECT_LT(ts::rel(gross_all, price * reward * (prev + uncounted_hashrate) / prev), 1e-12)
        << "update " << k;
    prev = next;
  }
}

TEST(DefaultRules, UnprofitableMachinesSwitchOffAtABoundedPaceAndRestartWhenProfitable) {
  // cost 7.2 USD/day per machine of 100 TH/s. Hashprice 0.054 USD/TH/day (margin -1.8) for 5
  // days, then 0.2: the 30-day mean margin stays negative for 3 more days, then turns positive.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A")}, {{0.10, 1.0}});
  c.rules.reinvest_fraction = 0.0;  // no purchases: only switching moves machines
  const ArchetypeTable t = build_archetype_table(c, 1e5);
  MinerState s = ts::fresh_state(t);
  const double total = s.machines_on[0];
  ASSERT_NEAR(total * 100.0, 1e5, 1e-6);
  seed_default(t, s, 0.054);
  std::vector<double> window(30, 0.054);
  bool saw_capped = false, saw_uncapped = false, saw_restart = false;
  for (int day = 1; day <= 40; ++day) {
    const double hp_usd = day <= 5 ? 0.054 : 0.2;
    window[static_cast<std::size_t>(day % 30)] = hp_usd;
    const double hp30 = std::accumulate(window.begin(), window.end(), 0.0) / 30.0;
    const double margin = 100.0 * hp30 - 7.2;
    const double on0 = s.machines_on[0], idle0 = s.machines_idle[0];
    step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(hp_usd),
                 (ts::hp_btc(hp_usd)) * ts::kPrice);
    ASSERT_GT(std::fabs(margin), 0.1) << "test design: margins stay away from 0";
    if (margin < 0.0) {
      const double frac = std::min(c.rules.max_switch_off_fraction_per_day, -margin / 7.2);
      (frac == c.rules.max_switch_off_fraction_per_day ? saw_capped : saw_uncapped) = true;
      EXPECT_LT(ts::rel(s.machines_on[0], on0 * (1.0 - frac)), 1e-12) << "day " << day;
    } else {
      saw_restart = saw_restart || idle0 > 0.0;
      EXPECT_LT(ts::rel(s.machines_idle[0], idle0 * (1.0 - c.rules.restart_fraction_per_day)),
                1e-12)
          << "day " << day;
    }
    // Idle, not destroyed.
    EXPECT_LT(ts::rel(s.machines_on[0] + s.machines_idle[0], total), 1e-12) << "day " << day;
  }
  EXPECT_TRUE(saw_capped && saw_uncapped && saw_restart);
  EXPECT_GT(s.machines_on[0], 0.95 * total);  // most machines back online after 30 good days
}

TEST(DefaultRules, OrdersGoOnlineExactlyDelayDaysLaterAndCapexIsPaid) {
  for (int delay : {0, 1, 5, 30}) {
    TempDir dir;
    // Profitable: 0.2 USD/TH/day on 100 TH/s = 20 USD/day against 7.2 of power; machines cost
    // 1000 USD (growth factor 0: a fixed price), payback 78 days.
    auto c = ts::make_config(dir, {ts::rig("A", delay)}, {{0.10, 1.0}});
    const ArchetypeTable t = build_archetype_table(c, 1e5);
    MinerState s = ts::fresh_state(t);
    seed_default(t, s, 0.2);
    std::vector<double> buys(80, 0.0);
    for (int day = 1; day < 80; ++day) {
      const double on0 = s.machines_on[0], pending0 = s.pending_machines[0], usd0 = s.usd[0];
      step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(0.2), (ts::hp_btc(0.2)) * ts::kPrice);
      const double arrived = s.machines_on[0] - on0;  // no failures, no switching, nothing idle
      const double bought = s.pending_machines[0] - pending0 + arrived;
      buys[static_cast<std::size_t>(day)] = bought;
      // Ordered on day d, online on day d + max(1, delay): arrives at the end of step d + delay
      // - 1.
      const int ordered_on = day + 1 - std::max(1, delay);
      const double expected = ordered_on >= 1 ? buys[static_cast<std::size_t>(ordered_on)] : 0.0;
      EXPECT_NEAR(arrived, expected, 1e-9 * std::max(1.0, expected))
          << "delay " << delay << " day " << day;
      // Capex: USD (sell daily) = before + the day's profit - machines bought x 1000 USD.
      EXPECT_NEAR(s.usd[0], usd0 + s.profit_day_usd[0] - bought * 1000.0,
                  1e-6 * std::max(1.0, std::fabs(usd0)))
          << "delay " << delay << " day " << day;
      EXPECT_GE(bought, 0.0);
    }
    EXPECT_GT(buys[1], 0.0) << "delay " << delay;
    EXPECT_GT(std::accumulate(buys.begin(), buys.end(), 0.0), 1.0) << "delay " << delay;
  }
}

TEST(DefaultRules, LongBtcPaysCapexFromUsdThenBtcAndKeepsValueAccounting) {
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 3)}, {{0.10, 1.0}}, 0.0);  // all Long BTC
  const ArchetypeTable t = build_archetype_table(c, 1e5);
  ASSERT_EQ(t.strategy[1], Strategy::LongBtc);
  MinerState s = ts::fresh_state(t);
  seed_default(t, s, 0.2);
  double total_bought = 0.0;
  for (int day = 1; day < 60; ++day) {
    const double value0 = s.usd[1] + s.btc[1] * ts::kPrice;
    const double on0 = s.machines_on[1], pending0 = s.pending_machines[1];
    step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(0.2), (ts::hp_btc(0.2)) * ts::kPrice);
    const double bought = s.pending_machines[1] - pending0 + (s.machines_on[1] - on0);
    total_bought += bought;
    const double value = s.usd[1] + s.btc[1] * ts::kPrice;
    EXPECT_NEAR(value, value0 + s.profit_day_usd[1] - bought * 1000.0,
                1e-6 * std::max(1.0, std::fabs(value0)))
        << "day " << day;
    EXPECT_GE(s.btc[1], 0.0);
    EXPECT_GE(s.usd[1], -1e-9);  // profitable: power is paid by selling mined BTC, capex from funds
  }
  EXPECT_GT(total_bought, 0.0);
}

TEST(DefaultRules, BookingLongBtcNeverNegativeSellDailyAllUsd) {
  // Losing money: hashprice 0.05 USD/TH/day against 7.2 USD/day per machine.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A")}, {{0.10, 1.0}}, 0.5);
  c.rules.max_switch_off_fraction_per_day = 0.0;  // keep mining at a loss
  const ArchetypeTable t = build_archetype_table(c, 1e5);
  MinerState s = ts::fresh_state(t);
  seed_default(t, s, 0.05);
  for (int day = 1; day <= 30; ++day) {
    const double usd_sell0 = s.usd[0];
    step_default(t, c.rules, s, day, ts::kPrice, ts::hp_btc(0.05), (ts::hp_btc(0.05)) * ts::kPrice);
    EXPECT_EQ(s.btc[0], 0.0);  // sell daily: everything in USD
    EXPECT_NEAR(s.usd[0], usd_sell0 + s.profit_day_usd[0], 1e-9 * std::fabs(usd_sell0) + 1e-9);
    EXPECT_GE(s.btc[1], 0.0) << "day " << day;  // long BTC sells all its BTC, then pays from USD
    EXPECT_LT(s.usd[1], 0.0) << "day " << day;
  }
  EXPECT_EQ(s.btc[1], 0.0);
  EXPECT_NEAR(s.usd[1], s.usd[0], 1e-6 * std::fabs(s.usd[0]));  // same fleet, same losses
}

TEST(Reference2021Rules, LongBtcBooksPnlInBtcAndCanGoNegative) {
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 2, 1000.0, 1000.0, 1.0)}, {{0.10, 1.0}}, 0.5,
                           RuleProfile::Reference2021);
  c.reference = {ts::kPrice, 1e5, 0.05, {}};  // 0.05 USD/TH/day: losing
  // A counted observer keeps the network hashrate > 0 when every archetype machine is switched off.
  c.observers.push_back({"A", 0.01, Strategy::SellDaily, 1e5, true});
  const ArchetypeTable t = build_archetype_table(c, 0.0);
  MinerState s = ts::fresh_state(t);
  double prev = network_hashrate_ths(t, s);
  for (int k = 0; k < 5; ++k) {
    const double usd0 = s.usd[0], btc1 = s.btc[1];
    const double reward = 0.05 * prev / ts::kPrice;  // pays 0.05 USD per TH/s
    prev = step_reference_2021(t, c.reference, s, k, ts::kPrice, reward, prev);
    EXPECT_DOUBLE_EQ(s.usd[0], usd0 + s.profit_day_usd[0]);
    EXPECT_DOUBLE_EQ(s.btc[1], btc1 + s.profit_day_usd[1] / ts::kPrice);
    EXPECT_EQ(s.btc[0], 0.0);
    EXPECT_EQ(s.usd[1], 0.0);
  }
  EXPECT_LT(s.btc[1], 0.0);  // the reference quirk: negative BTC holdings
}

TEST(Reference2021Rules, SwitchOffRemovesFloorOfWindowLossOverDailyExpense) {
  // The 30-day window is seeded with the (losing) seed hashprice; at update 0 the count drops by
  // |floor(sum30 / (expense / on))| machines, not bounded, and never below 0.
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 2, 1000.0, 1000.0, 1.0)}, {{0.10, 1.0}}, 1.0,
                           RuleProfile::Reference2021);
  c.reference = {ts::kPrice, 1e5, 0.07, {}};  // margin per machine-day 7.0 - 7.2 = -0.2
  const ArchetypeTable t = build_archetype_table(c, 0.0);
  MinerState s = ts::fresh_state(t);
  const double on0 = s.machines_on[0];
  ASSERT_EQ(on0, 1000.0);
  const double prev = network_hashrate_ths(t, s);
  const double reward = 0.07 * prev / ts::kPrice;
  step_reference_2021(t, c.reference, s, 0, ts::kPrice, reward, prev);
  // Window: 29 seeded days + today, each -0.2 x 1000 = -200 USD: sum -6000 (up to rounding).
  const double sum30 = s.profit_window_usd[0];
  EXPECT_NEAR(sum30, -6000.0, 1e-6);
  const double expected = std::max(0.0, on0 - std::fabs(std::floor(sum30 / 7.2)));
  EXPECT_EQ(s.machines_on[0], expected);
  EXPECT_LT(s.machines_on[0], on0 * 0.5);  // far more than a 10% default-rule cap
  EXPECT_EQ(s.machines_idle[0], 0.0);      // the reference destroys switched-off machines
}

TEST(Reference2021Rules, OrdersAreDeliveredAtUpdateKPlusDelay) {
  for (int delay : {1, 3, 7}) {
    TempDir dir;
    auto c = ts::make_config(dir, {ts::rig("A", delay, 1000.0, 1000.0, 1.0)}, {{0.05, 1.0}}, 1.0,
                             RuleProfile::Reference2021);
    c.reference = {
        ts::kPrice, 1e5, 0.2, {}};  // 20 USD/day revenue per machine against 3.6 of power
    const ArchetypeTable t = build_archetype_table(c, 0.0);
    MinerState s = ts::fresh_state(t);
    double prev = network_hashrate_ths(t, s);
    const double reward =
        0.2 * prev /
        ts::kPrice;  // fixed: pays 0.2 USD per TH/s at the start, less as the fleet grows
    std::vector<double> orders(40, 0.0);
    for (int k = 0; k < 40; ++k) {
      const double on0 = s.machines_on[0], pending0 = s.pending_machines[0];
      prev = step_reference_2021(t, c.reference, s, k, ts::kPrice, reward, prev);
      // While the 30-day window is >= 0 nothing is switched off, so the count grows only by
      // deliveries; the growing fleet eventually dilutes the fixed reward (boom then bust).
      if (s.profit_window_usd[0] < 0.0) {
        EXPECT_GT(k, delay + 3) << "delay " << delay;
        break;
      }
      const double arrived = s.machines_on[0] - on0;
      orders[static_cast<std::size_t>(k)] = s.pending_machines[0] - pending0 + arrived;
      EXPECT_EQ(orders[static_cast<std::size_t>(k)],
                std::floor(orders[static_cast<std::size_t>(k)]));  // whole machines
      EXPECT_EQ(arrived, k >= delay ? orders[static_cast<std::size_t>(k - delay)] : 0.0)
          << "delay " << delay << " k " << k;
    }
    EXPECT_GT(orders[0], 0.0) << "delay " << delay;
  }
}

TEST(ObserverFleets, AreNeverRescaledAndNeverDecide) {
  TempDir dir;
  for (auto profile : {RuleProfile::Default, RuleProfile::Reference2021}) {
    auto c = ts::make_config(dir, {ts::rig("A", 2)}, {{0.10, 1.0}}, 0.5, profile);
    c.reference = {ts::kPrice, 3e5, 0.05, {}};
    c.observers.push_back({"A", 0.10, Strategy::SellDaily, 123'456.0, true});
    c.observers.push_back({"A", 0.20, Strategy::LongBtc, 50'000.0, false});
    const ArchetypeTable t1 = build_archetype_table(c, 2e5), t2 = build_archetype_table(c, 8e5);
    ASSERT_EQ(t1.n_observers, 2u);
    for (const ArchetypeTable* t : {&t1, &t2}) {
      EXPECT_EQ(t->initial_machines[t->n_env + 0], std::floor(123'456.0 / 1000.0));
      EXPECT_EQ(t->initial_machines[t->n_env + 1], 50.0);
      EXPECT_EQ(t->budget_usd[t->n_env + 0], 123'456.0);
    }
    if (profile == RuleProfile::Default) {
      // Archetypes fill what the counted observers leave of the start hashrate.
      double env = 0.0;
      for (std::size_t a = 0; a < t2.n_env; ++a) env += t2.hashrate_ths[a] * t2.initial_machines[a];
      EXPECT_NEAR(env + 123.0 * 100.0, 8e5, 1e-6);
    }
    // Losing conditions for 40 days: archetypes switch off, observers keep every machine.
    MinerState s = ts::fresh_state(t1);
    double prev = network_hashrate_ths(t1, s);
    if (profile == RuleProfile::Default) seed_default(t1, s, 0.03);
    for (int d = 1; d <= 40; ++d) {
      if (profile == RuleProfile::Default) {
        step_default(t1, c.rules, s, d, ts::kPrice, ts::hp_btc(0.03),
                     (ts::hp_btc(0.03)) * ts::kPrice);
      } else {
        prev = step_reference_2021(t1, c.reference, s, d - 1, ts::kPrice, 0.03 * prev / ts::kPrice,
                                   prev);
      }
    }
    EXPECT_LT(s.machines_on[0], t1.initial_machines[0]);
    for (std::size_t a = t1.n_env; a < t1.size(); ++a) {
      EXPECT_EQ(s.machines_on[a], t1.initial_machines[a]) << profile_name(profile);
      EXPECT_EQ(s.pending_machines[a], 0.0);
      EXPECT_EQ(s.machines_idle[a], 0.0);
    }
  }
}

TEST(MinerState, ResetRestoresEveryFieldSoAReusedWorkspaceRepeatsAPath) {
  TempDir dir;
  auto c = ts::make_config(dir, {ts::rig("A", 3), {"B", 200.0, 3500.0, 3000.0, 0.5, 10, 700.0}},
                           {{0.04, 0.5}, {0.09, 0.5}}, 0.5);
  c.observers.push_back({"B", 0.05, Strategy::LongBtc, 1e6, true});
  const ArchetypeTable t = build_archetype_table(c, 1e6);
  MinerState s;
  s.allocate(t, 30);
  auto run = [&] {
    s.reset(t);
    seed_default(t, s, 0.1);
    std::vector<double> trace;
    for (int d = 1; d < 100; ++d) {
      const double hp = 0.05 + 0.1 * (1.0 + std::sin(d / 7.0));
      trace.push_back(step_default(t, c.rules, s, d, ts::kPrice, ts::hp_btc(hp),
                                   (ts::hp_btc(hp)) * ts::kPrice));
    }
    for (auto* v : {&s.machines_on, &s.machines_idle, &s.usd, &s.btc, &s.pending_machines,
                    &s.profit_total_usd})
      trace.insert(trace.end(), v->begin(), v->end());
    return trace;
  };
  const auto first = run();
  const auto second = run();
  EXPECT_EQ(first, second);
}
