#include "engine/site/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "engine/io/results_file.h"

namespace hashsim::site {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kScanPoints = 512;
constexpr double kRootTolerance = 1e-13;

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

// Horner's rule for sum_t CF_t v^t.
double npv_at_v(std::span<const double> cf, double v) {
  double f = cf.back();
  for (std::size_t t = cf.size() - 1; t-- > 0;) f = f * v + cf[t];
  return f;
}

// Scan points uniform in ln(1 + r) over [lo, hi], as (r, v = 1 / (1 + r)); the default bracket's
// table is built once.
struct ScanGrid {
  std::vector<double> r, v;
  ScanGrid(double lo, double hi) {
    const double x0 = std::log1p(lo), x1 = std::log1p(hi);
    for (std::size_t k = 0; k <= kScanPoints; ++k) {
      const double x = x0 + (x1 - x0) * static_cast<double>(k) / static_cast<double>(kScanPoints);
      r.push_back(k == 0 ? lo : k == kScanPoints ? hi : std::expm1(x));
      v.push_back(1.0 / (1.0 + r.back()));
    }
  }
};
const ScanGrid& default_grid() {
  static const ScanGrid g(kIrrLowRate, kIrrHighRate);
  return g;
}

// Root of NPV on [a, b] where NPV(a), NPV(b) have opposite signs: regula falsi with the Illinois
// modification (Dowell & Jarratt 1971: halve the stale end's value when the same end is kept
// twice), which keeps the bracket and shrinks it from both ends superlinearly; stops when the
// bracket is narrower than 1e-13 (1 + |r|). On every second iteration whose step did not halve the
// bracket a bisection step follows, so the bracket at least halves every two iterations.
double solve_bracketed(std::span<const double> cf, double a, double b, double fa, double fb) {
  int side = 0;
  for (int i = 0; i < 300 && b - a > kRootTolerance * (1.0 + std::fabs(a)); ++i) {
    const double width = b - a;
    double c = (a * fb - b * fa) / (fb - fa);
    if (!(c > a && c < b)) c = 0.5 * (a + b);
    const double fc = npv(cf, c);
    if (fc == 0.0) return c;
    if ((fc < 0) == (fb < 0)) {
      b = c;
      fb = fc;
      if (side == -1) fa *= 0.5;
      side = -1;
    } else {
      a = c;
      fa = fc;
      if (side == +1) fb *= 0.5;
      side = +1;
    }
    if (b - a > 0.5 * width && i % 2 == 1) {  // slow progress: bisect once
      const double m = 0.5 * (a + b), fm = npv(cf, m);
      if (fm == 0.0) return m;
      if ((fm < 0) == (fb < 0)) {
        b = m;
        fb = fm;
      } else {
        a = m;
        fa = fm;
      }
      side = 0;
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
  return npv_at_v(cf, 1.0 / (1.0 + rate));
}

IrrResult irr_detail(std::span<const double> cf, double lo, double hi) {
  IrrResult r;
  const int changes = sign_changes(cf);
  if (changes == 0) return r;  // every term has one sign: NPV(r) never crosses zero
  if (changes == 1) {
    const double flo = npv(cf, lo), fhi = npv(cf, hi);
    if (flo == 0.0) r.roots.push_back(lo);
    else if (fhi == 0.0) r.roots.push_back(hi);
    else if ((flo < 0) != (fhi < 0)) r.roots.push_back(solve_bracketed(cf, lo, hi, flo, fhi));
  } else {
    const bool standard = lo == kIrrLowRate && hi == kIrrHighRate;
    std::optional<ScanGrid> local;
    if (!standard) local.emplace(lo, hi);
    const ScanGrid& g = standard ? default_grid() : *local;
    // NPV at every grid point, Horner's rule run across the grid (independent lanes, so it is
    // throughput- not latency-bound).
    std::array<double, kScanPoints + 1> f;
    f.fill(cf.back());
    for (std::size_t t = cf.size() - 1; t-- > 0;) {
      const double c = cf[t];
      for (std::size_t k = 0; k <= kScanPoints; ++k) f[k] = f[k] * g.v[k] + c;
    }
    if (f[0] == 0.0) r.roots.push_back(g.r[0]);
    for (std::size_t k = 1; k <= kScanPoints; ++k) {
      if (f[k] == 0.0) r.roots.push_back(g.r[k]);
      else if (f[k - 1] != 0.0 && (f[k - 1] < 0) != (f[k] < 0))
        r.roots.push_back(solve_bracketed(cf, g.r[k - 1], g.r[k], f[k - 1], f[k]));
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
