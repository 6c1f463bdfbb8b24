// Exact checks of the investment maths against hand-solved cashflows (closed forms in comments).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "engine/site/metrics.h"

using namespace hashsim::site;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

TEST(Npv, MatchesTheDiscountedSum) {
  const std::vector<double> cf{-100, 60, 60};
  EXPECT_NEAR(npv(cf, 0.10), -100 + 60 / 1.1 + 60 / 1.21, 1e-12);
  EXPECT_DOUBLE_EQ(npv(cf, 0.0), 20.0);
  EXPECT_DOUBLE_EQ(npv(std::vector<double>{}, 0.1), 0.0);
}

TEST(Irr, SinglePeriodIsTheReturn) {
  const auto r = irr(std::vector<double>{-100, 110});
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r, 0.10, 1e-10);
}

TEST(Irr, TwoPeriodsMatchTheQuadraticRoot) {
  // -100 x^2 + 60 x + 60 = 0 with x = 1 + r  =>  x = (60 + sqrt(60^2 + 4*100*60)) / 200
  const auto r = irr(std::vector<double>{-100, 60, 60});
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r, (60 + std::sqrt(3600.0 + 24000.0)) / 200.0 - 1.0, 1e-10);
  EXPECT_NEAR(npv(std::vector<double>{-100, 60, 60}, *r), 0.0, 1e-8);
}

TEST(Irr, NegativeIrrIsFound) {
  const auto r = irr(std::vector<double>{-100, 50});
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r, -0.5, 1e-10);
}

TEST(Irr, NoSignChangeHasNoIrr) {
  EXPECT_FALSE(irr(std::vector<double>{-100, -10, -10}));
  EXPECT_FALSE(irr(std::vector<double>{100, 10, 10}));
  EXPECT_FALSE(irr(std::vector<double>{0, 0, 0}));
  EXPECT_EQ(irr_detail(std::vector<double>{-100, -10}).status, IrrStatus::NoRoot);
}

TEST(Irr, RootsFarOutsideTheOldBracketAreFound) {
  // Regression (issue 12): the IRR was searched on (-99 %, +1000 %) only, so a cheap site that pays
  // back in days read "no IRR". -100 + 0.5 / (1 + r) = 0  =>  r = -0.995; -100 + 1200 / (1 + r) =>
  // r = 11; -30 + 900 / (1 + r) = 0  =>  r = 29 (2,900 %).
  EXPECT_NEAR(*irr(std::vector<double>{-100, 0.5}), -0.995, 1e-12);
  EXPECT_NEAR(*irr(std::vector<double>{-100, 1200}), 11.0, 1e-12);
  EXPECT_NEAR(*irr(std::vector<double>{-30, 900}), 29.0, 1e-12);
  // r = 1e6: -1 + 1000001 v^5 = 0 has v = 1000001^(-1/5)
  EXPECT_NEAR(*irr(std::vector<double>{-1, 0, 0, 0, 0, 1e6 + 1}), std::pow(1e6 + 1, 0.2) - 1, 1e-9);
}

TEST(Irr, ANegativeRootWithAFarPositiveRootIsMultipleNotAUniqueLoss) {
  // Regression (issue 12): one path reported a unique IRR of -80.3 % while NPV at 8 % was positive;
  // its other root was +2,927 %. In v = 1/(1+r): P(v) = -30 (v - 5)(v - 1/30) = -5 + 151 v - 30
  // v^2, roots v = 5 (r = -80 %) and v = 1/30 (r = 2,900 %).
  const std::vector<double> cf{-5, 151, -30};
  EXPECT_GT(npv(cf, 0.08), 0.0);
  const IrrResult d = irr_detail(cf);
  EXPECT_EQ(d.status, IrrStatus::Multiple);
  ASSERT_EQ(d.roots.size(), 2u);
  EXPECT_NEAR(d.roots[0], -0.8, 1e-12);
  EXPECT_NEAR(d.roots[1], 29.0, 1e-9);
  EXPECT_FALSE(irr(cf));
}

TEST(Irr, ADoubleRootWhereNpvOnlyTouchesZeroIsFound) {
  // P(v) = -(v - 1/1.1)^2 (v = 1/1.1 <=> r = 10 %), times 121: -100 + 220 v - 121 v^2; NPV <= 0
  // everywhere.
  const IrrResult d = irr_detail(std::vector<double>{-100, 220, -121});
  ASSERT_EQ(d.roots.size(), 1u);
  EXPECT_NEAR(d.roots[0], 0.10, 1e-6);  // a double root is determined to ~sqrt(machine epsilon)
}

TEST(Irr, ThreeCloseRootsAreAllFound) {
  // (x - 1.10)(x - 1.11)(x - 1.12) in x = 1 + r, i.e. CF_0 x^3 + CF_1 x^2 + CF_2 x + CF_3 with
  // roots 10, 11, 12 %: closer together than the old 513-point grid (1.4 % in 1 + r) could
  // separate.
  const double a = 1.10, b = 1.11, c = 1.12;
  const std::vector<double> cf{1.0, -(a + b + c), a * b + a * c + b * c, -a * b * c};
  const IrrResult d = irr_detail(cf);
  ASSERT_EQ(d.roots.size(), 3u);
  EXPECT_NEAR(d.roots[0], 0.10, 1e-9);
  EXPECT_NEAR(d.roots[1], 0.11, 1e-9);
  EXPECT_NEAR(d.roots[2], 0.12, 1e-9);
}

TEST(Mirr, MatchesTheDefinition) {
  // negatives at t = 0 and 2 discounted at 10 %, positives compounded to t = 3 at 5 %
  const std::vector<double> cf{-100, 80, -20, 90};
  const double pv = 100 + 20 / 1.21, fv = 80 * 1.05 * 1.05 + 90;
  EXPECT_NEAR(mirr(cf, 0.10, 0.05), std::cbrt(fv / pv) - 1, 1e-14);
  EXPECT_DOUBLE_EQ(mirr(std::vector<double>{-100, -10}, 0.1, 0.1), -1.0);  // nothing comes back
  EXPECT_TRUE(std::isnan(mirr(std::vector<double>{100, 10}, 0.1, 0.1)));   // nothing invested
  // defined where the IRR is not (two roots)
  EXPECT_TRUE(std::isfinite(mirr(std::vector<double>{-5, 151, -30}, 0.08, 0.08)));
}

TEST(Irr, TwoRootsGiveNoSingleIrr) {
  // -100 x^2 + 230 x - 132 = -100 (x - 1.1)(x - 1.2): IRR 10 % and 20 %
  const std::vector<double> cf{-100, 230, -132};
  const IrrResult d = irr_detail(cf);
  EXPECT_EQ(d.status, IrrStatus::Multiple);
  ASSERT_EQ(d.roots.size(), 2u);
  EXPECT_NEAR(d.roots[0], 0.10, 1e-9);
  EXPECT_NEAR(d.roots[1], 0.20, 1e-9);
  EXPECT_FALSE(irr(cf));
}

TEST(Irr, MultipleSignChangesWithOnePositiveRootIsUnique) {
  // -1 + 2 v - 2 v^2 + 1.1 v^3: three sign changes but (by the derivative 2 - 4 v + 3.3 v^2 > 0)
  // P is increasing, so one root only
  const std::vector<double> cf{-1, 2, -2, 1.1};
  const IrrResult d = irr_detail(cf);
  ASSERT_EQ(d.status, IrrStatus::Unique);
  EXPECT_NEAR(npv(cf, d.roots[0]), 0.0, 1e-12);
}

TEST(Payback, InterpolatesInsideTheYear) {
  // cumulative -100, -60, -20, +20: crosses in year 3 at 2 + 20/40
  EXPECT_DOUBLE_EQ(*payback_years(std::vector<double>{-100, 40, 40, 40}), 2.5);
  EXPECT_DOUBLE_EQ(*payback_years(std::vector<double>{-100, 50, 50}), 2.0);
  EXPECT_DOUBLE_EQ(*payback_years(std::vector<double>{0, 10}), 0.0);
}

TEST(Payback, NeverWhenNotReached) {
  EXPECT_FALSE(payback_years(std::vector<double>{-100, 10, 10}));
  EXPECT_FALSE(payback_years(std::vector<double>{-100}));
}

TEST(Payback, LossYearBeforeRecoveryIsInterpolatedInTheCrossingYear) {
  // cumulative -100, -110, +90: crosses in year 2 at 1 + 110/200
  EXPECT_DOUBLE_EQ(*payback_years(std::vector<double>{-100, -10, 200}), 1.55);
}

TEST(Payback, DiscountedUsesDiscountedCashflows) {
  // discounted: -100, 54.5454.., 49.5867.., 45.0788..; cumulative -45.4545.. then +4.132..
  const auto p = discounted_payback_years(std::vector<double>{-100, 60, 60, 60}, 0.10);
  ASSERT_TRUE(p);
  EXPECT_NEAR(*p, 1.0 + (100 - 60 / 1.1) / (60 / 1.21), 1e-12);
  EXPECT_FALSE(discounted_payback_years(std::vector<double>{-100, 50, 50}, 0.10));
}

TEST(Roic, IsTheSpecsAverageAnnualProfitOverMinerCapex) {
  // Regression (issue 12): the spec's ROIC = average(annual_profit_t) / capex_miners = 40 / 100,
  // not (sum CF incl. -capex) / (Y capex) = 20 / 300 (which is the spec's figure minus 1 / Y).
  EXPECT_NEAR(roic(std::vector<double>{-100, 40, 40, 40}, 100), 0.40, 1e-15);
  EXPECT_TRUE(std::isnan(roic(std::vector<double>{-100, 40}, 0.0)));
  // money put in over time: the gain per year over everything invested
  EXPECT_NEAR(roic_on_invested(std::vector<double>{-100, -50, 180}, 150), 30.0 / (2 * 150.0),
              1e-15);
}

TEST(Risk, VarShortfallAndLossShareFromTheSample) {
  std::vector<double> v;
  for (int i = 1; i <= 40; ++i) v.push_back(static_cast<double>(i) - 10.5);  // -9.5 .. 29.5
  const Risk r = risk_of(v);
  EXPECT_NEAR(r.npv_p5, -9.5 + 0.05 * 39, 1e-12);              // h = 1.95 between order stats
  EXPECT_NEAR(r.expected_shortfall, (-9.5 - 8.5) / 2, 1e-12);  // worst ceil(2) of 40
  EXPECT_DOUBLE_EQ(r.p_loss, 10.0 / 40.0);
}

TEST(Summarize, ExcludesUndefinedFromMeanAndCountsNeverAsInfinite) {
  const Distribution d = summarize({1, 2, 3, kNaN}, true);
  EXPECT_EQ(d.n, 4u);
  EXPECT_EQ(d.n_defined, 3u);
  EXPECT_DOUBLE_EQ(d.mean, 2.0);
  EXPECT_DOUBLE_EQ(d.p50, 2.5);  // h = 1.5 between 2 and 3
  EXPECT_TRUE(std::isinf(d.p95));
  EXPECT_DOUBLE_EQ(d.share_undefined(), 0.25);
  const Distribution e = summarize({1, 2, 3, kNaN}, false);
  EXPECT_DOUBLE_EQ(e.p50, 2.0);
  EXPECT_DOUBLE_EQ(e.p95, 2.9);
  EXPECT_TRUE(std::isnan(summarize({kNaN}).mean));
}

TEST(Irr, RootsAreRootsOverManyShapesAndHorizons) {
  // Deterministic pseudo-random cashflows (LCG), horizons 1-30 years, many with several sign
  // changes: every root reported makes NPV vanish to rounding (relative to the cashflows' size),
  // and a unique root is the IRR.
  std::uint64_t s = 12345;
  auto u = [&] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  };
  int multiple = 0, unique = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const int years = 1 + trial % 30;
    std::vector<double> cf{-1000.0};
    for (int t = 1; t <= years; ++t) cf.push_back(600.0 * u() - 200.0);
    double scale = 0.0;
    for (double x : cf) scale += std::fabs(x);
    const IrrResult r = irr_detail(cf);
    for (double root : r.roots) {
      // |NPV| <= ~1e-9 x sum |CF_t| v^t at the root
      double size = 0.0, v = 1.0;
      for (double x : cf) {
        size += std::fabs(x) * v;
        v /= 1.0 + root;
      }
      EXPECT_LE(std::fabs(npv(cf, root)), 1e-9 * size) << "trial " << trial << " root " << root;
    }
    if (r.status == IrrStatus::Unique) {
      ++unique;
      EXPECT_EQ(*irr(cf), r.roots.front());
    }
    multiple += r.status == IrrStatus::Multiple;
  }
  EXPECT_GT(unique, 500);  // the sample exercises both branches
  EXPECT_GT(multiple, 0);
}
