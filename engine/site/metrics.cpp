#include "engine/site/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/util/stats.h"

namespace hashsim::site {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kDoubleRootTolerance = 1e-12;  // |P(c)| against sum |a_i| c^i at a critical point
constexpr double kSameRoot = 1e-9;              // roots closer than this (relative, in v) are one

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

// A polynomial a_0 + a_1 v + ... + a_n v^n with a_0 != 0 and a_n != 0, evaluated so that it never
// overflows: for v <= 1 Horner in v; for v > 1 the reversed polynomial at 1/v, which is
// P(v) / v^n: the same sign and the same zeros on v > 0.
struct Poly {
  std::vector<double> a;
  int degree() const { return static_cast<int>(a.size()) - 1; }
  // Value scaled as above, and the same scaling of sum |a_i| v^i (the rounding scale).
  void eval(double v, double& value, double& size) const {
    value = 0.0;
    size = 0.0;
    if (v <= 1.0) {
      for (std::size_t i = a.size(); i-- > 0;) {
        value = value * v + a[i];
        size = size * v + std::fabs(a[i]);
      }
    } else {
      const double w = 1.0 / v;
      for (double x : a) {
        value = value * w + x;
        size = size * w + std::fabs(x);
      }
    }
  }
  double sign_value(double v) const {
    double f, s;
    eval(v, f, s);
    return f;
  }
};

// The root of p on (lo, hi) where p changes sign, by bisection in ln v down to adjacent doubles
// (every step keeps the sign change, so it cannot fail or leave the interval).
double bisect(const Poly& p, double lo, double hi, double flo) {
  double xa = std::log(lo), xb = std::log(hi);
  for (int i = 0; i < 200; ++i) {
    const double xm = 0.5 * (xa + xb);
    if (!(xm > xa && xm < xb)) break;
    const double fm = p.sign_value(std::exp(xm));
    if (fm == 0.0) return std::exp(xm);
    if ((fm < 0) == (flo < 0)) {
      xa = xm;
      flo = fm;
    } else {
      xb = xm;
    }
  }
  return std::exp(0.5 * (xa + xb));
}

// Every positive root of p in (lo, hi), ascending (the Rolle recursion described in metrics.h).
std::vector<double> positive_roots(const Poly& p, double lo, double hi) {
  std::vector<double> roots;
  if (p.degree() < 1) return roots;
  if (p.degree() == 1) {
    const double v = -p.a[0] / p.a[1];
    if (v > lo && v < hi) roots.push_back(v);
    return roots;
  }
  Poly d;
  for (int i = 1; i <= p.degree(); ++i)
    d.a.push_back(static_cast<double>(i) * p.a[static_cast<std::size_t>(i)]);
  // d may start with zeros (a_1 = 0): a root at v = 0 is outside (lo, hi); drop them.
  std::size_t k = 0;
  while (k + 1 < d.a.size() && d.a[k] == 0.0) ++k;
  d.a.erase(d.a.begin(), d.a.begin() + static_cast<std::ptrdiff_t>(k));
  const std::vector<double> crit = positive_roots(d, lo, hi);
  std::vector<double> pts{lo};
  pts.insert(pts.end(), crit.begin(), crit.end());
  pts.push_back(hi);
  std::vector<double> f(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i) f[i] = p.sign_value(pts[i]);
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    if (f[i] != 0.0 && f[i + 1] != 0.0 && (f[i] < 0) != (f[i + 1] < 0))
      roots.push_back(bisect(p, pts[i], pts[i + 1], f[i]));
  }
  for (double c :
       crit) {  // a critical point where P vanishes: a root of even multiplicity (or exact)
    double value, size;
    p.eval(c, value, size);
    if (std::fabs(value) <= kDoubleRootTolerance * size) roots.push_back(c);
  }
  std::sort(roots.begin(), roots.end());
  std::vector<double> out;
  for (double r : roots)
    if (out.empty() || r - out.back() > kSameRoot * r) out.push_back(r);
  return out;
}

}  // namespace

double npv(std::span<const double> cf, double rate) {
  if (cf.empty()) return 0.0;
  const double v = 1.0 / (1.0 + rate);
  double f = cf.back();
  for (std::size_t t = cf.size() - 1; t-- > 0;) f = f * v + cf[t];
  return f;
}

IrrResult irr_detail(std::span<const double> cf) {
  IrrResult r;
  const int changes = sign_changes(cf);
  if (changes == 0) return r;  // every term has one sign: NPV(r) never crosses zero
  // Trim: trailing zeros lower the degree; leading zeros are a factor v^k (root v = 0, r = inf).
  std::size_t first = 0, last = cf.size();
  while (cf[first] == 0.0) ++first;
  while (cf[last - 1] == 0.0) --last;
  Poly p;
  p.a.assign(cf.begin() + static_cast<std::ptrdiff_t>(first),
             cf.begin() + static_cast<std::ptrdiff_t>(last));
  // Cauchy's bound: every root has |v| < 1 + max_{i<n} |a_i / a_n|; on the reversed polynomial it
  // gives |v| > 1 / (1 + max_{i>0} |a_i / a_0|). Widened by 2 so the roots lie strictly inside.
  const double an = std::fabs(p.a.back()), a0 = std::fabs(p.a.front());
  double up = 0.0, down = 0.0;
  for (std::size_t i = 0; i + 1 < p.a.size(); ++i) up = std::max(up, std::fabs(p.a[i]) / an);
  for (std::size_t i = 1; i < p.a.size(); ++i) down = std::max(down, std::fabs(p.a[i]) / a0);
  const double hi = 2.0 * (1.0 + up), lo = 0.5 / (1.0 + down);
  std::vector<double> v;
  if (changes ==
      1) {  // Descartes: exactly one positive root, and P has opposite signs at lo and hi
    const double flo = p.sign_value(lo), fhi = p.sign_value(hi);
    if (flo != 0.0 && fhi != 0.0 && (flo < 0) != (fhi < 0)) v.push_back(bisect(p, lo, hi, flo));
  } else {
    v = positive_roots(p, lo, hi);
  }
  for (double x : v) r.roots.push_back(1.0 / x - 1.0);
  std::sort(r.roots.begin(), r.roots.end());
  r.status = r.roots.empty()       ? IrrStatus::NoRoot
             : r.roots.size() == 1 ? IrrStatus::Unique
                                   : IrrStatus::Multiple;
  return r;
}

std::optional<double> irr(std::span<const double> cf) {
  IrrResult r = irr_detail(cf);
  if (r.status != IrrStatus::Unique) return std::nullopt;
  return r.roots.front();
}

double mirr(std::span<const double> cf, double finance_rate, double reinvest_rate) {
  if (cf.size() < 2) return kNaN;
  const auto Y = static_cast<double>(cf.size() - 1);
  double pv_neg = 0.0, fv_pos = 0.0;
  for (std::size_t t = 0; t < cf.size(); ++t) {
    const double td = static_cast<double>(t);
    if (cf[t] < 0)
      pv_neg += -cf[t] / std::pow(1.0 + finance_rate, td);
    else
      fv_pos += cf[t] * std::pow(1.0 + reinvest_rate, Y - td);
  }
  if (!(pv_neg > 0.0)) return kNaN;
  return std::pow(fv_pos / pv_neg, 1.0 / Y) - 1.0;
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

double roic(std::span<const double> cf, double capex) {
  if (cf.size() < 2 || !(capex > 0.0)) return kNaN;
  double sum = 0.0;
  for (std::size_t t = 1; t < cf.size(); ++t) sum += cf[t];
  return sum / (static_cast<double>(cf.size() - 1) * capex);
}

double roic_on_invested(std::span<const double> cf, double invested) {
  if (cf.size() < 2 || !(invested > 0.0)) return kNaN;
  double sum = 0.0;
  for (double x : cf) sum += x;
  return sum / (static_cast<double>(cf.size() - 1) * invested);
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
  d.p5 = quantile_sorted(s, 0.05);
  d.p25 = quantile_sorted(s, 0.25);
  d.p50 = quantile_sorted(s, 0.50);
  d.p75 = quantile_sorted(s, 0.75);
  d.p95 = quantile_sorted(s, 0.95);
  return d;
}

Risk risk_of(const std::vector<double>& npv_values) {
  Risk r;
  std::vector<double> s;
  for (double v : npv_values)
    if (std::isfinite(v)) s.push_back(v);
  if (s.empty()) return {kNaN, kNaN, kNaN};
  std::sort(s.begin(), s.end());
  r.npv_p5 = quantile_sorted(s, 0.05);
  const auto k = static_cast<std::size_t>(std::ceil(0.05 * static_cast<double>(s.size())));
  double tail = 0.0;
  for (std::size_t i = 0; i < k; ++i) tail += s[i];
  r.expected_shortfall = tail / static_cast<double>(k);
  r.p_loss =
      static_cast<double>(std::count_if(s.begin(), s.end(), [](double v) { return v < 0.0; })) /
      static_cast<double>(s.size());
  return r;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, 0.5);
}

}  // namespace hashsim::site
