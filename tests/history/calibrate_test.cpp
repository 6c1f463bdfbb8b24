// Calibration recovers known parameters from data simulated with the project's own models and
// random streams. Recovery bounds are k standard errors of the fit with k = 4: under the
// asymptotic normality of the MLE each check fails by chance with probability 6.3e-5 (two-sided),
// about 1e-3 for the whole file. Each test also checks that the standard error is small enough
// for the bound to mean something.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "engine/history/calibrate.h"
#include "engine/util/daily_table.h"
#include "engine/market/fee_model.h"
#include "engine/market/price_model.h"
#include "engine/rng/distributions.h"
#include "engine/rng/streams.h"
#include "engine/scenario/scenario.h"

using namespace hashsim;
using namespace hashsim::history;

namespace {

constexpr double kSigmas = 4.0;
constexpr double kDt = 1.0 / 365.0;

std::vector<double> simulate_log_returns(const market::GbmParams& p, int days, std::uint64_t path) {
  const market::GbmPriceModel model(p);
  auto price_rng = rng::make_rng(2026, rng::Stream::Price, path);
  auto jump_rng = rng::make_rng(2026, rng::Stream::Jumps, path);
  std::vector<double> r;
  double x = 0.0;
  for (int d = 0; d < days; ++d) {
    const double next = model.step_log(x, price_rng, jump_rng);
    r.push_back(next - x);
    x = next;
  }
  return r;
}

// ln fee per block from LognormalFeeModel, day 0 drawn from the stationary law N(m, s^2).
std::vector<double> simulate_log_fees(const market::FeeParams& p, int days, std::uint64_t path) {
  const market::LognormalFeeModel model(p);
  auto fee_rng = rng::make_rng(2026, rng::Stream::Fees, path);
  std::vector<double> x;
  x.push_back(std::log(p.median_btc_per_block) + p.log_sd * rng::standard_normal(fee_rng));
  for (int d = 1; d < days; ++d) x.push_back(model.step_log(x.back(), fee_rng));
  return x;
}

void expect_within(const Estimate& e, double truth, const char* what) {
  ASSERT_TRUE(std::isfinite(e.se)) << what;
  EXPECT_NEAR(e.value, truth, kSigmas * e.se)
      << what << ": estimate " << e.value << ", se " << e.se;
}

double sd(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

const DailyTable& real_daily() {
  static const DailyTable t =
      DailyTable::load(HASHSIM_SOURCE_DIR "/data/history/btc_daily_2020_2026_obm.csv");
  return t;
}

}  // namespace

TEST(CalibrateGbm, RecoversDriftAndVolatility) {
  market::GbmParams p;
  p.drift_per_year = 0.35;
  p.vol_per_sqrt_year = 0.6;
  const GbmFit f = fit_gbm(simulate_log_returns(p, 40000, 0), kDt);
  EXPECT_EQ(f.n_returns, 40000u);
  expect_within(f.drift_per_year, p.drift_per_year, "drift_per_year");
  expect_within(f.vol_per_sqrt_year, p.vol_per_sqrt_year, "vol_per_sqrt_year");
  expect_within(f.log_drift_per_year,
                p.drift_per_year - 0.5 * p.vol_per_sqrt_year * p.vol_per_sqrt_year, "log drift");
  EXPECT_LT(f.drift_per_year.se, 0.1);  // 110 years of data: sigma/sqrt(T) ~ 0.057
  EXPECT_LT(f.vol_per_sqrt_year.se, 0.01);
}

TEST(CalibrateGbm, StandardErrorsMatchTheSpreadOverReplications) {
  // 400 independent 2-year paths. The sd of 400 estimates has a relative standard error of
  // 1/sqrt(2 * 399) = 3.5%; the 15% bound is 4.2 of those (false failure ~3e-5 per check).
  market::GbmParams p;
  p.drift_per_year = 0.2;
  p.vol_per_sqrt_year = 0.7;
  std::vector<double> mu, sigma;
  double mean_se_mu = 0.0, mean_se_sigma = 0.0;
  constexpr int kReps = 400;
  for (int i = 0; i < kReps; ++i) {
    const GbmFit f = fit_gbm(simulate_log_returns(p, 730, static_cast<std::uint64_t>(i)), kDt);
    mu.push_back(f.drift_per_year.value);
    sigma.push_back(f.vol_per_sqrt_year.value);
    mean_se_mu += f.drift_per_year.se / kReps;
    mean_se_sigma += f.vol_per_sqrt_year.se / kReps;
  }
  EXPECT_NEAR(sd(mu) / mean_se_mu, 1.0, 0.15);
  EXPECT_NEAR(sd(sigma) / mean_se_sigma, 1.0, 0.15);
}

TEST(CalibrateMerton, RecoversJumpParameters) {
  market::GbmParams p;
  p.drift_per_year = 0.3;
  p.vol_per_sqrt_year = 0.45;
  p.jumps = {25.0, -0.04, 0.10};
  const auto r = simulate_log_returns(p, 8000, 1);
  const MertonFit f = fit_merton(r, kDt);
  ASSERT_TRUE(f.converged);
  ASSERT_TRUE(f.information_ok);
  expect_within(f.drift_per_year, p.drift_per_year, "drift_per_year");
  expect_within(f.vol_per_sqrt_year, p.vol_per_sqrt_year, "vol_per_sqrt_year");
  expect_within(f.intensity_per_year, p.jumps.intensity_per_year, "intensity_per_year");
  expect_within(f.log_mean, p.jumps.log_mean, "log_mean");
  expect_within(f.log_sd, p.jumps.log_sd, "log_sd");
  // Informative: about 550 jumps of 4x the daily diffusion sd.
  EXPECT_LT(f.intensity_per_year.se, 0.25 * p.jumps.intensity_per_year);
  EXPECT_LT(f.log_sd.se, 0.25 * p.jumps.log_sd);
  EXPECT_LT(f.vol_per_sqrt_year.se, 0.05);
  // The jump model beats plain GBM by far more than the chi-square(3) noise level.
  EXPECT_GT(f.log_likelihood - fit_gbm(r, kDt).log_likelihood, 50.0);
}

TEST(CalibrateMerton, LikelihoodWithoutJumpsIsTheGbmLikelihood) {
  market::GbmParams p;
  p.drift_per_year = 0.1;
  p.vol_per_sqrt_year = 0.5;
  const auto r = simulate_log_returns(p, 500, 2);
  const GbmFit g = fit_gbm(r, kDt);
  const double ll = merton_log_likelihood(r, kDt, g.log_drift_per_year.value,
                                          g.vol_per_sqrt_year.value, 1e-12, 0.0, 0.1);
  EXPECT_NEAR(ll, g.log_likelihood, 1e-6 * std::abs(g.log_likelihood));
}

TEST(CalibrateFees, RecoversMedianSdAndPersistence) {
  const market::FeeParams p{0.05, 0.6, 0.9};
  const FeeFit f = fit_fees(simulate_log_fees(p, 20000, 0));
  EXPECT_EQ(f.n_pairs, 19999u);
  expect_within(f.median_btc_per_block, p.median_btc_per_block, "median_btc_per_block");
  expect_within(f.log_sd, p.log_sd, "log_sd");
  expect_within(f.ar1_phi, p.ar1_phi, "ar1_phi");
  expect_within(f.innovation_sd, p.log_sd * std::sqrt(1 - p.ar1_phi * p.ar1_phi), "innovation_sd");
  EXPECT_LT(f.ar1_phi.se, 0.01);
  EXPECT_LT(f.log_sd.se, 0.05);
}

TEST(CalibrateFees, IndependentDaysGivePhiNearZero) {
  const market::FeeParams p{0.2, 0.3, 0.0};
  const FeeFit f = fit_fees(simulate_log_fees(p, 5000, 3));
  expect_within(f.ar1_phi, 0.0, "ar1_phi");
  expect_within(f.median_btc_per_block, 0.2, "median");
  expect_within(f.log_sd, 0.3, "log_sd");
}

TEST(CalibrateFees, PhiStandardErrorMatchesTheSpreadOverReplications) {
  // Same bound as the GBM replication test: 400 replications, 15% = 4.2 relative standard errors.
  const market::FeeParams p{0.05, 0.8, 0.7};
  std::vector<double> phi, m;
  double se_phi = 0.0, se_m = 0.0;
  for (int i = 0; i < 400; ++i) {
    const FeeFit f = fit_fees(simulate_log_fees(p, 1000, static_cast<std::uint64_t>(i)));
    phi.push_back(f.ar1_phi.value);
    m.push_back(f.log_median.value);
    se_phi += f.ar1_phi.se / 400;
    se_m += f.log_median.se / 400;
  }
  EXPECT_NEAR(sd(phi) / se_phi, 1.0, 0.15);
  EXPECT_NEAR(sd(m) / se_m, 1.0, 0.15);
}

TEST(CalibrateFees, MissingDaysBreakThePairs) {
  std::vector<double> x = simulate_log_fees({0.05, 0.6, 0.5}, 100, 4);
  x[10] = kNaN;
  x[50] = kNaN;
  EXPECT_EQ(fit_fees(x).n_pairs, 99u - 4u);
}

TEST(Calibrate, RealWindowGivesAScenarioThatLoads) {
  const Calibration c = calibrate(real_daily(), {"2022-01-01", "2024-12-31", true, false, true});
  EXPECT_EQ(c.from, "2022-01-01");
  EXPECT_EQ(c.to, "2024-12-31");
  EXPECT_EQ(c.gbm.n_returns, 1095u);
  // Bitcoin's daily volatility over 2022-2024 was 40-70% a year; fees per block 0.03-0.5 BTC.
  EXPECT_GT(c.gbm.vol_per_sqrt_year.value, 0.4);
  EXPECT_LT(c.gbm.vol_per_sqrt_year.value, 0.7);
  EXPECT_GT(c.fees.median_btc_per_block.value, 0.03);
  EXPECT_LT(c.fees.median_btc_per_block.value, 0.5);

  const std::string base =
      "name: calibrated\nhorizon_days: 10\npaths: 1\nseed: 1\n"
      "start: {date: 2025-01-01, price_usd: 94000, network_hashrate_ths: 8.0e8, difficulty: "
      "1.1e14, "
      "height: 877000, fee_btc_per_block: 0.02}\n";
  const scenario::Scenario s =
      scenario::parse_scenario(base + calibration_yaml(c, "test"), "calibrated.yaml");
  EXPECT_NEAR(s.price.gbm.drift_per_year, c.gbm.drift_per_year.value, 1e-5);
  EXPECT_NEAR(s.price.gbm.vol_per_sqrt_year, c.gbm.vol_per_sqrt_year.value, 1e-5);
  EXPECT_EQ(s.price.gbm.jumps.intensity_per_year, 0.0);
  EXPECT_NEAR(s.fees.lognormal.median_btc_per_block, c.fees.median_btc_per_block.value, 1e-6);
  EXPECT_NEAR(s.fees.lognormal.log_sd, c.fees.log_sd.value, 1e-5);
  EXPECT_NEAR(s.fees.lognormal.ar1_phi, c.fees.ar1_phi.value, 1e-5);
}

TEST(Calibrate, JumpFragmentHasTheScenarioKeys) {
  const Calibration c = calibrate(real_daily(), {"2023-01-01", "2023-12-31", true, true, false});
  const YAML::Node y = YAML::Load(calibration_yaml(c, ""));
  EXPECT_FALSE(y["fees"]);
  EXPECT_EQ(y["price"]["model"].as<std::string>(), "gbm");
  EXPECT_NEAR(y["price"]["jumps"]["intensity_per_year"].as<double>(),
              c.merton.intensity_per_year.value, 1e-5 * c.merton.intensity_per_year.value);
  EXPECT_NEAR(y["price"]["drift_per_year"].as<double>(), c.merton.drift_per_year.value, 1e-5);
}

TEST(Calibrate, PriceOnlyFileAndGapsAreHandled) {
  // btc_price_usd_daily.csv has no row for 2026-05-24: the two returns touching it are skipped.
  const DailyTable t = DailyTable::load(HASHSIM_SOURCE_DIR "/data/history/btc_price_usd_daily.csv");
  CalibrationOptions o;
  o.from = "2026-05-01";
  o.to = "2026-06-30";
  o.fit_fees = false;
  const Calibration c = calibrate(t, o);
  EXPECT_EQ(c.calendar_days, 61u);
  EXPECT_EQ(c.missing_price_days, 1u);
  EXPECT_EQ(c.gbm.n_returns, 58u);
}
