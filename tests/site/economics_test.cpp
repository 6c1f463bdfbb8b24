// Miner selection, site build and per-path cashflows against hand calculations
// (formulas: scenarios/README-site.md).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numeric>

#include "engine/site/economics.h"
#include "engine/site/paths_input.h"
#include "engine/site/site_output.h"
#include "engine/util/error.h"

using namespace hashsim;
using namespace hashsim::site;

namespace {
OperatingTerms plain_terms(double power_price) {
  OperatingTerms t;
  t.power_price_per_kwh = power_price;
  return t;
}

// Daily paths from functions of (path, day).
MarketPaths daily_paths(std::size_t n_paths, int years,
                        const std::function<double(std::size_t, std::size_t)>& h,
                        const std::function<double(std::size_t, std::size_t)>& px) {
  MarketPaths m;
  m.scenario = "base";
  m.n_paths = n_paths;
  m.years = years;
  const std::size_t D = m.days();
  m.hashprice_usd_per_th_day.resize(n_paths * D);
  m.price_usd.resize(n_paths * D);
  for (std::size_t i = 0; i < n_paths; ++i)
    for (std::size_t d = 0; d < D; ++d) {
      m.hashprice_usd_per_th_day[i * D + d] = h(i, d);
      m.price_usd[i * D + d] = px(i, d);
    }
  return m;
}

// Path 0: year sums 36.5 and 18.25; path 1: 10 and 20 (flat within each year); BTC flat at 50,000.
MarketPaths two_paths() {
  return daily_paths(
      2, 2,
      [](std::size_t i, std::size_t d) {
        const bool y1 = d < 365;
        return i == 0 ? (y1 ? 0.1 : 0.05) : (y1 ? 10.0 / 365 : 20.0 / 365);
      },
      [](std::size_t, std::size_t) { return 50000.0; });
}

Plant ten_miners() {
  OperatingTerms t;
  t.power_price_per_kwh = 0.1;
  t.escalation_per_year = 0.1;
  t.fixed_cost_per_miner_per_year = 10;
  t.resale_fraction = 0.2;
  t.fx_usd_to_site = 0.5;
  t.policy.mode = "always_on";
  return make_plant({"A", 100, 3000, 1000}, t, 10);
}
}  // namespace

TEST(MinerEconomics, MatchesHandCalculation) {
  OperatingTerms t;
  t.power_price_per_kwh = 0.05;
  t.overhead_power_fraction = 0.1;
  t.uptime_fraction = 0.9;
  t.pool_fee_fraction = 0.02;
  t.fixed_cost_per_miner_per_year = 36.5;
  t.fx_usd_to_site = 0.8;
  const MinerEconomics e = miner_economics({"A", 100, 3000, 1000}, t, 0.06);
  EXPECT_NEAR(e.energy_kwh_per_day, 3 * 1.1 * 24 * 0.9, 1e-12);     // 71.28 kWh
  EXPECT_NEAR(e.cost_per_day_site_ccy, 71.28 * 0.05 + 0.1, 1e-12);  // power + fixed/365
  EXPECT_NEAR(e.revenue_per_day_site_ccy, 100 * 0.06 * 0.9 * 0.98 * 0.8,
              1e-12);  // TH x hashprice x uptime x (1-fee) x fx
  EXPECT_NEAR(e.profit_per_day_site_ccy, 4.2336 - 3.664, 1e-12);
  EXPECT_NEAR(e.payback_days, 1000 / (4.2336 - 3.664), 1e-9);
  EXPECT_NEAR(e.breakeven_power_price_per_kwh, (4.2336 - 0.1) / 71.28, 1e-12);
  // at the breakeven price the profit is zero
  t.power_price_per_kwh = e.breakeven_power_price_per_kwh;
  EXPECT_NEAR(miner_economics({"A", 100, 3000, 1000}, t, 0.06).profit_per_day_site_ccy, 0.0, 1e-12);
}

TEST(Selection, ChoosesTheShortestPaybackNotTheLargestProfit) {
  const std::vector<MinerOffer> offers{{"A", 100, 3000, 500},   // profit 1.4/day, payback 357 d
                                       {"B", 200, 3500, 4000},  // profit 5.8/day, payback 690 d
                                       {"C", 90, 3420, 100},    // profit 0.396/day, payback 253 d
                                       {"D", 50, 3000, 10}};    // loses money
  const Selection s = select_miner(offers, plain_terms(0.05), 0.05, {0.0, 0.1});
  ASSERT_TRUE(s.chosen);
  EXPECT_EQ(s.miners[*s.chosen].offer.name, "C");
  EXPECT_NEAR(s.miners[2].payback_days, 100 / (4.5 - 3.42 * 24 * 0.05), 1e-9);
  EXPECT_FALSE(s.miners[3].viable());
  EXPECT_TRUE(std::isnan(s.miners[3].payback_days));
  // grid: [price][miner]
  ASSERT_EQ(s.grid_payback_days.size(), 8u);
  EXPECT_NEAR(s.grid_payback_days[0], 500 / 5.0, 1e-12);  // A at 0 per kWh
  EXPECT_TRUE(std::isnan(s.grid_payback_days[4]));        // A at 0.1: cost 7.2 > 5
  EXPECT_NEAR(s.grid_cost_per_th_day_site_ccy[4], 7.2 / 100, 1e-12);
}

TEST(Selection, AllMinersUnprofitableGivesAClearNoViableMinerResult) {
  const std::vector<MinerOffer> offers{{"A", 100, 3000, 500}, {"B", 200, 3500, 4000}};
  const Selection s = select_miner(offers, plain_terms(0.30), 0.05, {0.3});
  EXPECT_FALSE(s.chosen);
  EXPECT_NE(s.reason.find("no viable miner at this power price"), std::string::npos) << s.reason;
  // the breakeven prices are still reported: 5 / 72 and 10 / 84
  EXPECT_NEAR(s.miners[0].breakeven_power_price_per_kwh, 5.0 / 72.0, 1e-12);
  EXPECT_NEAR(s.miners[1].breakeven_power_price_per_kwh, 10.0 / 84.0, 1e-12);
}

TEST(Selection, ForcedMinerIsUsedEvenWhenUnprofitable) {
  const std::vector<MinerOffer> offers{{"A", 100, 3000, 500}, {"B", 200, 3500, 4000}};
  const Selection s = select_miner(offers, plain_terms(0.30), 0.05, {}, "B");
  ASSERT_TRUE(s.chosen);
  EXPECT_EQ(*s.chosen, 1u);
  EXPECT_NE(s.reason.find("loses money"), std::string::npos);
}

TEST(SiteBuild, MinerCountIsTheFloorAndUnusedPowerIsTheRemainder) {
  const MinerEconomics exact = miner_economics({"X", 100, 3800, 1000}, plain_terms(0.05), 0.05);
  const SiteBuild a = build_site(1000, 0.95, exact, plain_terms(0.05));
  EXPECT_DOUBLE_EQ(a.effective_power_kw, 950);
  EXPECT_EQ(a.plant.n_miners, 250);  // 950 / 3.8 exactly, not floored to 249 by rounding
  EXPECT_NEAR(a.unused_power_kw, 0.0, 1e-9);

  OperatingTerms t = plain_terms(0.06);
  t.overhead_power_fraction = 0.05;
  t.uptime_fraction = 0.97;
  const MinerEconomics e = miner_economics({"S21 XP", 270, 3645, 4050}, t, 0.05);
  const SiteBuild b = build_site(1000, 0.95, e, t);
  EXPECT_NEAR(b.miner_power_kw_incl_overhead, 3.645 * 1.05, 1e-12);
  EXPECT_EQ(b.plant.n_miners, 248);  // floor(950 / 3.82725) = floor(248.22)
  EXPECT_NEAR(b.used_power_kw, 248 * 3.82725, 1e-9);
  EXPECT_NEAR(b.unused_power_kw, 950 - 248 * 3.82725, 1e-9);
  EXPECT_NEAR(b.plant.hashrate_ths, 248 * 270.0, 1e-9);
  EXPECT_NEAR(b.plant.capex_total(), 248 * 4050.0, 1e-6);
  EXPECT_NEAR(b.plant.energy_kwh_per_day, 248 * 3.82725 * 24 * 0.97, 1e-9);
  EXPECT_NEAR(b.power_cost_per_day_site_ccy, b.plant.energy_kwh_per_day * 0.06, 1e-9);
  EXPECT_NEAR(b.gross_profit_per_day_site_ccy, 248 * e.profit_per_day_site_ccy, 1e-9);
}

TEST(Cashflows, SiteCashflowsMatchHandCalculation) {
  const Plant p = ten_miners();
  const auto cf = plant_cashflows(p, two_paths(), Operation::AlwaysOn);
  ASSERT_EQ(cf.size(), 6u);
  // capex 10 x 1000; power 720 kWh/day x 365 x 0.1 (x 1.1 in year 2); fixed 100/yr; resale 0.2
  // capex revenue = 1000 TH x yearly hashprice sum x fx 0.5
  EXPECT_DOUBLE_EQ(cf[0], -10000);
  EXPECT_NEAR(cf[1], 18250 - 26280 - 100, 1e-9);
  EXPECT_NEAR(cf[2], 9125 - 28908 - 100 + 2000, 1e-9);
  EXPECT_NEAR(cf[4], 5000 - 26280 - 100, 1e-9);
  EXPECT_NEAR(cf[5], 10000 - 28908 - 100 + 2000, 1e-9);
}

TEST(Cashflows, BuyingBtcInvestsTheCapexAndTheFullOpexAndAtAFlatPriceReturnsIt) {
  // Regression (issue 12): the DCA bought with the power bill only; other opex and fees (here 100 a
  // year) were never invested. Now every month's full opex buys BTC.
  const Plant p = ten_miners();
  std::vector<double> invested;
  const auto cf = btc_cashflows(p, two_paths(), Operation::AlwaysOn, nullptr, invested);
  EXPECT_DOUBLE_EQ(cf[0], -10000);
  EXPECT_NEAR(cf[1], -(26280 + 100), 1e-9);
  EXPECT_NEAR(cf[2], -(28908 + 100) + (10000 + 26380 + 29008), 1e-6);
  EXPECT_NEAR(invested[0], 10000 + 26380 + 29008, 1e-6);
  EXPECT_NEAR(npv(std::span<const double>(cf.data(), 3), 0.0), 0.0, 1e-6);
}

TEST(Cashflows, BtcHoldingsFollowThePriceAtTheHorizon) {
  MarketPaths m = daily_paths(
      1, 2, [](std::size_t, std::size_t) { return 0.1; },
      [](std::size_t, std::size_t d) {
        return d == 729 ? 100000.0 : 50000.0;
      });  // doubles on the last day
  std::vector<double> invested;
  const auto cf = btc_cashflows(ten_miners(), m, Operation::AlwaysOn, nullptr, invested);
  // everything bought before the last month end doubles; the last month's opex (31 days of year-2
  // power at 79.2 a day and 100 x 31 / 365 of fixed cost) is bought at the new price
  EXPECT_EQ(days_in_month(23), 31);
  const double last = 79.2 * 31 + 100.0 * 31 / 365;
  const double total = 10000 + 26380 + 29008;
  EXPECT_NEAR(cf[2], -29008 + 2 * (total - last) + last, 1e-6);
}

TEST(MonthEnds, TwelveMonthsMakeAYear) {
  EXPECT_EQ(month_end_day(0), 29);
  EXPECT_EQ(month_end_day(11), 364);
  EXPECT_EQ(month_end_day(59), 5 * 365 - 1);
}

TEST(MedianPath, IsThePathWithTheMedianTotalRevenue) {
  const std::vector<double> totals{5, 1, 3};
  MarketPaths m = daily_paths(
      3, 1, [&](std::size_t i, std::size_t) { return totals[i] / 365; },
      [](std::size_t, std::size_t) { return 1.0; });
  EXPECT_EQ(median_path(m), 2u);
  const std::vector<double> four{5, 1, 3, 18};  // rank 1 is 3
  m = daily_paths(
      4, 1, [&](std::size_t i, std::size_t) { return four[i] / 365; },
      [](std::size_t, std::size_t) { return 1.0; });
  EXPECT_EQ(median_path(m), 2u);
}

TEST(Fx, ComesFromTheSnapshotTheSiteFileOrIsAnError) {
  SiteConfig c;
  c.file = "site.yaml";
  ScenarioInfo info;
  info.name = "base";
  info.live_snapshot_json =
      R"({"schema":1,"values":{"fx_usd_gbp":{"value":0.74828,"source":"frankfurter","provider_time":"2026-06-11",)"
      R"("fetched_at":"2026-06-13T10:00:00Z","stale":false}}})";
  FxRate fx = resolve_fx(c, info);
  EXPECT_DOUBLE_EQ(fx.usd_to_site, 0.74828);
  EXPECT_EQ(fx.provider_time, "2026-06-11");
  EXPECT_EQ(fx.fetched_at, "2026-06-13T10:00:00Z");
  EXPECT_NE(fx.source.find("fx_usd_gbp"), std::string::npos);

  c.fx_usd_to_site = 0.8;
  EXPECT_DOUBLE_EQ(resolve_fx(c, info).usd_to_site, 0.8);

  c.fx_usd_to_site.reset();
  c.currency = "EUR";
  try {
    resolve_fx(c, info);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has no fx_usd_eur"), std::string::npos) << e.what();
  }
  c.fx_fallback_usd_to_site = 0.92;
  fx = resolve_fx(c, info);
  EXPECT_DOUBLE_EQ(fx.usd_to_site, 0.92);
  EXPECT_NE(fx.source.find("fallback"), std::string::npos);

  c.currency = "USD";
  EXPECT_DOUBLE_EQ(resolve_fx(c, info).usd_to_site, 1.0);
}

TEST(Analysis, NoViableMinerIsReportedNotACrash) {
  SiteConfig c;
  c.name = "dear-power";
  c.site_power_kw = 100;
  c.power_price_per_kwh = 0.5;
  c.horizon_years = 2;
  c.hosted.price_per_kwh = 0.6;
  c.table_power_prices_per_kwh = {0.05, 0.5};
  const MarketPaths m = two_paths();
  SiteRun run;
  run.offers = {{"A", 100, 3000, 500}};
  run.analysis = analyse_site(c, FxRate{}, run.offers, m, {&m});
  EXPECT_FALSE(run.analysis.site);
  EXPECT_FALSE(run.analysis.hosted);
  ASSERT_EQ(run.analysis.scenarios.size(), 1u);
  for (const auto& p : run.analysis.scenarios[0].plays) EXPECT_FALSE(p.available) << p.key;
  run.selection_info.name = "base";
  run.scenario_infos = {run.selection_info};
  const std::string report = format_report(run);
  EXPECT_NE(report.find("no viable miner at this power price"), std::string::npos) << report;
  const auto j = summary_json(run);
  EXPECT_TRUE(j["site"].is_null());
  EXPECT_FALSE(j["scenarios"]["base"]["plays"]["site"]["available"].get<bool>());
}
