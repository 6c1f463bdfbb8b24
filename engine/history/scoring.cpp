#include "engine/history/scoring.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/util/error.h"
#include "engine/util/stats.h"

namespace hashsim::history::scoring {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

double crps_ensemble(std::vector<double> x, double y) {
  if (x.empty()) throw Error("internal: CRPS of an empty ensemble");
  std::sort(x.begin(), x.end());
  const double m = static_cast<double>(x.size());
  double abs_sum = 0.0, pair_sum = 0.0;
  // sum_i sum_j |x_i - x_j| = 2 sum_i (2i - m - 1) x_(i), i = 1..m over the sorted values.
  for (std::size_t i = 0; i < x.size(); ++i) {
    abs_sum += std::fabs(x[i] - y);
    pair_sum += (2.0 * static_cast<double>(i + 1) - m - 1.0) * x[i];
  }
  return abs_sum / m - pair_sum / (m * m);
}

double crps_normal(double mu, double sigma, double y) {
  if (!(sigma > 0.0)) throw Error("internal: crps_normal needs sigma > 0");
  const double z = (y - mu) / sigma;
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  return sigma * (z * (2.0 * cdf - 1.0) + 2.0 * pdf - 1.0 / std::sqrt(M_PI));
}

PitInterval pit(const std::vector<double>& sorted, double y) {
  const auto lo = std::lower_bound(sorted.begin(), sorted.end(), y);
  const auto hi = std::upper_bound(sorted.begin(), sorted.end(), y);
  const double below = static_cast<double>(lo - sorted.begin());
  const double equal = static_cast<double>(hi - lo);
  const double m1 = static_cast<double>(sorted.size()) + 1.0;
  return {below / m1, (below + equal + 1.0) / m1};
}

DayScore score_ensemble(std::vector<double> members, double y) {
  std::sort(members.begin(), members.end());
  DayScore s;
  s.log_error = hashsim::quantile_sorted(members, 0.5) - y;
  s.crps = crps_ensemble(members, y);
  s.has_bands = true;
  s.in_p5_p95 =
      y >= hashsim::quantile_sorted(members, 0.05) && y <= hashsim::quantile_sorted(members, 0.95);
  s.in_p25_p75 =
      y >= hashsim::quantile_sorted(members, 0.25) && y <= hashsim::quantile_sorted(members, 0.75);
  s.pit = pit(members, y);
  return s;
}

DayScore score_point(double forecast, double y) {
  DayScore s;
  s.log_error = forecast - y;
  s.crps = std::fabs(forecast - y);
  return s;
}

Summary summarise(const std::vector<DayScore>& days) {
  if (days.empty()) throw Error("internal: no days to summarise");
  Summary s;
  s.days = days.size();
  std::vector<double> abs_err;
  abs_err.reserve(days.size());
  double sum_e = 0.0, sum_crps = 0.0;
  std::size_t banded = 0, in90 = 0, in50 = 0;
  std::array<double, kPitBins> bins{};
  for (const auto& d : days) {
    abs_err.push_back(std::fabs(d.log_error));
    sum_e += d.log_error;
    sum_crps += d.crps;
    if (d.has_bands) {
      ++banded;
      in90 += d.in_p5_p95 ? 1 : 0;
      in50 += d.in_p25_p75 ? 1 : 0;
      // Uniform mass on [lo, hi], shared among the bins it overlaps.
      const double width = d.pit.hi - d.pit.lo;
      for (int k = 0; k < kPitBins; ++k) {
        const double a = std::max(d.pit.lo, static_cast<double>(k) / kPitBins);
        const double b = std::min(d.pit.hi, static_cast<double>(k + 1) / kPitBins);
        if (b > a) bins[static_cast<std::size_t>(k)] += (b - a) / width;
      }
    }
  }
  std::sort(abs_err.begin(), abs_err.end());
  const double n = static_cast<double>(days.size());
  s.median_abs_log_error = hashsim::quantile_sorted(abs_err, 0.5);
  s.bias_mean_log_error = sum_e / n;
  s.crps_mean = sum_crps / n;
  if (banded == 0) {
    s.coverage_p5_p95 = s.coverage_p25_p75 = kNaN;
    s.pit_histogram.fill(kNaN);
  } else {
    const double b = static_cast<double>(banded);
    s.coverage_p5_p95 = static_cast<double>(in90) / b;
    s.coverage_p25_p75 = static_cast<double>(in50) / b;
    for (int k = 0; k < kPitBins; ++k)
      s.pit_histogram[static_cast<std::size_t>(k)] = bins[static_cast<std::size_t>(k)] / b;
  }
  return s;
}

std::vector<double> persistence_forecast(double log_at_origin, int n) {
  return std::vector<double>(static_cast<std::size_t>(std::max(n, 0)), log_at_origin);
}

std::vector<double> trend_forecast(const std::vector<double>& history, int n) {
  if (history.size() < 2)
    throw Error("internal: the trend baseline needs at least 2 days of history");
  // Days t = -(len-1) .. 0 (0 = origin); OLS slope and intercept at t = 0.
  const double len = static_cast<double>(history.size());
  const double t_mean = -(len - 1.0) / 2.0;
  double y_mean = 0.0;
  for (double y : history) y_mean += y;
  y_mean /= len;
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t k = 0; k < history.size(); ++k) {
    const double t = static_cast<double>(k) - (len - 1.0) - t_mean;
    sxy += t * (history[k] - y_mean);
    sxx += t * t;
  }
  const double slope = sxy / sxx;
  const double at_origin = y_mean - slope * t_mean;
  std::vector<double> f(static_cast<std::size_t>(std::max(n, 0)));
  for (int d = 1; d <= n; ++d) f[static_cast<std::size_t>(d - 1)] = at_origin + slope * d;
  return f;
}

double fit_price_elasticity(const std::vector<double>& log_hashrate,
                            const std::vector<double>& log_price_lagged) {
  if (log_hashrate.size() != log_price_lagged.size())
    throw Error("internal: elasticity series of unequal length");
  if (log_hashrate.size() < 10)
    throw Error("the price-elasticity baseline needs at least 10 training days");
  const double n = static_cast<double>(log_hashrate.size());
  double mx = 0.0, my = 0.0;
  for (std::size_t k = 0; k < log_hashrate.size(); ++k) {
    mx += log_price_lagged[k];
    my += log_hashrate[k];
  }
  mx /= n;
  my /= n;
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t k = 0; k < log_hashrate.size(); ++k) {
    sxy += (log_price_lagged[k] - mx) * (log_hashrate[k] - my);
    sxx += (log_price_lagged[k] - mx) * (log_price_lagged[k] - mx);
  }
  if (!(sxx > 0.0))
    throw Error("the price-elasticity baseline needs a price that varies over the training days");
  return sxy / sxx;
}

}  // namespace hashsim::history::scoring
