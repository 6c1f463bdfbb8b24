// Miner selection, site build and per-path cashflows against hand calculations
// (formulas: scenarios/README-site.md).
#include <gtest/gtest.h>

#include <cmath>

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

MarketPaths two_paths() {
  MarketPaths m;
  m.scenario = "base";
  m.n_paths = 2;
  m.years = 2;
  m.hashprice_year_usd_per_th = {36.5, 18.25, 10.0, 20.0};
  m.price_usd_day0 = {50000, 50000};
  m.price_usd_month_end.assign(2 * 24, 50000.0);
  return m;
}

Plant ten_miners() {
  OperatingTerms t;
  t.power_price_per_kwh = 0.1;
  t.escalation_per_year = 0.1;
  t.fixed_cost_per_miner_per_year = 10;
  t.resale_fraction = 0.2;
  t.fx_usd_to_site = 0.5;
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
  EXPECT_NEAR(e.energy_kwh_per_day, 3 * 1.1 * 24 * 0.9, 1e-12);                    // 71.28 kWh
  EXPECT_NEAR(e.cost_per_day_site_ccy, 71.28 * 0.05 + 0.1, 1e-12);                 // power + fixed/365
  EXPECT_NEAR(e.revenue_per_day_site_ccy, 100 * 0.06 * 0.9 * 0.98 * 0.8, 1e-12);  // TH x hashprice x uptime x (1-fee) x fx
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
  EXPECT_NEAR(s.grid_payback_days[0], 500 / 5.0, 1e-12);           // A at 0 per kWh
  EXPECT_TRUE(std::isnan(s.grid_payback_days[4]));                 // A at 0.1: cost 7.2 > 5
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
  EXPECT_NEAR(b.plant.capex_site_ccy, 248 * 4050.0, 1e-6);
  EXPECT_NEAR(b.plant.energy_kwh_per_day, 248 * 3.82725 * 24 * 0.97, 1e-9);
  EXPECT_NEAR(b.power_cost_per_day_site_ccy, b.plant.energy_kwh_per_day * 0.06, 1e-9);
  EXPECT_NEAR(b.gross_profit_per_day_site_ccy, 248 * e.profit_per_day_site_ccy, 1e-9);
}

TEST(Cashflows, SiteCashflowsMatchHandCalculation) {
  const Plant p = ten_miners();
  const auto cf = plant_cashflows(p, two_paths());
  ASSERT_EQ(cf.size(), 6u);
  // capex 10 x 1000; power 720 kWh/day x 365 x 0.1 (x 1.1 in year 2); fixed 100/yr; resale 0.2 capex
  // revenue = 1000 TH x yearly hashprice sum x fx 0.5
  EXPECT_DOUBLE_EQ(cf[0], -10000);
  EXPECT_NEAR(cf[1], 18250 - 26280 - 100, 1e-9);
  EXPECT_NEAR(cf[2], 9125 - 28908 - 100 + 2000, 1e-9);
  EXPECT_NEAR(cf[4], 5000 - 26280 - 100, 1e-9);
  EXPECT_NEAR(cf[5], 10000 - 28908 - 100 + 2000, 1e-9);
}

TEST(Cashflows, BuyingBtcAtAFlatPriceReturnsExactlyWhatWasPutIn) {
  const Plant p = ten_miners();
  const auto cf = btc_cashflows(10000, p, two_paths());
  EXPECT_DOUBLE_EQ(cf[0], -10000);
  EXPECT_NEAR(cf[1], -26280, 1e-9);
  EXPECT_NEAR(cf[2], -28908 + (10000 + 26280 + 28908), 1e-6);
  EXPECT_NEAR(npv(std::span<const double>(cf.data(), 3), 0.0), 0.0, 1e-6);
}

TEST(Cashflows, BtcHoldingsFollowThePriceAtTheHorizon) {
  MarketPaths m = two_paths();
  for (std::size_t k = 0; k < 24; ++k) m.price_usd_month_end[k] = k == 23 ? 100000 : 50000;  // doubles at the end
  const auto cf = btc_cashflows(10000, ten_miners(), m);
  // everything bought before the last month end doubles; the last month's 28908 / 12 is bought at the new price
  EXPECT_NEAR(cf[2], -28908 + 2 * (10000 + 26280 + 28908 - 2409) + 2409, 1e-6);
}

TEST(MonthEnds, TwelveMonthsMakeAYear) {
  EXPECT_EQ(month_end_day(0), 29);
  EXPECT_EQ(month_end_day(11), 364);
  EXPECT_EQ(month_end_day(59), 5 * 365 - 1);
}

TEST(MedianPath, IsThePathWithTheMedianTotalRevenue) {
  MarketPaths m;
  m.n_paths = 3;
  m.years = 2;
  m.hashprice_year_usd_per_th = {5, 0, 1, 0, 2, 1};
  EXPECT_EQ(median_path(m), 2u);
  m.n_paths = 4;
  m.hashprice_year_usd_per_th = {5, 0, 1, 0, 2, 1, 9, 9};  // totals 5, 1, 3, 18: rank 1 is 3
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
  c.hosted_price_per_kwh = 0.6;
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

TEST(Cashflows, ShutdownInLosingMonthsSkipsTheirPowerBill) {
  MarketPaths m;
  m.scenario = "base";
  m.n_paths = 1;
  m.years = 1;
  m.hashprice_month_usd_per_th = {5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 0, 0};
  m.hashprice_year_usd_per_th = {30};
  Plant p = ten_miners();  // 1000 TH, fx 0.5: revenue 2500 in a month with sum 5; power 72 a day
  EXPECT_NEAR(plant_cashflows(p, m)[1], 15000 - 26280 - 100 + 2000, 1e-9);
  p.terms.shutdown_when_unprofitable = true;
  double expected = -100 + 2000;
  for (int k = 0; k < 6; ++k) expected += 2500 - 72.0 * days_in_month(k);
  EXPECT_NEAR(plant_cashflows(p, m)[1], expected, 1e-9);
  int days = 0;
  for (int k = 0; k < 12; ++k) days += days_in_month(k);
  EXPECT_EQ(days, 365);
  m.hashprice_month_usd_per_th.clear();
  EXPECT_THROW(plant_cashflows(p, m), Error);
}
