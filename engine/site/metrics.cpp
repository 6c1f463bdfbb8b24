#include "engine/site/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/io/results_file.h"

namespace hashsim::site {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kScanPoints = 512;
constexpr double kRootTolerance = 1e-12;

int sign_changes(std::span<const double> cf) {
  int changes = 0, last = 0;
  for (double x : cf) {
    const int s = (x > 0) - (x < 0);
    if (s == 0) continue;
    if (last != 0 && s != last) ++changes;
    last = s;
  }
  return changes;
}

// Bisection on [a, b] where f(a), f(b) have opposite signs (or one is zero).
double bisect(std::span<const double> cf, double a, double b, double fa) {
  for (int i = 0; i < 200 && b - a > kRootTolerance * (1.0 + std::fabs(a)); ++i) {
    const double m = 0.5 * (a + b);
    const double fm = npv(cf, m);
    if (fm == 0.0) return m;
    if ((fm < 0) == (fa < 0)) {
      a = m;
      fa = fm;
    } else {
      b = m;
    }
  }
  return 0.5 * (a + b);
}

// Quantile with +inf entries: linear interpolation between order statistics (numpy "linear"),
// +inf when the upper neighbour is +inf and the weight on it is non-zero.
double quantile_inf(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  if (std::isinf(sorted[lo])) return sorted[lo];
  if (std::isinf(sorted[hi])) return h > static_cast<double>(lo) ? sorted[hi] : sorted[lo];
  return io::quantile_sorted(sorted, q);
}
}  // namespace

double npv(std::span<const double> cf, double rate) {
  if (cf.empty()) return 0.0;
  const double v = 1.0 / (1.0 + rate);
  double f = cf.back();
  for (std::size_t t = cf.size() - 1; t-- > 0;) f = f * v + cf[t];
  return f;
}

IrrResult irr_detail(std::span<const double> cf, double lo, double hi) {
  IrrResult r;
  const int changes = sign_changes(cf);
  if (changes == 0) return r;  // every term has one sign: NPV(r) never crosses zero
  if (changes == 1) {
    const double flo = npv(cf, lo), fhi = npv(cf, hi);
    if (flo == 0.0) r.roots.push_back(lo);
    else if (fhi == 0.0) r.roots.push_back(hi);
    else if ((flo < 0) != (fhi < 0)) r.roots.push_back(bisect(cf, lo, hi, flo));
  } else {
    const double x0 = std::log1p(lo), x1 = std::log1p(hi);
    double a = lo, fa = npv(cf, lo);
    if (fa == 0.0) r.roots.push_back(a);
    for (int k = 1; k <= kScanPoints; ++k) {
      const double b = std::expm1(x0 + (x1 - x0) * k / kScanPoints);
      const double fb = npv(cf, b);
      if (fb == 0.0) r.roots.push_back(b);
      else if (fa != 0.0 && (fa < 0) != (fb < 0)) r.roots.push_back(bisect(cf, a, b, fa));
      a = b;
      fa = fb;
    }
  }
  r.status = r.roots.empty() ? IrrStatus::NoRoot : r.roots.size() == 1 ? IrrStatus::Unique : IrrStatus::Multiple;
  return r;
}

std::optional<double> irr(std::span<const double> cf, double lo, double hi) {
  IrrResult r = irr_detail(cf, lo, hi);
  if (r.status != IrrStatus::Unique) return std::nullopt;
  return r.roots.front();
}

std::optional<double> payback_years(std::span<const double> cf) {
  if (cf.empty()) return std::nullopt;
  double cum = cf[0];
  if (cum >= 0.0) return 0.0;
  for (std::size_t t = 1; t < cf.size(); ++t) {
    const double next = cum + cf[t];
    if (next >= 0.0) return static_cast<double>(t - 1) + (-cum) / cf[t];
    cum = next;
  }
  return std::nullopt;
}

std::optional<double> discounted_payback_years(std::span<const double> cf, double rate) {
  std::vector<double> d(cf.size());
  double factor = 1.0;
  for (std::size_t t = 0; t < cf.size(); ++t) {
    d[t] = cf[t] * factor;
    factor /= 1.0 + rate;
  }
  return payback_years(d);
}

double roic(std::span<const double> cf, double capital) {
  if (cf.size() < 2 || !(capital > 0.0)) return kNaN;
  double sum = 0.0;
  for (double x : cf) sum += x;
  return sum / (static_cast<double>(cf.size() - 1) * capital);
}

Distribution summarize(const std::vector<double>& values, bool never_as_infinity) {
  Distribution d;
  d.n = values.size();
  std::vector<double> s;
  s.reserve(values.size());
  double sum = 0.0;
  for (double v : values) {
    if (std::isfinite(v)) {
      s.push_back(v);
      sum += v;
    } else if (never_as_infinity) {
      s.push_back(kInf);
    }
  }
  d.n_defined = 0;
  for (double v : s) d.n_defined += std::isfinite(v) ? 1 : 0;
  d.mean = d.n_defined ? sum / static_cast<double>(d.n_defined) : kNaN;
  std::sort(s.begin(), s.end());
  d.p5 = quantile_inf(s, 0.05);
  d.p25 = quantile_inf(s, 0.25);
  d.p50 = quantile_inf(s, 0.50);
  d.p75 = quantile_inf(s, 0.75);
  d.p95 = quantile_inf(s, 0.95);
  return d;
}

}  // namespace hashsim::site
