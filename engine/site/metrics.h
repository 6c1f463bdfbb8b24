#pragma once
// Investment metrics over one cashflow vector, free functions (DESIGN.md section 5).
// Convention everywhere: cashflows[0] is today (t = 0, usually -capex) and cashflows[t] falls at
// the end of year t; rates are per year as fractions (0.08 = 8 %). Formulas: scenarios/README-site.md.
#include <optional>
#include <span>
#include <vector>

namespace hashsim::site {

// NPV(r) = sum_t CF_t / (1 + r)^t, evaluated by Horner's rule in v = 1 / (1 + r). Needs r > -1.
double npv(std::span<const double> cashflows, double rate_per_year);

// The IRR is searched on the bracket (kIrrLowRate, kIrrHighRate) = (-99 %, +1000 %) per year.
inline constexpr double kIrrLowRate = -0.99;
inline constexpr double kIrrHighRate = 10.0;

enum class IrrStatus : int { Unique = 0, NoRoot = 1, Multiple = 2 };
struct IrrResult {
  IrrStatus status = IrrStatus::NoRoot;
  std::vector<double> roots;  // every root found in the bracket, ascending
};

// All roots of NPV(r) = 0 in (lo, hi).
// Descartes' rule of signs in v = 1/(1+r) bounds the number of roots r > -1 by the number of sign
// changes of the cashflow sequence. With one change the root (if any in the bracket) is
// bracketed by the end points; with more, NPV is sampled at 513 points uniform in ln(1 + r) and
// every sign change between neighbours brackets a root (two roots closer together than the grid
// spacing, 1.4 % in 1 + r, or a double root where NPV touches zero, can be missed: documented
// limitation). Each bracket is solved by Illinois regula falsi to ~1e-13 in r.
IrrResult irr_detail(std::span<const double> cashflows, double lo = kIrrLowRate, double hi = kIrrHighRate);
// The IRR when exactly one root lies in the bracket; nullopt when none does or when several do
// (an IRR is then not a meaningful single number, so none is reported).
std::optional<double> irr(std::span<const double> cashflows, double lo = kIrrLowRate, double hi = kIrrHighRate);

// Years until the cumulative cashflow C_t = sum_{s<=t} CF_s first reaches >= 0, interpolated
// linearly inside the year it crosses: (t - 1) + (-C_{t-1}) / CF_t. 0 when CF_0 >= 0; nullopt
// ("never") if it does not happen within the cashflows given.
std::optional<double> payback_years(std::span<const double> cashflows);
// Same on discounted cashflows CF_t / (1 + r)^t.
std::optional<double> discounted_payback_years(std::span<const double> cashflows, double rate_per_year);

// ROIC = mean annual profit after straight-line recovery of the capital / capital
//      = (sum_{t=0..T} CF_t) / (T * capital). T = cashflows.size() - 1 years.
double roic(std::span<const double> cashflows, double capital);

// Distribution of one metric over paths. Undefined values (NaN: no IRR, payback never) are
// excluded from mean and quantiles unless never_as_infinity, in which case they count as +inf
// in the quantiles (so a P95 payback can honestly read "never") and are left out of the mean.
struct Distribution {
  std::size_t n = 0;          // samples offered
  std::size_t n_defined = 0;  // finite samples
  double mean = 0, p5 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0;  // NaN when nothing to summarise
  double share_undefined() const { return n ? static_cast<double>(n - n_defined) / static_cast<double>(n) : 0.0; }
};
Distribution summarize(const std::vector<double>& values, bool never_as_infinity = false);

}  // namespace hashsim::site
