#pragma once
// Order statistics shared by every summary (results file, site metrics, history scores).
#include <vector>

namespace hashsim {

// Quantile q in [0, 1] of ascending-sorted values by linear interpolation between order statistics
// (Hyndman & Fan 1996 type 7, numpy's "linear"): h = q (n - 1), x_(floor h) + (h - floor h) *
// (x_(floor h + 1) - x_(floor h)). NaN for no values. +inf entries (e.g. "never pays back") are
// honoured: the result is +inf when it lands on one or interpolates towards one with non-zero
// weight (plain interpolation would give NaN from 0 * inf or inf - inf).
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace hashsim
