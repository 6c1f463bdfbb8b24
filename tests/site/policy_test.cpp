// The plant's daily operation, the horizon-aware choice, the other plays, financing, tax, breakeven
// and sensitivity, each against a hand calculation (formulas: scenarios/README-site.md).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numeric>

#include "engine/site/economics.h"
#include "engine/site/site_output.h"
#include "engine/util/error.h"

using namespace hashsim;
using namespace hashsim::site;

namespace {
MarketPaths paths_of(
    std::size_t n_paths, int years, const std::function<double(std::size_t, std::size_t)>& h,
    const std::function<double(std::size_t, std::size_t)>& px = [](std::size_t, std::size_t) {
      return 50000.0;
    }) {
  MarketPaths m;
  m.scenario = "base";
  m.n_paths = n_paths;
  m.years = years;
  const std::size_t D = m.days();
  for (std::size_t i = 0; i < n_paths; ++i)
    for (std::size_t d = 0; d < D; ++d) {
      m.hashprice_usd_per_th_day.push_back(h(i, d));
      m.price_usd.push_back(px(i, d));
    }
  return m;
}

// One miner of 100 TH/s and 1 kW: revenue 100 h a day (USD site), energy 24 kWh a day at 0.1: 2.4 a
// day.
Plant one_miner(const std::string& mode) {
  OperatingTerms t;
  t.power_price_per_kwh = 0.1;
  t.policy.mode = mode;
  t.policy.trailing_days = 1;
  t.policy.days_before_off = 1;
  t.policy.days_before_on = 1;
  return make_plant({"M", 100, 1000, 1000}, t, 1);
}
}  // namespace

TEST(Operation, DailyPolicySwitchesOffTheDayAfterItSeesTheLoss) {
  // h = 1 (revenue 100 a day) for days 0-99, then 0. Trailing 1 day: on day 100 the operator still
  // sees h_99 = 1 and runs (revenue 0, power 2.4); on day 101 it sees h_100 = 0 and switches off.
  const MarketPaths m =
      paths_of(1, 1, [](std::size_t, std::size_t d) { return d < 100 ? 1.0 : 0.0; });
  YearLines l;
  plant_path_lines(one_miner("daily"), m, 0, Operation::Policy, l);
  EXPECT_NEAR(l.revenue[1], 100 * 100.0, 1e-9);
  EXPECT_NEAR(l.power[1], 101 * 2.4, 1e-9);
  EXPECT_DOUBLE_EQ(l.days_on, 101);
  EXPECT_EQ(l.restarts, 0);
  // always on pays the power every day; perfect foresight exactly on the 100 earning days
  plant_path_lines(one_miner("daily"), m, 0, Operation::AlwaysOn, l);
  EXPECT_NEAR(l.power[1], 365 * 2.4, 1e-9);
  plant_path_lines(one_miner("daily"), m, 0, Operation::PerfectForesight, l);
  EXPECT_NEAR(l.power[1], 100 * 2.4, 1e-9);
  EXPECT_NEAR(l.revenue[1], 100 * 100.0, 1e-9);
  // mode always_on in the site file: the policy never curtails
  plant_path_lines(one_miner("always_on"), m, 0, Operation::Policy, l);
  EXPECT_NEAR(l.power[1], 365 * 2.4, 1e-9);
}

TEST(Operation, HysteresisDelaysBothSwitchesAndARestartCosts) {
  // h = 1 on days 0-9, 0 on days 10-19, 1 from day 20. Signals (trailing 1): want off on days
  // 11-20, want on from day 21. With 2 days before off: off from day 12; 2 days before on: on again
  // day 22.
  const MarketPaths m =
      paths_of(1, 1, [](std::size_t, std::size_t d) { return d < 10 || d >= 20 ? 1.0 : 0.0; });
  Plant p = one_miner("daily");
  p.terms.policy.days_before_off = 2;
  p.terms.policy.days_before_on = 2;
  p.terms.policy.restart_cost_per_miner = 7.5;
  YearLines l;
  plant_path_lines(p, m, 0, Operation::Policy, l);
  EXPECT_DOUBLE_EQ(l.days_on, 365 - 10);  // off on days 12-21
  EXPECT_NEAR(l.power[1], 355 * 2.4, 1e-9);
  EXPECT_NEAR(l.revenue[1], (10 + (365 - 22)) * 100.0, 1e-9);  // earning days 0-9 and 22-364
  EXPECT_EQ(l.restarts, 1);
  EXPECT_NEAR(l.restart[1], 7.5, 1e-12);
  // the cashflow carries the restart cost
  const auto cf = plant_cashflows(p, m, Operation::Policy);
  EXPECT_NEAR(cf[1], l.revenue[1] - l.power[1] - 7.5, 1e-9);
}

TEST(Operation, ThresholdIsAMarginPerMwh) {
  // Revenue per kWh = 100 h / 24; price 0.1. With h = 0.03, margin = (0.125 - 0.1) 1000 = 25 per
  // MWh.
  const MarketPaths m = paths_of(1, 1, [](std::size_t, std::size_t) { return 0.03; });
  Plant p = one_miner("daily");
  YearLines l;
  p.terms.policy.threshold_per_mwh = 24.9;
  plant_path_lines(p, m, 0, Operation::Policy, l);
  EXPECT_DOUBLE_EQ(l.days_on, 365);
  p.terms.policy.threshold_per_mwh = 25.1;
  plant_path_lines(p, m, 0, Operation::Policy, l);
  EXPECT_DOUBLE_EQ(l.days_on, 0);  // off from day 0 (days_before_off = 1)
}

TEST(Operation, PeakHoursAreCurtailedWhenTheyLoseMoney) {
  // 6 peak hours at 0.5 per kWh: revenue 100 x 0.05 = 5 a day = 0.2083 per kWh, above 0.1, below
  // 0.5.
  const MarketPaths m = paths_of(1, 1, [](std::size_t, std::size_t) { return 0.05; });
  Plant p = one_miner("daily");
  p.terms.tariff.peak_hours_per_day = 6;
  p.terms.tariff.peak_price_per_kwh = 0.5;
  YearLines l;
  plant_path_lines(p, m, 0, Operation::Policy, l);
  EXPECT_NEAR(l.revenue[1], 365 * 5.0 * 18 / 24, 1e-9);
  EXPECT_NEAR(l.power[1], 365 * 24 * (18.0 / 24) * 0.1, 1e-9);
  plant_path_lines(p, m, 0, Operation::AlwaysOn, l);
  EXPECT_NEAR(l.power[1], 365 * 24 * (18.0 / 24 * 0.1 + 6.0 / 24 * 0.5), 1e-9);
}

TEST(Operation, PerfectForesightBoundsThePolicyAndAlwaysOnPathByPath) {
  std::uint64_t s = 99;
  auto u = [&] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  };
  std::vector<double> h(20 * 730);
  for (auto& x : h) x = 0.045 * u();  // around the 0.024 breakeven
  const MarketPaths m =
      paths_of(20, 2, [&](std::size_t i, std::size_t d) { return h[i * 730 + d]; });
  Plant p = one_miner("daily");
  p.terms.policy.trailing_days = 7;
  const auto pol = plant_cashflows(p, m, Operation::Policy);
  const auto on = plant_cashflows(p, m, Operation::AlwaysOn);
  const auto pf = plant_cashflows(p, m, Operation::PerfectForesight);
  for (std::size_t i = 0; i < 20; ++i) {
    const std::span<const double> a(&pol[i * 3], 3), b(&on[i * 3], 3), c(&pf[i * 3], 3);
    EXPECT_GE(npv(c, 0.08), npv(a, 0.08) - 1e-9);
    EXPECT_GE(npv(c, 0.08), npv(b, 0.08) - 1e-9);
  }
}

TEST(Selection, ATinySiteIsBuiltWithTheMinerThatFits) {
  // Regression (issue 12): site_power_kw 3.7, load factor 1: the S21 XP (3.827 kW with 5 %
  // overhead) has the better payback but does not fit; the S21 Pro (3.6855 kW) does, so the site is
  // built.
  SiteConfig c;
  c.site_power_kw = 3.7;
  c.power_price_per_kwh = 0.06;
  c.overhead_power_fraction = 0.05;
  c.horizon_years = 1;
  c.currency = "USD";
  const std::vector<MinerOffer> offers{{"S21 XP", 270, 3645, 4000}, {"S21 Pro", 234, 3510, 4129}};
  const MarketPaths m = paths_of(3, 1, [](std::size_t, std::size_t) { return 0.06; });
  const SiteAnalysis a = analyse_site(c, FxRate{}, offers, m, {&m});
  ASSERT_TRUE(a.site) << a.selection.reason;
  EXPECT_EQ(a.site->plant.miner.name, "S21 Pro");
  EXPECT_EQ(a.site->plant.n_miners, 1);
  EXPECT_EQ(a.selection.miners[0].n_fit, 0);
  EXPECT_LT(a.selection.miners[0].payback_days, a.selection.miners[1].payback_days);
}

TEST(Selection, HorizonAwareCriteriaAndLoudWarnings) {
  // Two miners, 1 kW usable, a 2-year horizon; hashprice 0.06 in year 1 and 0.01 after a "halving".
  // A: 100 TH, 1 kW, price 500: year-1 profit 6 - 2.4 = 3.6 a day (payback 139 d), loses 1.4 a day
  // in year 2. B: 50 TH, 0.25 kW, price 600: 3 - 0.6 = 2.4 a day (payback 250 d), -0.1 a day in
  // year 2 (4 fit).
  SiteConfig c;
  c.site_power_kw = 1;
  c.power_price_per_kwh = 0.1;
  c.horizon_years = 2;
  c.currency = "USD";
  c.discount_rate_per_year = 0.0;
  c.policy.mode = "always_on";
  const std::vector<MinerOffer> offers{{"A", 100, 1000, 500}, {"B", 50, 250, 600}};
  const MarketPaths m =
      paths_of(2, 2, [](std::size_t, std::size_t d) { return d < 365 ? 0.06 : 0.01; });
  SiteAnalysis a = analyse_site(c, FxRate{}, offers, m, {&m});
  ASSERT_TRUE(a.site);
  EXPECT_EQ(a.site->plant.miner.name, "A");  // min_payback, the spec's default
  // horizon NPV at 0 %: A = -500 + 365 (3.6 - 1.4) = 303; B: 4 x (-600 + 365 (2.4 - 0.1)) = 958
  EXPECT_NEAR(a.selection.miners[0].npv_p50_site_ccy, -500 + 365 * 2.2, 1e-6);
  EXPECT_NEAR(a.selection.miners[1].npv_p50_site_ccy, 4 * (-600 + 365 * 2.3), 1e-6);
  EXPECT_DOUBLE_EQ(a.selection.miners[1].prob_npv_positive, 1.0);
  bool warned = false;
  for (const auto& w : a.warnings)
    warned = warned || w.find("max_npv_p50 picks it") != std::string::npos;
  EXPECT_TRUE(warned);
  c.selection_criterion = "max_npv_p50";
  a = analyse_site(c, FxRate{}, offers, m, {&m});
  ASSERT_TRUE(a.site);
  EXPECT_EQ(a.site->plant.miner.name, "B");
  EXPECT_EQ(a.site->plant.n_miners, 4);
  // payback beyond the horizon and P(NPV < 0) > 50 % are loud
  c.selection_criterion = "min_payback";
  c.power_price_per_kwh = 0.24;  // A alone: 6 - 5.76 = 0.24 a day in year 1: payback 2,083 d > 730
  a = analyse_site(c, FxRate{}, {offers[0]}, m, {&m});
  ASSERT_TRUE(a.site);
  std::string all;
  for (const auto& w : a.warnings) all += w + "\n";
  EXPECT_NE(all.find("longer than the 2-year horizon"), std::string::npos) << all;
  EXPECT_NE(all.find("P(NPV < 0)"), std::string::npos) << all;
  EXPECT_FALSE(a.scenarios[0].warnings.empty());
}

TEST(Plays, BondReturnsItsYieldExactly) {
  const auto cf = bond_cashflows(1000, 0.04, 2, 5);
  ASSERT_EQ(cf.size(), 12u);
  EXPECT_DOUBLE_EQ(cf[0], -1000);
  EXPECT_DOUBLE_EQ(cf[1], 40);
  EXPECT_DOUBLE_EQ(cf[5], 1040);
  EXPECT_NEAR(*irr(std::span<const double>(cf.data(), 6)), 0.04, 1e-12);
  EXPECT_NEAR(roic_on_invested(std::span<const double>(cf.data(), 6), 1000), 0.04, 1e-15);
  EXPECT_NEAR(npv(std::span<const double>(cf.data(), 6), 0.04), 0.0, 1e-9);
}

TEST(Plays, EquityIndexHasTheGbmMeanAndIsReproduciblePerPath) {
  // E[V_Y] = C e^(mu Y); sd(V_Y) = C e^(mu Y) sqrt(e^(sigma^2 Y) - 1). With n = 20,000 paths the
  // sample mean is within 4 standard errors (sd / sqrt(n)) of it (probability of failure ~6e-5 for
  // a normal mean).
  const double mu = 0.07, sigma = 0.16, C = 1000;
  const int Y = 5;
  const std::size_t n = 20000;
  const auto cf = equity_index_cashflows(C, mu, sigma, n, Y, 42);
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += cf[i * 6 + 5];
  const double mean = C * std::exp(mu * Y),
               sd = mean * std::sqrt(std::exp(sigma * sigma * Y) - 1.0);
  EXPECT_NEAR(sum / n, mean, 4 * sd / std::sqrt(static_cast<double>(n)));
  // path i draws the same numbers whatever the number of paths
  const auto few = equity_index_cashflows(C, mu, sigma, 3, Y, 42);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(few[i * 6 + 5], cf[i * 6 + 5]);
  EXPECT_NE(equity_index_cashflows(C, mu, sigma, 1, Y, 43)[5], cf[5]);
}

TEST(Financing, AnnuityLinearBulletAndBalloonAtTheHorizon) {
  FinancingConfig f;
  f.interest_rate = 0.1;
  f.term_years = 3;
  DebtSchedule d = debt_schedule(1000, f, 5);
  const double A = 1000 * 0.1 / (1 - std::pow(1.1, -3));  // 402.11
  for (int t = 1; t <= 3; ++t) EXPECT_NEAR(d.interest[t] + d.principal[t], A, 1e-9);
  EXPECT_NEAR(d.interest[1], 100, 1e-12);
  EXPECT_NEAR(std::accumulate(d.principal.begin(), d.principal.end(), 0.0), 1000, 1e-9);
  EXPECT_DOUBLE_EQ(d.principal[4], 0.0);
  f.amortisation = "linear";
  d = debt_schedule(900, f, 5);
  EXPECT_NEAR(d.principal[1], 300, 1e-12);
  EXPECT_NEAR(d.interest[2], 60, 1e-12);
  f.amortisation = "bullet";
  d = debt_schedule(1000, f, 5);
  EXPECT_NEAR(d.principal[3], 1000, 1e-12);
  EXPECT_NEAR(d.interest[3], 100, 1e-12);
  f.term_years = 10;  // longer than the horizon: the balance is repaid in year 5
  f.amortisation = "linear";
  d = debt_schedule(1000, f, 5);
  EXPECT_NEAR(d.principal[5], 600, 1e-9);
}

TEST(Tax, FullExpensingLossesCarriedForwardAndBalancingCharge) {
  // capex 1000 fully expensed in year 1; EBITDA 300 a year for 3 years, terminal value 100, rate 25
  // %. Year 1: 300 - 1000 = -700 (loss c/f 700). Year 2: 300 - 0 = 300, all absorbed (c/f 400).
  // Year 3: 300 + balancing charge 100 (pool 0 - proceeds 100) = 400 - 400 losses = 0 tax.
  TaxConfig t;
  t.enabled = true;
  const std::vector<double> ebitda{0, 300, 300, 300}, zero(4, 0.0);
  auto tax = tax_by_year(ebitda, zero, 1000, 100, t);
  EXPECT_DOUBLE_EQ(tax[1] + tax[2] + tax[3], 0.0);
  const std::vector<double> richer{0, 300, 800, 800};
  tax = tax_by_year(richer, zero, 1000, 100, t);
  EXPECT_NEAR(tax[2], 0.25 * (800 - 700), 1e-12);
  EXPECT_NEAR(tax[3], 0.25 * (800 + 100), 1e-12);
  // no first-year allowance: 18 % writing-down on the pool, the rest as a balancing allowance
  t.first_year_allowance = 0.0;
  tax = tax_by_year(richer, zero, 1000, 100, t);
  EXPECT_DOUBLE_EQ(tax[1], 0.25 * (300 - 180));
  EXPECT_NEAR(tax[2], 0.25 * (800 - 0.18 * 820), 1e-12);
  const double pool3 = 820 * 0.82;
  EXPECT_NEAR(tax[3], 0.25 * (800 - (pool3 - 100)), 1e-12);
  // interest is deductible
  const std::vector<double> interest{0, 0, 100, 0};
  t.first_year_allowance = 1.0;
  tax = tax_by_year(richer, interest, 1000, 100, t);
  EXPECT_NEAR(tax[2], 0.0, 1e-12);  // 800 - 100 = 700 = losses
  t.enabled = false;
  tax = tax_by_year(richer, zero, 1000, 100, t);
  EXPECT_DOUBLE_EQ(tax[2], 0.0);
}

namespace {
// A flat world: every path the same, hashprice 0.05, BTC 50,000, always on.
SiteConfig flat_site() {
  SiteConfig c;
  c.site_power_kw = 10;
  c.power_price_per_kwh = 0.1;
  c.horizon_years = 3;
  c.currency = "USD";
  c.discount_rate_per_year = 0.1;
  c.resale_fraction = 0.1;
  c.infrastructure.capex_per_kw = 100;
  c.infrastructure.life_years = 6;
  c.infrastructure.recovery_of_book_value = 0.5;
  c.policy.mode = "always_on";
  c.tradfi.bond_yield = 0.04;
  c.tradfi.equity_expected_return = 0.07;
  c.tradfi.equity_vol = 0.16;
  return c;
}
const std::vector<MinerOffer> kOne{{"M", 100, 1000, 1000}};
}  // namespace

TEST(Analysis, InfrastructureEquityTaxBreakevenAndTornadoFromFirstPrinciples) {
  SiteConfig c = flat_site();
  c.tax.enabled = true;
  c.financing.debt_share = 0.5;
  c.financing.interest_rate = 0.08;
  c.financing.term_years = 3;
  c.financing.amortisation = "linear";
  const MarketPaths m = paths_of(3, 3, [](std::size_t, std::size_t) { return 0.05; });
  const SiteAnalysis a = analyse_site(c, FxRate{}, kOne, m, {&m});
  ASSERT_TRUE(a.site);
  const Plant& p = a.site->plant;
  ASSERT_EQ(p.n_miners, 10);
  // capex: 10 miners x 1000 + 100 per kW x 10 kW; revenue 10 x 100 x 0.05 x 365 = 18,250 a year;
  // power 10 kW x 24 x 365 x 0.1 = 8,760; terminal value 0.1 x 10,000 + 0.5 x 1,000 x (1 - 3 / 6) =
  // 1,250
  EXPECT_DOUBLE_EQ(p.capex_total(), 11000);
  const double ebitda = 18250 - 8760, tv = 1250;
  const ScenarioResult& s = a.scenarios[0];
  const auto play = [&](const std::string& k) -> const PlayResult& {
    for (const auto& x : s.plays)
      if (x.key == k) return x;
    throw Error("no play " + k);
  };
  const auto& site = play("site");
  EXPECT_NEAR(site.cashflows[0], -11000, 1e-9);
  EXPECT_NEAR(site.cashflows[1], ebitda, 1e-9);
  EXPECT_NEAR(site.cashflows[3], ebitda + tv, 1e-9);
  // ROIC (spec): mean CF_t / miner capex
  EXPECT_NEAR(site.metrics.roic[0], (3 * ebitda + tv) / 3 / 10000, 1e-12);
  // tax (25 %, full expensing): year 1 9,490 - 11,000 = -1,510 (c/f); year 2 9,490 - 1,510 = 7,980;
  // year 3 9,490 + charge 1,250 (pool 0 less the proceeds)
  const auto& at = play("site_after_tax");
  EXPECT_NEAR(at.cashflows[1], ebitda, 1e-9);
  EXPECT_NEAR(at.cashflows[2], ebitda - 0.25 * (ebitda - 1510), 1e-9);
  EXPECT_NEAR(at.cashflows[3], ebitda + tv - 0.25 * (ebitda + tv), 1e-9);
  // equity: debt 5,500 linear over 3 years at 8 %, interest deductible
  const auto& eq = play("equity");
  EXPECT_NEAR(eq.cashflows[0], -5500, 1e-9);
  const double i1 = 440, i2 = 0.08 * 3666.6666666666665, i3 = 0.08 * 1833.3333333333333;
  const double t2 = 0.25 * (ebitda - i2 - (11000 + i1 - ebitda));
  EXPECT_NEAR(eq.cashflows[1], ebitda - i1 - 5500.0 / 3, 1e-9);
  EXPECT_NEAR(eq.cashflows[2], ebitda - i2 - 5500.0 / 3 - t2, 1e-9);
  EXPECT_NEAR(eq.cashflows[3], ebitda + tv - i3 - 5500.0 / 3 - 0.25 * (ebitda + tv - i3), 1e-9);
  EXPECT_TRUE(std::isfinite(eq.metrics.irr[0]));
  // breakeven: NPV(k) = -11,000 + sum_t (k 18,250 - 8,760) v^t + 1,250 v^3 = 0
  const double v = 1 / 1.1, a3 = v + v * v + v * v * v;
  const double k = (11000 + 8760 * a3 - 1250 * v * v * v) / (18250 * a3);
  ASSERT_TRUE(s.breakeven.found);
  EXPECT_NEAR(s.breakeven.revenue_factor, k, 1e-8);
  EXPECT_NEAR(s.breakeven.btc_price_usd_day0, 50000 * k, 1e-3);
  EXPECT_NEAR(s.breakeven.hashprice_usd_per_th_day, 0.05 * k, 1e-9);
  // tornado: the discount-rate bar is the NPV at 8 % and 12 %; the capex bar moves capex and
  // terminal value
  const std::vector<double> row(site.cashflows.begin(), site.cashflows.begin() + 4);
  EXPECT_NEAR(s.npv_p50_base, npv(row, 0.1), 1e-6);
  for (const auto& b : s.tornado) {
    if (b.driver == "discount rate") {
      EXPECT_NEAR(b.npv_p50_low, npv(row, 0.12), 1e-6);
      EXPECT_NEAR(b.npv_p50_high, npv(row, 0.08), 1e-6);
    }
    if (b.driver == "capex") {
      EXPECT_NEAR(b.npv_p50_low, npv(row, 0.1) - 0.2 * (11000 - 1250 * v * v * v), 1e-6);
    }
    if (b.driver == "power price") {
      EXPECT_NEAR(b.npv_p50_high - b.npv_p50_low, -0.4 * 8760 * a3, 1e-6);
    }
    if (b.driver == "BTC price level") {
      EXPECT_NEAR(b.npv_p50_high - b.npv_p50_low, 0.4 * 18250 * a3, 1e-6);
    }
  }
  EXPECT_EQ(s.tornado.size(), 5u);
  for (std::size_t i = 1; i < s.tornado.size(); ++i)
    EXPECT_GE(std::fabs(s.tornado[i - 1].npv_p50_high - s.tornado[i - 1].npv_p50_low),
              std::fabs(s.tornado[i].npv_p50_high - s.tornado[i].npv_p50_low));
  // the other plays spend the same money: bond yields its coupon, BTC at a flat price returns what
  // went in
  EXPECT_NEAR(play("bond").metrics.irr[0], 0.04, 1e-12);
  const std::vector<double> btc_row(play("btc").cashflows.begin(),
                                    play("btc").cashflows.begin() + 4);
  EXPECT_NEAR(play("btc").metrics.npv_site_ccy[0], npv(btc_row, 0.1), 1e-9);
  EXPECT_NEAR(btc_row[0] + btc_row[1] + btc_row[2] + btc_row[3], 0.0, 1e-6);
  EXPECT_TRUE(
      std::isnan(play("btc").metrics.payback_years[0]));  // n/a: no inflow before the horizon
  EXPECT_FALSE(play("btc").payback_applicable);
  EXPECT_FALSE(play("index").payback_applicable);
  EXPECT_NEAR(play("btc").invested_site_ccy[0], 11000 + 3 * 8760, 1e-6);
  // risk of a degenerate distribution: every path is the same
  EXPECT_NEAR(site.summary.risk.npv_p5, site.metrics.npv_site_ccy[0], 1e-6);
  EXPECT_NEAR(site.summary.risk.expected_shortfall, site.metrics.npv_site_ccy[0], 1e-6);
}

TEST(Analysis, BuyBtcPlayHasNoPaybackAndReportsItsOwnInvestedMoney) {
  // Regression (issue 12): the buy-BTC play showed a payback interpolated inside a year although
  // its only inflow is the sale at the horizon, and its ROIC divided by the capex only.
  const SiteConfig c = flat_site();
  const MarketPaths m = paths_of(
      2, 3, [](std::size_t, std::size_t) { return 0.05; },
      [](std::size_t, std::size_t d) { return 50000.0 * (1 + static_cast<double>(d) / 365); });
  SiteRun run;
  run.offers = kOne;
  run.analysis = analyse_site(c, FxRate{}, kOne, m, {&m});
  run.selection_info.name = "base";
  run.scenario_infos = {run.selection_info};
  const PlayResult* btc = nullptr;
  for (const auto& p : run.analysis.scenarios[0].plays)
    if (p.key == "btc") btc = &p;
  ASSERT_TRUE(btc);
  double sum = 0.0;
  for (std::size_t t = 0; t < 4; ++t) sum += btc->cashflows[t];
  EXPECT_NEAR(btc->metrics.roic[0], sum / (3 * btc->invested_site_ccy[0]), 1e-12);
  EXPECT_GT(btc->invested_site_ccy[0], 11000 + 3 * 8760 - 1e-6);
  const auto j = summary_json(run);
  EXPECT_FALSE(j["scenarios"]["base"]["plays"]["btc"]["payback_years"]["applicable"].get<bool>());
  EXPECT_TRUE(j["scenarios"]["base"]["plays"]["site"]["payback_years"]["p50"].is_number());
  const std::string report = format_report(run);
  EXPECT_NE(report.find("payback n/a for buy BTC"), std::string::npos);
}

TEST(Fx, GbmPathIsCorrelatedWithBtcAtTheStatedCorrelationAndVol) {
  // BTC: a path of daily log returns alternating +-0.03 with a drift; FX daily log returns have
  // sd sigma / sqrt(365) and correlation rho with the standardised BTC returns. Over 400 x 729
  // returns the sample correlation's standard error is about (1 - rho^2) / sqrt(n) = 0.0013; the
  // tolerance is 5 of them. The sample variance's relative standard error is sqrt(2 / n) = 0.0026.
  std::uint64_t st = 5;
  auto u = [&] {
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(st >> 11) * 0x1.0p-53;
  };
  const std::size_t n = 400;
  std::vector<double> px(n * 730);
  for (std::size_t i = 0; i < n; ++i) {
    double lp = std::log(50000.0);
    for (std::size_t d = 0; d < 730; ++d) {
      if (d) lp += 0.04 * (u() - 0.5) * std::sqrt(12.0);
      px[i * 730 + d] = std::exp(lp);
    }
  }
  const MarketPaths m = paths_of(
      n, 2, [](std::size_t, std::size_t) { return 0.05; },
      [&](std::size_t i, std::size_t d) { return px[i * 730 + d]; });
  FxModelConfig c;
  c.model = "gbm";
  c.vol_per_sqrt_year = 0.1;
  c.correlation_with_btc = 0.6;
  const FxPaths f = simulate_fx(c, 0.8, m, 11);
  double sxy = 0, sxx = 0, syy = 0, sx = 0, sy = 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_DOUBLE_EQ(f.usd_to_site[i * 730], 0.8);
    for (std::size_t d = 1; d < 730; ++d) {
      const double x = std::log(px[i * 730 + d] / px[i * 730 + d - 1]);
      const double y = std::log(f.usd_to_site[i * 730 + d] / f.usd_to_site[i * 730 + d - 1]);
      sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y, ++k;
    }
  }
  const double kn = static_cast<double>(k);
  const double cov = sxy / kn - sx / kn * sy / kn, vx = sxx / kn - sx / kn * sx / kn,
               vy = syy / kn - sy / kn * sy / kn;
  EXPECT_NEAR(cov / std::sqrt(vx * vy), 0.6, 5 * (1 - 0.36) / std::sqrt(kn));
  EXPECT_NEAR(vy / (0.01 / 365), 1.0, 5 * std::sqrt(2 / kn));
}

namespace {
// 37 paths (not a whole number of blocks) x 3 years of wandering hashprice and BTC price, so the
// daily policy switches both ways and the peak block runs on some days only.
MarketPaths wandering_paths() {
  return paths_of(
      37, 3,
      [](std::size_t i, std::size_t d) {
        return 0.03 + 0.02 * std::sin(0.05 * static_cast<double>(d) + static_cast<double>(i)) +
               0.01 * std::sin(0.7 * static_cast<double>(d * (i + 3)));
      },
      [](std::size_t i, std::size_t d) {
        return 50000.0 * std::exp(0.3 * std::sin(0.01 * static_cast<double>(d + 50 * i)));
      });
}
Plant wandering_plant() {
  OperatingTerms t;
  t.power_price_per_kwh = 0.1;
  t.escalation_per_year = 0.05;
  t.uptime_fraction = 0.97;
  t.pool_fee_fraction = 0.02;
  t.fixed_cost_per_miner_per_year = 40;
  t.resale_fraction = 0.1;
  t.fx_usd_to_site = 0.8;
  t.tariff.peak_hours_per_day = 4;
  t.tariff.peak_price_per_kwh = 0.14;
  t.policy.trailing_days = 7;
  t.policy.days_before_off = 2;
  t.policy.days_before_on = 3;
  t.policy.restart_cost_per_miner = 2;
  return make_plant({"M", 100, 1000, 1000}, t, 10);
}
}  // namespace

// plant_cashflows shares per-run work (the year's prices, the growth shock's daily factors) across
// paths and runs blocks of paths on threads: each row must be, bit for bit, the path on its own.
TEST(Operation, EveryPathOfARunIsThePathOnItsOwn) {
  const MarketPaths m = wandering_paths();
  FxModelConfig fc;
  fc.model = "gbm";
  fc.vol_per_sqrt_year = 0.1;
  fc.correlation_with_btc = 0.3;
  const FxPaths fx = simulate_fx(fc, 0.8, m, 7);
  Shocks grown;
  grown.hashrate_growth_delta = 0.1;
  grown.power_price_factor = 1.2;
  grown.revenue_factor = 0.9;
  grown.capex_factor = 1.1;
  const auto W = static_cast<std::size_t>(m.years) + 1;
  for (const int operating_years : {0, 2})
    for (const FxPaths* f : {static_cast<const FxPaths*>(nullptr), &fx})
      for (const Shocks& s : {Shocks{}, grown})
        for (const Operation op :
             {Operation::Policy, Operation::AlwaysOn, Operation::PerfectForesight}) {
          Plant p = wandering_plant();
          p.operating_years = operating_years;
          std::vector<double> share;
          const auto cf = plant_cashflows(p, m, op, s, f, &share);
          std::size_t restarts = 0;
          for (std::size_t i = 0; i < m.n_paths; ++i) {
            YearLines l;
            plant_path_lines(p, m, i, op, l, s, f);
            restarts += static_cast<std::size_t>(l.restarts);
            std::vector<double> row(W);
            row[0] = -s.capex_factor * p.capex_total();
            for (std::size_t t = 1; t < W; ++t)
              row[t] = l.revenue[t] - l.power[t] - l.other[t] - l.restart[t];
            row[static_cast<std::size_t>(l.resale_year)] += l.resale;
            for (std::size_t t = 0; t < W; ++t) ASSERT_EQ(cf[i * W + t], row[t]) << i << " " << t;
            ASSERT_EQ(share[i], l.days_on / (365.0 * l.resale_year));
          }
          if (op == Operation::Policy) {
            EXPECT_GT(restarts, 0u);  // the policy did switch
          }
        }
}

// analyse_site runs the unshocked site's days once per scenario for the site, buy-BTC and policy
// figures and the tornado's centre: each must equal the figure computed on its own.
TEST(Analysis, SharedSiteRunGivesTheFiguresEachFunctionGivesAlone) {
  SiteConfig c = flat_site();
  c.policy.mode = "daily";
  c.policy.trailing_days = 7;
  c.policy.restart_cost_per_miner = 2;
  c.tax.enabled = true;
  const MarketPaths m = wandering_paths();
  const SiteAnalysis a = analyse_site(c, FxRate{}, kOne, m, {&m});
  ASSERT_TRUE(a.site);
  const Plant& p = a.site->plant;
  const ScenarioResult& s = a.scenarios[0];
  const auto play = [&](const std::string& k) -> const PlayResult& {
    for (const auto& x : s.plays)
      if (x.key == k) return x;
    throw Error("no play " + k);
  };
  const FxPaths none;
  EXPECT_EQ(play("site").cashflows, plant_cashflows(p, m, Operation::Policy, {}, &none));
  std::vector<double> invested;
  EXPECT_EQ(play("btc").cashflows, btc_cashflows(p, m, Operation::Policy, &none, invested));
  EXPECT_EQ(play("btc").invested_site_ccy, invested);
  std::vector<double> share;
  const auto cf = plant_cashflows(p, m, Operation::Policy, {}, &none, &share);
  const auto W = static_cast<std::size_t>(m.years) + 1;
  std::vector<double> v(m.n_paths);
  for (std::size_t i = 0; i < m.n_paths; ++i)
    v[i] = npv(std::span<const double>(&cf[i * W], W), c.discount_rate_per_year);
  EXPECT_EQ(s.npv_p50_base, median_of(v));
  ASSERT_FALSE(s.policies.empty());
  EXPECT_EQ(s.policies[0].mode, "daily policy");
  EXPECT_EQ(s.policies[0].npv.p50, summarize(v).p50);
  EXPECT_EQ(s.policies[0].mean_days_on_share,
            std::accumulate(share.begin(), share.end(), 0.0) / static_cast<double>(m.n_paths));
}
