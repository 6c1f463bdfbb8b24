// Exact rule tests and property/statistical tests of machine generations, supply limits and
// exogenous hashrate shocks (README "Miner agents"; agents/generations.h, agents/shocks.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "agents/miner_rules.h"
#include "agents/shocks.h"
#include "engine/rng/streams.h"
#include "engine/scenario/scenario.h"
#include "engine/util/dates.h"
#include "engine/util/units.h"
#include "tests/agents/agents_fixture.h"
#include "tests/engine/scenarios.h"

using namespace hashsim;
using namespace hashsim::agents;
using hashsim::test_support::TempDir;
namespace ts = hashsim::test_support;

namespace {
// Old 30 J/TH (2020), Mid 20 J/TH (2022), New 15 J/TH (2024-01-01), one band, Sell daily only.
AgentsConfig generations_config(const TempDir& dir, double tariff = 0.05) {
  ts::write_text(dir / "gen.csv",
                 "name,hashrate_ths,power_w,price_usd,price_growth_factor,delivery_delay_days,"
                 "initial_units,source,"
                 "release_date\n"
                 "Old,100,3000,500,0,1,1000,t,2020-01\n"
                 "Mid,200,4000,2000,0,1,1000,t,2022-01-01\n"
                 "New,250,3750,3000,0,1,1000,t,2024-01\n");
  auto c = ts::make_config(dir, {{"x", 1, 1, 1, 0, 0, 1}}, {{tariff, 1.0}});
  c.catalogue_file = dir / "gen.csv";
  c.generations.enabled = true;
  c.generations.new_sale_years = 1.5;  // 547.5 d -> sale ends 548 d after release
  c.generations.future_every_days = 365;
  c.generations.log_efficiency_change_per_year = std::log(0.8);
  return c;
}

// Installed fleet J/TH: kW over TH of on + idle + pending machines, with the specs in force.
double installed_j_per_th(const ArchetypeTable& t, const MinerState& s) {
  const GenerationEpoch& e = t.epochs[s.epoch];
  double kw = 0.0, th = 0.0;
  for (std::size_t a = 0; a < t.n_env; ++a) {
    const double n = s.machines_on[a] + s.machines_idle[a] + s.pending_machines[a];
    kw += e.power_kw[a] * n;
    th += e.hashrate_ths[a] * n;
  }
  return kw * 1000.0 / th;
}
}  // namespace

TEST(Generations, SlotsFollowReleaseDatesAndFutureGenerationsByHand) {
  TempDir dir;
  const auto c = generations_config(dir);
  // Start 2023-01-01: New (2024-01-01, day 365) is not released yet and starts with no units.
  const auto t = build_archetype_table(c, 3e5, "2023-01-01", 1000);
  ASSERT_EQ(t.n_env, 6u);  // 3 slots x 2 strategies x 1 band; archetype (slot m, sell daily) = 2 m
  EXPECT_GT(t.initial_machines[0], 0.0);
  EXPECT_EQ(t.initial_machines[4], 0.0);
  // Old and Mid equal counts scaled to 3e5 TH/s: 1000 * k * (100 + 200) = 3e5 -> k = 1.
  EXPECT_DOUBLE_EQ(t.initial_machines[0], 1000.0);
  // Epochs: day 0; Mid's sale ends 2022-01-01 + 548 d = day 183; New released day 365; the first
  // future generation on day 365 + 365 = 730; New's sale ends 365 + 548 = 913.
  ASSERT_EQ(t.epochs.size(), 5u);
  const int days[] = {0, 183, 365, 730, 913};
  for (std::size_t e = 0; e < 5; ++e) EXPECT_EQ(t.epochs[e].first_day, days[e]) << e;
  // What every sell-daily archetype (0, 2, 4 = Old, Mid, New slots) orders: the most efficient
  // generation on sale. Day 0: Mid (Old's sale ended in 2021, New not out); day 183: nothing;
  // day 365: New; day 730 and 913: the future generation in slot 0 (12 J/TH < New's 15).
  const int target_slot[5] = {1, -1, 2, 0, 0};
  for (std::size_t e = 0; e < 5; ++e)
    for (std::size_t m = 0; m < 3; ++m) {
      const std::size_t a = 2 * m;
      EXPECT_EQ(t.epochs[e].buyable[a], target_slot[e] >= 0 ? 1.0 : 0.0) << e << " " << m;
      if (target_slot[e] >= 0) {
        EXPECT_EQ(t.epochs[e].order_to[a], 2 * target_slot[e]) << e << " " << m;
        EXPECT_EQ(t.epochs[e].order_hashrate_ths[a],
                  t.epochs[e].hashrate_ths[static_cast<std::size_t>(2 * target_slot[e])]);
      }
    }
  // Day 730: the least efficient slot (Old, 30 J/TH) takes the new generation, J/TH = 15 * 0.8^1
  // = 12 at New's 3750 W: 312.5 TH/s; Old's machines join Mid at equal hashrate (ratio 100/200).
  const GenerationEpoch& g = t.epochs[3];
  EXPECT_EQ(g.merge_from, 0);
  EXPECT_EQ(g.merge_into, 1);
  EXPECT_DOUBLE_EQ(g.merge_ratio, 0.5);
  EXPECT_NEAR(g.hashrate_ths[0], 312.5, 1e-9);
  EXPECT_DOUBLE_EQ(g.power_kw[0], 3.75);
  EXPECT_EQ(g.machines[0].release_day, parse_iso_date("2023-01-01") + 730);

  // The merge in a step: no orders (reinvest 0), no failures, every margin positive.
  auto rules = c.rules;
  rules.reinvest_fraction = 0.0;
  MinerState s;
  s.allocate(t, rules);
  s.reset(t);
  const double hp_usd = 1.0;  // 100 USD/day for Old against 3.6 of power
  seed_default(t, rules, s, hp_usd, {});
  s.epoch = 2;  // as if days 1..729 had run
  const double old_on = s.machines_on[0], mid_on = s.machines_on[2];
  step_default(t, rules, s, 730, ts::kPrice, hp_usd / ts::kPrice, hp_usd);
  EXPECT_EQ(s.epoch, 3u);
  EXPECT_EQ(s.machines_on[0], 0.0);
  EXPECT_DOUBLE_EQ(s.machines_on[2], mid_on + 0.5 * old_on);
}

// Every future generation sits on the frontier anchored at the newest catalogue release (New,
// 15 J/TH on day 365): J/TH = 15 x 0.8^((day - 365) / days per year), also after New's own slot
// has been taken by a generation (the third, on day 1460, replaces New as the least efficient).
// Before the fix the frontier restarted from the day New's slot was replaced: day 1825 got 12 J/TH.
TEST(Generations, FutureGenerationsStayOnTheFrontierAfterTheNewestCatalogueSlotIsReplaced) {
  TempDir dir;
  const auto c = generations_config(dir);
  const auto t = build_archetype_table(c, 3e5, "2023-01-01", 3000);
  int generations = 0;
  for (const GenerationEpoch& e : t.epochs) {
    if (e.merge_from < 0) continue;
    ++generations;
    const auto a = 2 * static_cast<std::size_t>(e.merge_from);  // the slot's sell-daily archetype
    const double j_per_th = e.power_kw[a] * 1000.0 / e.hashrate_ths[a];
    const double years = static_cast<double>(e.first_day - 365) / units::kDaysPerYear;
    EXPECT_NEAR(j_per_th, 15.0 * std::pow(0.8, years), 1e-9) << "day " << e.first_day;
  }
  EXPECT_EQ(generations, 7);  // days 730, 1095, ..., 2920
}

TEST(Generations, FleetEfficiencyNeverRisesWhileNewerMachinesAreBought) {
  // Property: every mechanism on, constant hashprice high enough for every machine (no
  // retirement), 1000 days across a release, two ends of sale and a future generation. Failures
  // remove every generation alike, merges count old machines as newer ones, and only the newest
  // generations are sold: the installed J/TH never rises (relative 1e-12) and ends lower.
  TempDir dir;
  auto c = generations_config(dir);
  ts::default_rules(c.rules);
  const auto t = build_archetype_table(c, 3e5, "2023-01-01", 1000);
  MinerState s;
  s.allocate(t, c.rules);
  s.reset(t);
  const double hp_usd = 1.0;
  seed_default(t, c.rules, s, hp_usd, {});
  double prev = installed_j_per_th(t, s), first = prev, bought = 0.0;
  for (int d = 1; d < 1000; ++d) {
    step_default(t, c.rules, s, d, ts::kPrice, hp_usd / ts::kPrice, hp_usd);
    const double jth = installed_j_per_th(t, s);
    EXPECT_LE(jth, prev * (1.0 + 1e-12)) << "day " << d;
    prev = jth;
    bought += std::accumulate(s.buy_scratch.begin(),
                              s.buy_scratch.begin() + static_cast<std::ptrdiff_t>(t.n_env), 0.0);
  }
  EXPECT_GT(bought, 0.0);
  EXPECT_LT(prev, 0.9 * first);
}

TEST(Supply, BacklogLengthensDeliveryAndRaisesThePriceByHand) {
  // One machine type (100 TH/s, free power, 1000 USD, delay 1), 1000 on: 1e5 TH/s. Shipping
  // c = 0.0304375 * 1e5 / 30.4375 = 100 TH/s a day (one machine). Day 1 (legacy rules, empty
  // windows): profit 1000 * 100 * 0.49 = 49000, order 0.5 * 49000 / 1000 = 24.5 machines = 2450
  // TH/s, waiting ceil(2450 / 100) = 25 days > the spec delay: slot day 1 + 25.
  TempDir dir;
  auto c = ts::make_config(dir, {{"A", 100.0, 3000.0, 1000.0, 0.0, 1, 1000.0}}, {{0.0, 1.0}});
  c.rules.supply_share_per_month = 0.0304375;
  c.rules.supply_price_premium_per_backlog_month = 0.5;
  c.rules.supply_max_wait_days = 180;
  const auto t = build_archetype_table(c, 1e5);
  MinerState s;
  s.allocate(t, c.rules);
  s.reset(t);
  const double hp_usd = 0.49;
  seed_default(t, c.rules, s, hp_usd, {});
  EXPECT_NEAR(s.supply_ths_per_day0, 100.0, 1e-9);
  ASSERT_EQ(s.pipeline_len, 182);
  step_default(t, c.rules, s, 1, ts::kPrice, hp_usd / ts::kPrice, hp_usd);
  EXPECT_DOUBLE_EQ(s.price_scratch_usd[0], 1000.0);  // no backlog: no premium
  EXPECT_NEAR(s.pending_machines[0], 24.5, 1e-9);
  EXPECT_NEAR(s.pipeline[26 * s.n + 0], 24.5, 1e-9);
  EXPECT_EQ(s.pipeline[2 * s.n + 0], 0.0);  // not at the spec delay
  // A backlog of 91.3125 machines = 9131.25 TH/s = 91.3125 days of shipping, two months beyond
  // the first: price x (1 + 0.5 * 2) = 2000; the order 0.5 * 98000 / 2000 - 91.3 < 0: none.
  s.pending_machines[0] = 91.3125;
  step_default(t, c.rules, s, 2, ts::kPrice, hp_usd / ts::kPrice, hp_usd);
  EXPECT_NEAR(s.price_scratch_usd[0], 2000.0, 1e-6);
  EXPECT_DOUBLE_EQ(s.pending_machines[0], 91.3125);
}

TEST(Shocks, ProcessByHand) {
  // rate 36.5 / yr: p = 1 - e^-0.1 = 0.09516 a day; F = 0.2 + 0.2 u; duration 2 days.
  ShockProcess p;
  p.allocate({36.5, 0.2, 0.4, 2});
  EXPECT_NEAR(p.arrival_probability_per_day(), 1.0 - std::exp(-0.1), 1e-15);
  EXPECT_NEAR(p.step(0.05, 0.5), 0.7, 1e-15);  // F = 0.3 on days 1 and 2
  EXPECT_NEAR(p.step(0.50, 0.5), 0.7, 1e-15);
  EXPECT_EQ(p.step(0.50, 0.5), 1.0);            // ended: exactly 1
  EXPECT_NEAR(p.step(0.01, 0.0), 0.8, 1e-15);   // F = 0.2
  EXPECT_NEAR(p.step(0.01, 1.0), 0.48, 1e-15);  // and F = 0.4 overlapping: 0.8 * 0.6
  EXPECT_NEAR(p.step(0.90, 0.0), 0.6, 1e-15);   // the first ended
  EXPECT_EQ(p.step(0.90, 0.0), 1.0);
  p.reset();
  EXPECT_EQ(p.online_share(), 1.0);
}

TEST(Shocks, OfflineShareNeitherEarnsNorPays) {
  // Online share 0.25: a day's profit is a quarter of the unshocked day's (revenue and power
  // alike).
  TempDir dir;
  auto c = ts::make_config(dir, {{"A", 100.0, 3000.0, 1000.0, 0.0, 1, 1000.0}}, {{0.10, 1.0}});
  c.rules.reinvest_fraction = 0.0;
  const auto t = build_archetype_table(c, 1e5);
  double profit[2];
  for (int k = 0; k < 2; ++k) {
    MinerState s;
    s.allocate(t, c.rules);
    s.reset(t);
    seed_default(t, c.rules, s, 0.2, {});
    step_default(t, c.rules, s, 1, ts::kPrice, 0.2 / ts::kPrice, 0.2, {}, k == 0 ? 1.0 : 0.25);
    profit[k] = s.profit_day_usd[0];
  }
  EXPECT_NEAR(profit[0], 1000.0 * (100.0 * 0.2 - 7.2), 1e-6);
  EXPECT_NEAR(profit[1], 0.25 * profit[0], 1e-6);
}

TEST(Shocks, ArrivalsAndMeanOnlineShareMatchTheoryWithinStatedBounds) {
  // rate 4 / yr, F ~ U[0.1, 0.3], 30 days, 2e5 days of the Shocks stream.
  // Arrivals ~ Binomial(N, p): within 4 sd. Online share: E = (1 - p E[F])^D,
  // E[share^2] = (1 - p (2 E[F] - E[F^2]))^D; shares more than D - 1 days apart are independent,
  // so Var(mean) <= Var (2D - 1) / N; within 4 of that sd.
  const Shocks params{4.0, 0.1, 0.3, 30};
  ShockProcess p;
  p.allocate(params);
  rng::Engine e = rng::make_rng(20261130, rng::Stream::Shocks, 0);
  const int n = 200000;
  double arrivals = 0.0, share_sum = 0.0;
  const double q = p.arrival_probability_per_day();
  for (int d = 0; d < n; ++d) {
    const double u = rng::uniform_open(e);
    arrivals += u < q ? 1.0 : 0.0;
    share_sum += p.step(u, rng::uniform_open(e));
  }
  EXPECT_LT(std::fabs(arrivals - n * q), 4.0 * std::sqrt(n * q * (1.0 - q)));
  const double ef = 0.2, ef2 = 0.04 + 0.04 / 12.0, dd = 30.0;
  const double mean = std::pow(1.0 - q * ef, dd), second = std::pow(1.0 - q * (2.0 * ef - ef2), dd);
  const double sd_mean = std::sqrt((second - mean * mean) * (2.0 * dd - 1.0) / n);
  EXPECT_LT(std::fabs(share_sum / n - mean), 4.0 * sd_mean) << share_sum / n << " vs " << mean;
}

TEST(AgentsConfig, GenerationsSupplyAndShocksAreRangeChecked) {
  TempDir dir;
  const std::string cat = (ts::kSourceDir / "data/machines/current_2026.csv").string();
  auto error_of = [&](const std::string& extra) {
    std::string yaml = ts::agents_yaml("a", cat, 1, 10, 1);
    yaml.replace(yaml.find("  observers:"), 0, extra);
    ts::write_text(dir / "s.yaml", yaml);
    return ts::error_of([&] { scenario::load_scenario(dir / "s.yaml"); }, yaml);
  };
  std::string msg = error_of(
      "  shocks: {rate_per_year: 2, fraction_min: 0.3, fraction_max: 0.1, duration_days: 30}\n");
  EXPECT_NE(msg.find("agents.shocks.fraction_max"), std::string::npos) << msg;
  msg = error_of(
      "  shocks: {rate_per_year: 2, fraction_min: 0.1, fraction_max: 1.5, duration_days: 30}\n");
  EXPECT_NE(msg.find("agents.shocks.fraction_max"), std::string::npos) << msg;
  msg = error_of("  supply: {shipped_share_per_month: -1}\n");
  EXPECT_NE(msg.find("agents.supply.shipped_share_per_month"), std::string::npos) << msg;
  msg = error_of("  generations: {specs: nope.csv}\n");
  EXPECT_NE(msg.find("agents.generations.specs"), std::string::npos) << msg;
}
