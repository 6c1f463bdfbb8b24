// Statistical tests of the market and block-arrival models against analytic moments.
//
// Every bound is k standard errors (DESIGN.md 5). Unless a test says otherwise k = 4: for an
// estimator that is normal to good accuracy (means of >= 10^4 independent draws), a correct model
// fails one such check with probability 2 * (1 - Phi(4)) = 6.3e-5, so the whole file (about 15
// checks) fails by chance with probability below 1e-3. The seeds are fixed, so a pass is
// reproducible; the probability says how unlucky a seed would have to be. Each test also checks
// that its standard error is small against the model error it is meant to catch, so a pass
// means something.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/chain/chain_state.h"
#include "engine/chain/consensus.h"
#include "engine/market/fee_model.h"
#include "engine/market/price_model.h"
#include "engine/rng/distributions.h"
#include "engine/rng/streams.h"

using namespace hashsim;

namespace {
constexpr double kK =
    4.0;  // tolerance in standard errors; false-failure probability 6.3e-5 per check

struct Moments {
  double mean = 0.0, var = 0.0;  // sample mean and unbiased sample variance
  std::size_t n = 0;
  double stderr_of_mean() const { return std::sqrt(var / static_cast<double>(n)); }
};

Moments moments(const std::vector<double>& x) {
  Moments m;
  m.n = x.size();
  double s = 0.0;
  for (double v : x) s += v;
  m.mean = s / static_cast<double>(m.n);
  double ss = 0.0;
  for (double v : x) ss += (v - m.mean) * (v - m.mean);
  m.var = ss / static_cast<double>(m.n - 1);
  return m;
}

// ln(S_T / S_0) over `days` daily steps for `n_paths` independent paths (path i on stream i).
std::vector<double> log_returns(const market::GbmParams& p, int days, int n_paths,
                                std::uint64_t seed) {
  const market::GbmPriceModel model(p);
  std::vector<double> out(static_cast<std::size_t>(n_paths));
  for (int i = 0; i < n_paths; ++i) {
    auto price_rng = rng::make_rng(seed, rng::Stream::Price, static_cast<std::uint64_t>(i));
    auto jump_rng = rng::make_rng(seed, rng::Stream::Jumps, static_cast<std::uint64_t>(i));
    double x = 0.0;
    for (int d = 0; d < days; ++d) x = model.step_log(x, price_rng, jump_rng);
    out[static_cast<std::size_t>(i)] = x;
  }
  return out;
}
}  // namespace

TEST(PriceModel, MeanLogReturnAndVarianceAtHorizonMatchGbm) {
  // Pure GBM: ln(S_T/S_0) ~ N((mu - sigma^2/2) T, sigma^2 T) exactly (the scheme is exact).
  market::GbmParams p;
  p.drift_per_year = 0.10;
  p.vol_per_sqrt_year = 0.60;
  const int days = 365;
  const double T = days / market::kDaysPerYear;
  const int n = 20000;
  const Moments m = moments(log_returns(p, days, n, 11));

  const double mean_exact =
      (p.drift_per_year - 0.5 * p.vol_per_sqrt_year * p.vol_per_sqrt_year) * T;
  const double var_exact = p.vol_per_sqrt_year * p.vol_per_sqrt_year * T;
  // Standard errors from the exact law: sd(mean) = sqrt(var/n); for a normal sample,
  // sd(sample variance) = var * sqrt(2 / (n - 1)).
  const double se_mean = std::sqrt(var_exact / n);
  const double se_var = var_exact * std::sqrt(2.0 / (n - 1));
  // Meaningful: forgetting the Ito term sigma^2/2 (0.18) or using sigma instead of sigma^2 would
  // move the estimates by far more than the tolerance.
  ASSERT_LT(kK * se_mean, 0.25 * 0.5 * var_exact);
  ASSERT_LT(kK * se_var, 0.05 * var_exact);
  EXPECT_NEAR(m.mean, mean_exact, kK * se_mean);
  EXPECT_NEAR(m.var, var_exact, kK * se_var);
}

TEST(PriceModel, MeanPriceWithMertonJumpsIsS0ExpMuT) {
  // With the compensator lambda*k in the drift, E[S_T] = S_0 e^(mu T) whatever the jumps.
  market::GbmParams p;
  p.drift_per_year = 0.20;
  p.vol_per_sqrt_year = 0.50;
  p.jumps = {6.0, -0.10, 0.15};
  const int days = 365;
  const double T = days / market::kDaysPerYear;
  const int n = 20000;
  std::vector<double> ratio = log_returns(p, days, n, 12);
  for (double& r : ratio) r = std::exp(r);
  const Moments m = moments(ratio);
  const double exact = std::exp(p.drift_per_year * T);
  // Sample standard error (S_T is lognormal-like with sd ~ 0.6, n = 2e4: the CLT is accurate).
  const double se = m.stderr_of_mean();
  // Meaningful: without the compensator the mean would be exp((mu + lambda k) T), here about
  // 0.6 x exp(mu T) away.
  const double k = std::expm1(p.jumps.log_mean + 0.5 * p.jumps.log_sd * p.jumps.log_sd);
  const double uncompensated = std::exp((p.drift_per_year + p.jumps.intensity_per_year * k) * T);
  ASSERT_LT(kK * se, 0.2 * std::fabs(exact - uncompensated));
  EXPECT_NEAR(m.mean, exact, kK * se);
}

TEST(PriceModel, JumpCountMeanIsLambdaDt) {
  // sigma = 0 and jumps of fixed size m_J (s_J = 0): each day's log increment is
  // drift + N m_J, so N is read back exactly from the path.
  market::GbmParams p;
  p.drift_per_year = 0.0;
  p.vol_per_sqrt_year = 0.0;
  p.jumps = {12.0, 0.05, 0.0};
  const market::GbmPriceModel model(p);
  const int n_paths = 2000, days = 365;
  double jumps = 0.0;
  for (int i = 0; i < n_paths; ++i) {
    auto price_rng = rng::make_rng(13, rng::Stream::Price, static_cast<std::uint64_t>(i));
    auto jump_rng = rng::make_rng(13, rng::Stream::Jumps, static_cast<std::uint64_t>(i));
    double x = 0.0;
    for (int d = 0; d < days; ++d) {
      const double next = model.step_log(x, price_rng, jump_rng);
      const double n_jumps = (next - x - model.log_drift_per_step()) / p.jumps.log_mean;
      ASSERT_NEAR(n_jumps, std::round(n_jumps), 1e-6);
      jumps += std::round(n_jumps);
      x = next;
    }
  }
  const double steps = static_cast<double>(n_paths) * days;
  const double rate = p.jumps.intensity_per_year / market::kDaysPerYear;  // mean jumps per step
  // Total count ~ Poisson(rate * steps): sd of the per-step mean = sqrt(rate / steps).
  const double se = std::sqrt(rate / steps);
  ASSERT_LT(kK * se, 0.05 * rate);  // a 5% error in the intensity would be caught
  EXPECT_NEAR(jumps / steps, rate, kK * se);
}

TEST(PriceModel, JumpsOffLeavesTheDiffusionDrawsUnchanged) {
  // Fixed draw count per day (DESIGN.md 3.3): switching jumps on changes only the jump term.
  market::GbmParams off;
  off.drift_per_year = 0.1;
  off.vol_per_sqrt_year = 0.5;
  market::GbmParams on = off;
  on.jumps = {1e-9, 0.0, 0.0};  // on, but never fires in a short run; compensator ~ 0
  const market::GbmPriceModel a(off), b(on);
  auto pa = rng::make_rng(5, rng::Stream::Price, 0), ja = rng::make_rng(5, rng::Stream::Jumps, 0);
  auto pb = rng::make_rng(5, rng::Stream::Price, 0), jb = rng::make_rng(5, rng::Stream::Jumps, 0);
  double xa = 0.0, xb = 0.0;
  for (int d = 0; d < 1000; ++d) {
    xa = a.step_log(xa, pa, ja);
    xb = b.step_log(xb, pb, jb);
  }
  EXPECT_NEAR(xa, xb, 1e-12);
  EXPECT_EQ(pa(), pb());
  EXPECT_EQ(ja(), jb());
}

namespace {
// x_t = m + phi (x_{t-1} - m) + s sqrt(1 - phi^2) e_t has stationary law N(m, s^2) and
// corr(x_t, x_{t+1}) = phi. n independent chains, each started at m and run 80 steps
// (at most phi^160 < 1e-15 of the variance is missing), give i.i.d. pairs (x_80, x_81).
void check_stationary_log_fee_law(const market::FeeParams& p, std::uint64_t seed) {
  const market::LognormalFeeModel model(p);
  const double m = std::log(p.median_btc_per_block), s = p.log_sd, phi = p.ar1_phi;
  const int n = 40000;
  std::vector<double> x0(n), x1(n);
  auto e = rng::make_rng(seed, rng::Stream::Fees, 0);
  for (int i = 0; i < n; ++i) {
    double x = m;
    for (int t = 0; t < 80; ++t) x = model.step_log(x, e);
    x0[static_cast<std::size_t>(i)] = x;
    x1[static_cast<std::size_t>(i)] = model.step_log(x, e);
  }
  const Moments a = moments(x0), b = moments(x1);
  double cov = 0.0;
  for (int i = 0; i < n; ++i)
    cov += (x0[static_cast<std::size_t>(i)] - a.mean) * (x1[static_cast<std::size_t>(i)] - b.mean);
  cov /= (n - 1);
  const double rho = cov / std::sqrt(a.var * b.var);

  // Exact-law standard errors: mean s/sqrt(n); sd of a normal sample ~ s / sqrt(2(n-1));
  // sample correlation of a bivariate normal ~ (1 - phi^2) / sqrt(n).
  const double se_mean = s / std::sqrt(n);
  const double se_sd = s / std::sqrt(2.0 * (n - 1));
  const double se_rho = (1.0 - phi * phi) / std::sqrt(n);
  // Meaningful: an innovation sd of s instead of s sqrt(1 - phi^2) would give a stationary sd
  // of s / sqrt(1 - phi^2) (1.67 s at phi = 0.8); a lag-1 autocorrelation off by 0.021 would
  // be caught.
  ASSERT_LT(kK * se_sd, 0.05 * s);
  ASSERT_LE(kK * se_rho, 0.021);
  EXPECT_NEAR(a.mean, m, kK * se_mean) << "phi " << phi;
  EXPECT_NEAR(std::sqrt(a.var), s, kK * se_sd) << "phi " << phi;
  EXPECT_NEAR(rho, phi, kK * se_rho) << "phi " << phi;
}
}  // namespace

TEST(FeeModel, StationaryMeanSdAndLag1AutocorrelationOfLogFee) {
  check_stationary_log_fee_law({0.03, 0.5, 0.8}, 21);
}

TEST(FeeModel, PhiZeroGivesIndependentDays) { check_stationary_log_fee_law({0.1, 0.3, 0.0}, 22); }

TEST(Poisson, MeanAndVarianceMatchForSmallModerateAndLargeMeans) {
  // Exact inversion for mean <= 500; above, the normal approximation (mean exact to O(1/mean)).
  for (double mean : {0.0164, 0.7, 7.0, 144.0, 499.0, 2000.0}) {
    const int n = 200000;
    auto e = rng::make_rng(31, rng::Stream::Blocks, static_cast<std::uint64_t>(mean * 1000));
    std::vector<double> x(n);
    for (int i = 0; i < n; ++i)
      x[static_cast<std::size_t>(i)] = static_cast<double>(rng::poisson(e, mean));
    const Moments m = moments(x);
    const double se_mean = std::sqrt(mean / n);
    // Variance of the sample variance of a Poisson: (mu + 2 mu^2 (n/(n-1))) / n ~ (mu + 2 mu^2) /
    // n.
    const double se_var = std::sqrt((mean + 2.0 * mean * mean) / n);
    ASSERT_LT(kK * se_mean, 0.1 * mean) << "mean " << mean;  // a 10% error in the mean is caught
    EXPECT_NEAR(m.mean, mean, kK * se_mean) << "mean " << mean;
    EXPECT_NEAR(m.var, mean, kK * se_var) << "mean " << mean;
  }
}

TEST(ChainState, PoissonBlockArrivalsAverage144PerDayAtTargetPace) {
  // Hashrate at the target pace of the difficulty, no retargets: blocks/day ~ Poisson(144).
  chain::ChainOptions o;
  o.arrivals = chain::BlockArrivals::Poisson;
  o.difficulty_adjustment = false;
  const double difficulty = 1e14;
  const double hashrate = chain::hashrate_at_target_pace_ths(difficulty);
  chain::ChainState c;
  c.reset({840000.0, difficulty, -1.0}, o);
  auto e = rng::make_rng(41, rng::Stream::Blocks, 0);
  const int days = 20000;
  std::vector<double> blocks(days);
  for (int d = 0; d < days; ++d) {
    const auto day = c.advance_day(hashrate, e);
    blocks[static_cast<std::size_t>(d)] = day.blocks;
    ASSERT_EQ(day.blocks, std::floor(day.blocks));  // whole blocks in Poisson mode
  }
  const Moments m = moments(blocks);
  const double se = std::sqrt(144.0 / days);
  ASSERT_LT(kK * se, 0.01 * 144.0);  // a 1% pace error would be caught
  EXPECT_NEAR(m.mean, 144.0, kK * se);
  EXPECT_NEAR(c.height() - 840000.0, m.mean * days, 1e-6);
}

TEST(ChainState, PoissonArrivalsWithRetargetsStayNearTargetPace) {
  // With difficulty adjustment on and a hashrate 20% above target pace, the retargets pull the
  // long-run pace back to 144/day. Over 100 epochs (~1400 days) the mean is within noise of 144
  // plus the first epoch's excess (bounded by 2016 * 0.2 / 1.2 blocks spread over the run).
  chain::ChainOptions o;
  o.arrivals = chain::BlockArrivals::Poisson;
  const double difficulty = 1e14;
  const double hashrate = 1.2 * chain::hashrate_at_target_pace_ths(difficulty);
  chain::ChainState c;
  c.reset({0.0, difficulty, -1.0}, o);
  auto e = rng::make_rng(42, rng::Stream::Blocks, 0);
  const int days = 1400;
  double retargets = 0.0;
  for (int d = 0; d < days; ++d) retargets += c.advance_day(hashrate, e).retargets;
  const double mean = c.height() / days;
  const double se = std::sqrt(144.0 / days);
  const double bias = 2016.0 * 0.2 / days;  // the first epoch ran fast
  EXPECT_NEAR(mean, 144.0, kK * se + bias);
  EXPECT_GE(retargets, 98.0);
  // The difficulty has followed the hashrate up by about 1.2 (each epoch's noise ~ 2.2%).
  EXPECT_NEAR(c.difficulty() / difficulty, 1.2, 0.1);
}
