#pragma once
// Calibration of the market models (engine/market) to daily history by maximum likelihood.
//
// Price, log-GBM (price_model.h) with dt = 1/365: daily log returns r are i.i.d.
//   N(a dt, sigma^2 dt),  a = mu - sigma^2/2,
// so the MLE is closed form: a = mean(r)/dt, sigma^2 = mean((r - mean r)^2)/dt; standard errors
// from the inverse Fisher information: se(a) = sigma/sqrt(n dt), se(sigma) = sigma/sqrt(2n), and
// mu = a + sigma^2/2 by the delta method, se(mu)^2 = sigma^2/(n dt) + sigma^4/(2n).
//
// Merton jumps: with N ~ Poisson(lambda dt) jumps of size N(m_J, s_J^2) a day, the density of r
// is the Poisson mixture  sum_k P(N=k) phi(r; alpha dt + k m_J, sigma^2 dt + k s_J^2),
// alpha = mu - lambda k_J - sigma^2/2, k_J = exp(m_J + s_J^2/2) - 1 (the compensator of
// price_model.h), truncated at kMaxJumpsPerDay. Maximised by Nelder-Mead; standard errors from
// the observed information (numerical Hessian of -log L) and the delta method for mu.
//
// Fees (fee_model.h): x_t = ln(fees_btc_t / blocks_t), the day's mean fee per block, follows
// x_t = c + phi x_{t-1} + omega e_t. The conditional MLE given x_0 is OLS of x_t on (1, x_{t-1})
// with omega^2 = RSS/n (Hamilton 1994, section 5.2); then m = c/(1-phi), median = e^m,
// stationary sd s = omega/sqrt(1-phi^2), standard errors by the delta method from the OLS
// covariance omega^2 (X'X)^-1 and se(omega) = omega/sqrt(2n).
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "engine/util/daily_table.h"

namespace hashsim::history {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Jumps per day kept in the Poisson mixture. With lambda dt <= 0.2 (lambda <= 73 a year) the
// dropped mass P(N > 5) is below 1e-7; the fit caps lambda at 365 a year (scenario maximum).
inline constexpr int kMaxJumpsPerDay = 5;

struct Estimate {
  double value = kNaN;
  double se = kNaN;  // asymptotic standard error
};

struct GbmFit {
  std::size_t n_returns = 0;
  double dt_years = 0.0;
  Estimate log_drift_per_year;  // a = mu - sigma^2/2
  Estimate drift_per_year;      // mu: E[S_t] = S_0 e^(mu t)
  Estimate vol_per_sqrt_year;   // sigma
  double log_likelihood = kNaN;
};

struct MertonFit {
  std::size_t n_returns = 0;
  double dt_years = 0.0;
  Estimate diffusion_log_drift_per_year;  // alpha
  Estimate drift_per_year;                // mu
  Estimate vol_per_sqrt_year;             // sigma
  Estimate intensity_per_year;            // lambda
  Estimate log_mean;                      // m_J
  Estimate log_sd;                        // s_J
  double log_likelihood = kNaN;
  int evaluations = 0;
  bool converged = false;
  bool information_ok = false;  // observed information positive definite (standard errors valid)
};

struct FeeFit {
  std::size_t n_pairs = 0;        // (x_{t-1}, x_t) pairs on consecutive days
  Estimate log_median;            // m
  Estimate median_btc_per_block;  // e^m
  Estimate log_sd;                // s, stationary sd of ln fee
  Estimate ar1_phi;               // phi
  Estimate innovation_sd;         // omega
  double sample_log_sd = kNaN;    // plain sd of x over the window, for comparison with s
};

// Daily log returns ln(S_t/S_{t-1}) of a calendar-day series of ln S; NaN marks a missing day
// and pairs touching it are skipped.
std::vector<double> daily_log_returns(const std::vector<double>& log_level);

GbmFit fit_gbm(const std::vector<double>& log_returns, double dt_years);
double merton_log_likelihood(const std::vector<double>& log_returns, double dt_years, double alpha,
                             double sigma, double lambda, double jump_mean, double jump_sd);
MertonFit fit_merton(const std::vector<double>& log_returns, double dt_years);
// x: calendar-day series of ln fee per block; NaN marks a missing day.
FeeFit fit_fees(const std::vector<double>& log_fee_per_block);

struct CalibrationOptions {
  std::string from, to;  // inclusive window; "" = first / last date of the data
  bool fit_price = true;
  bool fit_jumps = false;
  bool fit_fees = true;
};

struct Calibration {
  std::string data_file;
  std::string from, to;  // actual first / last date used
  std::size_t calendar_days = 0;
  std::size_t missing_price_days = 0;  // no row or blank price inside the window
  std::size_t missing_fee_days = 0;
  bool has_price = false, has_jumps = false, has_fees = false;
  GbmFit gbm;
  MertonFit merton;
  FeeFit fees;
};

// Reads price (price_usd or PriceUSD) and fees (fees_btc / blocks, or FeeTotNtv / BlkCnt) over
// the window and fits the models asked for. Throws Error for missing columns, malformed values,
// a window outside the data, or too few observations.
Calibration calibrate(const DailyTable& table, const CalibrationOptions& options);

// Human-readable table of the estimates with standard errors.
std::string calibration_report(const Calibration& c);
// YAML fragment with `price:` and/or `fees:` sections in the scenario's keys (engine/scenario),
// commented with the window, the data file and the standard errors.
std::string calibration_yaml(const Calibration& c, const std::string& command_line);

}  // namespace hashsim::history
