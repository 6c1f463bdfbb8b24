#pragma once
// Investment metrics over one cashflow vector, free functions (DESIGN.md section 5).
// Convention everywhere: cashflows[0] is today (t = 0, usually -capex) and cashflows[t] falls at
// the end of year t; rates are per year as fractions (0.08 = 8 %). Formulas:
// scenarios/README-site.md.
#include <optional>
#include <span>
#include <vector>

namespace hashsim::site {

// NPV(r) = sum_t CF_t / (1 + r)^t, evaluated by Horner's rule in v = 1 / (1 + r). Needs r > -1.
double npv(std::span<const double> cashflows, double rate_per_year);

enum class IrrStatus : int { Unique = 0, NoRoot = 1, Multiple = 2 };
struct IrrResult {
  IrrStatus status = IrrStatus::NoRoot;
  std::vector<double> roots;  // every real root r in (-1, +inf), ascending
};

// Every real root of NPV(r) = 0 with r > -1, i.e. every positive real root v of the polynomial
// P(v) = sum_t CF_t v^t (v = 1 / (1 + r) maps (-1, inf) onto (0, inf)); no search bracket.
// Descartes' rule of signs: 0 sign changes -> no root; 1 -> exactly one positive root, solved by
// bisection in ln v between Cauchy's bounds on the positive roots. More changes: the positive roots
// of P are separated by those of P' (Rolle), so the roots of P', found recursively down to a
// linear polynomial, cut (0, inf) into intervals on which P is monotone; each interval holds at
// most one root, found by bisection where P changes sign, and a critical point where P vanishes to
// rounding is a double root. Exact up to floating-point rounding; no grid to slip between.
IrrResult irr_detail(std::span<const double> cashflows);
// The IRR when exactly one root exists; nullopt when none does or when several do (an IRR is then
// not a meaningful single number; see mirr).
std::optional<double> irr(std::span<const double> cashflows);

// Modified IRR (always defined when the cashflows have both signs): negative flows discounted to
// t = 0 at finance_rate, positive flows compounded to t = Y at reinvest_rate,
// MIRR = (FV+ / PV-)^(1/Y) - 1. -1 (i.e. -100 %) when nothing comes back; NaN when nothing is
// invested or Y = 0.
double mirr(std::span<const double> cashflows, double finance_rate, double reinvest_rate);

// Years until the cumulative cashflow C_t = sum_{s<=t} CF_s first reaches >= 0, interpolated
// linearly inside the year it crosses: (t - 1) + (-C_{t-1}) / CF_t. 0 when CF_0 >= 0; nullopt
// ("never") if it does not happen within the cashflows given.
std::optional<double> payback_years(std::span<const double> cashflows);
// Same on discounted cashflows CF_t / (1 + r)^t.
std::optional<double> discounted_payback_years(std::span<const double> cashflows,
                                               double rate_per_year);

// ROIC as the user's spec defines it: average(annual_profit_t) / capex_miners, with annual profit
// the year's cashflow CF_t for t = 1..Y (operating cash, the resale counted in year Y):
// ROIC = (sum_{t=1..Y} CF_t) / (Y capex). NaN when capex <= 0 or Y = 0.
double roic(std::span<const double> cashflows, double capex);
// For plays whose money goes in over time (buy BTC with DCA, index, bond): the mean annual gain
// over all the money put in, (sum_{t=0..Y} CF_t) / (Y invested). NaN when invested <= 0.
double roic_on_invested(std::span<const double> cashflows, double invested);

// Distribution of one metric over paths. Undefined values (NaN: no IRR, payback never) are
// excluded from mean and quantiles unless never_as_infinity, in which case they count as +inf
// in the quantiles (so a P95 payback can honestly read "never") and are left out of the mean.
struct Distribution {
  std::size_t n = 0;                                            // samples offered
  std::size_t n_defined = 0;                                    // finite samples
  double mean = 0, p5 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0;  // NaN when nothing to summarise
  double share_undefined() const {
    return n ? static_cast<double>(n - n_defined) / static_cast<double>(n) : 0.0;
  }
};
Distribution summarize(const std::vector<double>& values, bool never_as_infinity = false);

// Risk of an NPV sample: VaR at 95 % read as the 5th percentile NPV (linear interpolation between
// order statistics), expected shortfall = mean of the worst k = ceil(0.05 n) NPVs, and
// P(loss) = share of NPV < 0.
struct Risk {
  double npv_p5 = 0, expected_shortfall = 0, p_loss = 0;
};
Risk risk_of(const std::vector<double>& npv_values);

// Median of a sample (linear interpolation, numpy "linear"); NaN when empty.
double median_of(std::vector<double> values);

}  // namespace hashsim::site
