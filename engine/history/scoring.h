#pragma once
// Forecast-scoring metrics and naive baselines (pure functions; `hashsim score` in score.h runs
// them over rolling origins). All scores are of log values (ln TH/s, ln USD/TH/day): a log error
// of 0.05 is a 5 % miss whatever the level.
//
// Per forecast day with truth y (log) and an ensemble x_1..x_m (log, one value per path):
//   error        e = median(x) - y                    (positive: forecast too high)
//   CRPS         = (1/m) sum_i |x_i - y| - (1/(2 m^2)) sum_i sum_j |x_i - x_j|
//                  (the empirical-distribution CRPS, Gneiting & Raftery 2007 eq. 21; for m = 1
//                  it is |x - y|, so a point forecast's CRPS is its absolute error). Against a
//                  continuous predictive F its expectation is CRPS(F, y) + E|X - X'| / (2m): for a
//                  normal F that bias is sigma / (m sqrt(pi)).
//   band         y inside [q_lo, q_hi] of the ensemble (quantiles by linear interpolation of the
//                order statistics, as summaries in engine/io), for P5-P95 and P25-P75
//   PIT          the rank of y among the members as an interval: with b = #{x_i < y} and
//                t = #{x_i = y}, y is uniform on [b/(m+1), (b+t+1)/(m+1)] (the randomised PIT of an
//                ensemble, Gneiting, Balabdaoui & Raftery 2007), spread over 10 equal bins by
//                overlap (deterministic): a calibrated ensemble gives a flat histogram for any m.
// Summaries over a set of days (the days 1..H of one origin, or of all origins pooled): median
// |e|, bias = mean e, mean CRPS, the share of days inside each band, the PIT histogram.
#include <array>
#include <cstddef>
#include <vector>

namespace hashsim::history::scoring {

inline constexpr int kPitBins = 10;

// Empirical-distribution CRPS of `members` against y (the members need not be sorted).
double crps_ensemble(std::vector<double> members, double y);
// Closed form for a normal predictive N(mu, sigma^2), sigma > 0 (Gneiting & Raftery 2007 eq. 5):
// sigma [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)], z = (y - mu) / sigma.
double crps_normal(double mu, double sigma, double y);
// The PIT interval [lo, hi] of y among sorted members (above).
struct PitInterval {
  double lo = 0.0, hi = 0.0;
};
PitInterval pit(const std::vector<double>& sorted, double y);

// One scored day of one forecaster.
struct DayScore {
  double log_error = 0.0;  // median forecast - truth (logs)
  double crps = 0.0;
  bool has_bands = false;  // false for point forecasts (baselines)
  bool in_p5_p95 = false, in_p25_p75 = false;
  PitInterval pit{};
};

// Scores an ensemble (log values, any order) against the truth y (log).
DayScore score_ensemble(std::vector<double> members, double y);
// A point forecast (log): CRPS = |e|, no bands, no PIT.
DayScore score_point(double forecast, double y);

struct Summary {
  std::size_t days = 0;
  double median_abs_log_error = 0.0;
  double bias_mean_log_error = 0.0;
  double crps_mean = 0.0;
  double coverage_p5_p95 = 0.0;                  // NaN for point forecasts
  double coverage_p25_p75 = 0.0;                 // NaN for point forecasts
  std::array<double, kPitBins> pit_histogram{};  // shares summing to 1; NaN for point forecasts
};

// Throws Error for an empty set.
Summary summarise(const std::vector<DayScore>& days);

// Baselines (log values; day 0 = the origin). Each returns forecasts for days 1..n.
// Persistence: the value on the origin day.
std::vector<double> persistence_forecast(double log_at_origin, int n);
// Trailing trend: OLS of log value on day over `history` (the last len days, the last one the
// origin), extrapolated. Throws Error for fewer than 2 points.
std::vector<double> trend_forecast(const std::vector<double>& history, int n);

// Price elasticity: OLS of ln H_t on (1, ln P_{t-L}) over the training days, giving the
// elasticity b; the forecast is anchored at the origin: ln H_{o+d} = ln H_o + b (ln P_{o+d-L} -
// ln P_{o-L}). `log_hashrate` and `log_price_lagged` are aligned (element t is ln H_t and
// ln P_{t-L}); throws Error for fewer than 10 pairs or a constant price.
double fit_price_elasticity(const std::vector<double>& log_hashrate,
                            const std::vector<double>& log_price_lagged);

}  // namespace hashsim::history::scoring
