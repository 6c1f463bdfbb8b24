#include <gtest/gtest.h>

#include <cmath>

#include "engine/rng/distributions.h"
#include "engine/rng/streams.h"

using namespace hashsim::rng;

namespace {
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
}  // namespace

TEST(InverseNormal, InvertsTheCdfToNearMachinePrecision) {
  // AS 241 claims ~1e-16 relative accuracy; allow 1e-13 absolute on p (erfc's own error
  // is ~1e-16 relative, and Phi's slope bounds how x errors map to p).
  for (double p : {1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97575,
                   0.999, 1 - 1e-10}) {
    const double x = inverse_normal_cdf(p);
    EXPECT_NEAR(normal_cdf(x) / p, 1.0, 1e-12) << "p = " << p;
  }
  EXPECT_EQ(inverse_normal_cdf(0.5), 0.0);
  EXPECT_NEAR(inverse_normal_cdf(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(inverse_normal_cdf(0.025), -1.959963984540054, 1e-14);
}

TEST(Streams, SameSeedPurposeAndPathGiveTheSameNumbers) {
  auto a = make_rng(42, Stream::Price, 7);
  auto b = make_rng(42, Stream::Price, 7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a(), b());
}

TEST(Streams, PathsPurposesAndSeedsDiffer) {
  const auto first = [](std::uint64_t seed, Stream s, std::uint64_t path) {
    return make_rng(seed, s, path)();
  };
  EXPECT_NE(first(42, Stream::Price, 0), first(42, Stream::Price, 1));
  EXPECT_NE(first(42, Stream::Price, 0), first(42, Stream::Fees, 0));
  EXPECT_NE(first(42, Stream::Price, 0), first(43, Stream::Price, 0));
}

TEST(Streams, PathStreamIsTheBaseStreamAdvancedByTheGoldenStride) {
  auto base = make_rng(9, Stream::Jumps, 0);
  base.advance(static_cast<pcg_extras::pcg128_t>(3) * kPathStride);
  auto p3 = make_rng(9, Stream::Jumps, 3);
  EXPECT_EQ(base(), p3());
  // The stride is odd, so path starts differ in their low state bits too.
  EXPECT_EQ(static_cast<std::uint64_t>(kPathStride) & 1u, 1u);
}

TEST(Streams, FirstDrawsOfNeighbouringPathsAreUncorrelated) {
  // Regression: with starts 2^64 apart the first normal of 2e5 paths averaged -0.0185 (8 SE).
  // Mean and lag-1 (path i vs i+1) product of the first normal of n paths: each has standard
  // error 1/sqrt(n) under independence; k = 4 (false-failure probability 6.3e-5 per check),
  // and 4/sqrt(n) = 0.009 is well below the 0.0185 bias this guards against.
  const int n = 200000;
  double sum = 0.0, lag = 0.0, prev = 0.0;
  for (int p = 0; p < n; ++p) {
    auto e = make_rng(11, Stream::Price, static_cast<std::uint64_t>(p));
    const double z = standard_normal(e);
    sum += z;
    if (p > 0) lag += z * prev;
    prev = z;
  }
  const double se = 1.0 / std::sqrt(static_cast<double>(n));
  EXPECT_NEAR(sum / n, 0.0, 4.0 * se);
  EXPECT_NEAR(lag / (n - 1), 0.0, 4.0 * se);
}

TEST(Uniform, IsStrictlyInsideTheUnitInterval) {
  auto e = make_rng(1, Stream::Price, 0);
  for (int i = 0; i < 100000; ++i) {
    const double u = uniform_open(e);
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(Poisson, InversionMatchesTheCdfExactly) {
  // For a grid of u, the returned k must satisfy F(k-1) < u <= F(k).
  for (double mean : {0.01, 0.5, 3.0, 30.0, 144.0, 450.0}) {
    for (double u : {1e-9, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-9}) {
      const auto k = poisson_from_uniform(mean, u);
      double cdf = 0.0, cdf_prev = 0.0;
      for (unsigned long long j = 0; j <= k; ++j) {
        cdf_prev = cdf;
        cdf += std::exp(static_cast<double>(j) * std::log(mean) - mean -
                        std::lgamma(static_cast<double>(j) + 1));
      }
      EXPECT_LE(u, cdf + 1e-12) << "mean " << mean << " u " << u << " k " << k;
      EXPECT_GT(u, cdf_prev - 1e-12) << "mean " << mean << " u " << u << " k " << k;
    }
  }
}

TEST(Poisson, SampleMeanAndVarianceMatch) {
  // n = 200,000 draws of Poisson(144): stderr of the mean = sqrt(144/n) = 0.0268; bound 5 stderr
  // (false-failure probability ~6e-7). Variance: stderr ~ sqrt(2 * 144^2 / n) = 0.455, bound 5x.
  auto e = make_rng(5, Stream::Blocks, 0);
  const int n = 200000;
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double k = static_cast<double>(poisson(e, 144.0));
    s += k;
    s2 += k * k;
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 144.0, 5 * std::sqrt(144.0 / n));
  EXPECT_NEAR(var, 144.0, 5 * std::sqrt(2.0 * 144.0 * 144.0 / n));
}
