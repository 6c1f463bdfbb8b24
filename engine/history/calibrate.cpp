#include "engine/history/calibrate.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "engine/history/optimize.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/units.h"

namespace hashsim::history {

namespace {

constexpr std::size_t kMinReturns = 30;
constexpr double kMaxIntensityPerYear = 365.0;

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

double log_normal_pdf(double x, double mean, double var) {
  const double d = x - mean;
  return -0.5 * (std::log(2.0 * std::numbers::pi * var) + d * d / var);
}

}  // namespace

std::vector<double> daily_log_returns(const std::vector<double>& log_level) {
  std::vector<double> r;
  for (std::size_t i = 1; i < log_level.size(); ++i)
    if (!std::isnan(log_level[i]) && !std::isnan(log_level[i - 1]))
      r.push_back(log_level[i] - log_level[i - 1]);
  return r;
}

GbmFit fit_gbm(const std::vector<double>& r, double dt) {
  if (r.size() < kMinReturns)
    throw Error("price fit needs at least " + std::to_string(kMinReturns) +
                " daily returns, the window has " + std::to_string(r.size()));
  const auto n = static_cast<double>(r.size());
  double mean = 0.0;
  for (double x : r) mean += x;
  mean /= n;
  double var = 0.0;
  for (double x : r) var += (x - mean) * (x - mean);
  var /= n;
  GbmFit f;
  f.n_returns = r.size();
  f.dt_years = dt;
  const double sigma = std::sqrt(var / dt);
  f.vol_per_sqrt_year = {sigma, sigma / std::sqrt(2.0 * n)};
  f.log_drift_per_year = {mean / dt, sigma / std::sqrt(n * dt)};
  f.drift_per_year = {mean / dt + 0.5 * sigma * sigma,
                      std::sqrt(sigma * sigma / (n * dt) + std::pow(sigma, 4) / (2.0 * n))};
  f.log_likelihood = -0.5 * n * (std::log(2.0 * std::numbers::pi * var) + 1.0);
  return f;
}

double merton_log_likelihood(const std::vector<double>& r, double dt, double alpha, double sigma,
                             double lambda, double jump_mean, double jump_sd) {
  constexpr int K = kMaxJumpsPerDay;
  double log_p[K + 1], mean[K + 1], var[K + 1];
  const double mu_n = lambda * dt;
  for (int k = 0; k <= K; ++k) {
    log_p[k] = -mu_n + k * std::log(mu_n) - std::lgamma(k + 1.0);
    mean[k] = alpha * dt + k * jump_mean;
    var[k] = sigma * sigma * dt + k * jump_sd * jump_sd;
  }
  double ll = 0.0;
  for (double x : r) {
    double terms[K + 1];
    double top = -std::numeric_limits<double>::infinity();
    for (int k = 0; k <= K; ++k) {
      terms[k] = log_p[k] + log_normal_pdf(x, mean[k], var[k]);
      top = std::max(top, terms[k]);
    }
    double s = 0.0;
    for (int k = 0; k <= K; ++k) s += std::exp(terms[k] - top);
    ll += top + std::log(s);
  }
  return ll;
}

MertonFit fit_merton(const std::vector<double>& r, double dt) {
  const GbmFit g = fit_gbm(r, dt);
  const double sigma0 = g.vol_per_sqrt_year.value;
  // Optimised in u = (alpha, ln sigma, ln lambda, m_J, ln s_J) so the positivity constraints hold;
  // lambda above the scenario maximum is outside the admissible region.
  const auto natural = [](const Eigen::VectorXd& u) {
    Eigen::VectorXd t(5);
    t << u(0), std::exp(u(1)), std::exp(u(2)), u(3), std::exp(u(4));
    return t;
  };
  const auto neg_ll_natural = [&](const Eigen::VectorXd& t) {
    if (t(1) <= 0.0 || t(2) <= 0.0 || t(4) <= 0.0 || t(2) > kMaxIntensityPerYear)
      return std::numeric_limits<double>::infinity();
    return -merton_log_likelihood(r, dt, t(0), t(1), t(2), t(3), t(4));
  };
  const Objective neg_ll = [&](const Eigen::VectorXd& u) { return neg_ll_natural(natural(u)); };

  Eigen::VectorXd step(5);
  step << 0.5, 0.2, 0.7, 0.02, 0.3;
  MinimizeResult best;
  best.value = std::numeric_limits<double>::infinity();
  int evaluations = 0;
  for (double lambda0 : {5.0, 20.0, 60.0}) {
    Eigen::VectorXd u0(5);
    u0 << g.log_drift_per_year.value, std::log(0.8 * sigma0), std::log(lambda0), 0.0,
        std::log(4.0 * sigma0 * std::sqrt(dt));
    MinimizeResult m = nelder_mead(neg_ll, u0, step);
    evaluations += m.evaluations;
    // Restart from the optimum with a fresh simplex until it stops improving (Nelder-Mead can
    // stall on a collapsed simplex).
    for (int restart = 0; restart < 4; ++restart) {
      MinimizeResult again = nelder_mead(neg_ll, m.x, 0.2 * step);
      evaluations += again.evaluations;
      const bool improved = again.value < m.value - 1e-7;
      if (again.value < m.value)
        m = again;
      else
        m.converged = again.converged;
      if (!improved) break;
    }
    if (m.value < best.value) best = m;
  }

  MertonFit f;
  f.n_returns = r.size();
  f.dt_years = dt;
  f.evaluations = evaluations;
  f.converged = best.converged;
  f.log_likelihood = -best.value;
  const Eigen::VectorXd t = natural(best.x);
  const double lambda = t(2), m_j = t(3), s_j = t(4), sigma = t(1);
  const double growth = std::exp(m_j + 0.5 * s_j * s_j);  // E[e^Y]
  const double mu = t(0) + 0.5 * sigma * sigma + lambda * (growth - 1.0);

  // Observed information in the natural parameters; steps scale with each parameter's size.
  Eigen::VectorXd h(5);
  for (int i = 0; i < 5; ++i) h(i) = 1e-4 * std::max(std::abs(t(i)), 1e-2);
  const Eigen::MatrixXd info = numerical_hessian(neg_ll_natural, t, h);
  Eigen::LLT<Eigen::MatrixXd> llt(info);
  Eigen::VectorXd se = Eigen::VectorXd::Constant(5, kNaN);
  double se_mu = kNaN;
  if (llt.info() == Eigen::Success) {
    const Eigen::MatrixXd cov = llt.solve(Eigen::MatrixXd::Identity(5, 5));
    se = cov.diagonal().cwiseSqrt();
    Eigen::VectorXd grad(5);  // d mu / d (alpha, sigma, lambda, m_J, s_J)
    grad << 1.0, sigma, growth - 1.0, lambda * growth, lambda * growth * s_j;
    se_mu = std::sqrt(grad.dot(cov * grad));
    f.information_ok = true;
  }
  f.diffusion_log_drift_per_year = {t(0), se(0)};
  f.vol_per_sqrt_year = {sigma, se(1)};
  f.intensity_per_year = {lambda, se(2)};
  f.log_mean = {m_j, se(3)};
  f.log_sd = {s_j, se(4)};
  f.drift_per_year = {mu, se_mu};
  return f;
}

FeeFit fit_fees(const std::vector<double>& x) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(x[i - 1])) continue;
    n += 1;
    sx += x[i - 1];
    sy += x[i];
    sxx += x[i - 1] * x[i - 1];
    sxy += x[i - 1] * x[i];
  }
  if (n < static_cast<double>(kMinReturns))
    throw Error("fee fit needs at least " + std::to_string(kMinReturns) +
                " pairs of consecutive days with fees, the window has " +
                std::to_string(static_cast<long>(n)));
  const double det = n * sxx - sx * sx;
  if (!(det > 0.0))
    throw Error(
        "fee fit: log fees per block are constant over the window; AR(1) is not identified");
  const double phi = (n * sxy - sx * sy) / det;
  const double c = (sy - phi * sx) / n;
  double rss = 0.0;
  for (std::size_t i = 1; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(x[i - 1])) continue;
    const double e = x[i] - c - phi * x[i - 1];
    rss += e * e;
  }
  const double omega2 = rss / n;
  const double omega = std::sqrt(omega2);
  if (!(std::abs(phi) < 1.0))
    throw Error(
        "fee fit: ar1_phi = " + fmt("%.4f", phi) +
        " is not in (-1, 1): log fees are not stationary over the window; choose another window");
  // OLS covariance of (c, phi): omega^2 (X'X)^-1, X'X = [[n, sx], [sx, sxx]].
  const double var_c = omega2 * sxx / det;
  const double var_phi = omega2 * n / det;
  const double cov_c_phi = -omega2 * sx / det;
  const double var_omega = omega2 / (2.0 * n);

  FeeFit f;
  f.n_pairs = static_cast<std::size_t>(n);
  const double m = c / (1.0 - phi);
  const double dm_dc = 1.0 / (1.0 - phi), dm_dphi = c / ((1.0 - phi) * (1.0 - phi));
  const double se_m = std::sqrt(dm_dc * dm_dc * var_c + 2.0 * dm_dc * dm_dphi * cov_c_phi +
                                dm_dphi * dm_dphi * var_phi);
  const double one_minus_phi2 = 1.0 - phi * phi;
  const double s = omega / std::sqrt(one_minus_phi2);
  const double ds_domega = 1.0 / std::sqrt(one_minus_phi2);
  const double ds_dphi = omega * phi / std::pow(one_minus_phi2, 1.5);
  f.log_median = {m, se_m};
  f.median_btc_per_block = {std::exp(m), std::exp(m) * se_m};
  f.ar1_phi = {phi, std::sqrt(var_phi)};
  f.innovation_sd = {omega, std::sqrt(var_omega)};
  f.log_sd = {s, std::sqrt(ds_domega * ds_domega * var_omega + ds_dphi * ds_dphi * var_phi)};

  double cnt = 0, mean = 0, m2 = 0;
  for (double v : x) {
    if (std::isnan(v)) continue;
    cnt += 1;
    const double d = v - mean;
    mean += d / cnt;
    m2 += d * (v - mean);
  }
  f.sample_log_sd = cnt > 1 ? std::sqrt(m2 / (cnt - 1)) : kNaN;
  return f;
}

Calibration calibrate(const DailyTable& table, const CalibrationOptions& o) {
  const RowRange w = table.window(o.from, o.to);
  Calibration c;
  c.data_file = table.path().string();
  c.from = table.date(w.begin);
  c.to = table.date(w.end - 1);
  const std::int64_t day0 = table.day(w.begin);
  c.calendar_days = static_cast<std::size_t>(table.day(w.end - 1) - day0 + 1);
  constexpr double dt = 1.0 / units::kDaysPerYear;  // the price model's step (price_model.h)

  const auto calendar_index = [&](std::size_t row) {
    return static_cast<std::size_t>(table.day(row) - day0);
  };
  const auto count_missing = [](const std::vector<double>& v) {
    return static_cast<std::size_t>(
        std::count_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }));
  };

  if (o.fit_price) {
    const std::size_t col = table.column({"price_usd", "PriceUSD"});
    std::vector<double> log_price(c.calendar_days, kNaN);
    for (std::size_t i = w.begin; i < w.end; ++i) {
      if (table.blank(i, col)) continue;
      const double p = table.number(i, col);
      if (!(p > 0.0))
        throw Error(table.where(i) + ": column '" + table.column_name(col) + "' must be > 0");
      log_price[calendar_index(i)] = std::log(p);
    }
    c.missing_price_days = count_missing(log_price);
    const std::vector<double> r = daily_log_returns(log_price);
    c.gbm = fit_gbm(r, dt);
    c.has_price = true;
    if (o.fit_jumps) {
      c.merton = fit_merton(r, dt);
      c.has_jumps = true;
    }
  }
  if (o.fit_fees) {
    const std::size_t fee_col = table.column({"fees_btc", "FeeTotNtv"});
    const std::size_t blocks_col = table.column({"blocks", "BlkCnt"});
    std::vector<double> log_fee(c.calendar_days, kNaN);
    for (std::size_t i = w.begin; i < w.end; ++i) {
      if (table.blank(i, fee_col) || table.blank(i, blocks_col)) continue;
      const double fees = table.number(i, fee_col);
      const double blocks = table.number(i, blocks_col);
      if (!(fees > 0.0) || !(blocks > 0.0))
        throw Error(table.where(i) + ": fees per block need " + table.column_name(fee_col) +
                    " > 0 and " + table.column_name(blocks_col) + " > 0 (found " + fmt("%g", fees) +
                    " and " + fmt("%g", blocks) + ")");
      log_fee[calendar_index(i)] = std::log(fees / blocks);
    }
    c.missing_fee_days = count_missing(log_fee);
    c.fees = fit_fees(log_fee);
    c.has_fees = true;
  }
  return c;
}

namespace {
std::string row(const std::string& name, const Estimate& e, const std::string& unit) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-28s %12.6g  (se %.3g)  %s\n", name.c_str(), e.value, e.se,
                unit.c_str());
  return buf;
}
}  // namespace

std::string calibration_report(const Calibration& c) {
  std::string s = "fit window " + c.from + ".." + c.to + " (" + std::to_string(c.calendar_days) +
                  " days), data " + c.data_file + "\n";
  if (c.has_price) {
    s += "price, log-GBM MLE on " + std::to_string(c.gbm.n_returns) +
         " daily log returns, dt = 1/365";
    s += c.missing_price_days
             ? " (" + std::to_string(c.missing_price_days) + " days without price skipped)\n"
             : "\n";
    s += row("drift_per_year (mu)", c.gbm.drift_per_year, "1/year, E[S_t] = S_0 e^(mu t)");
    s += row("log_drift_per_year", c.gbm.log_drift_per_year, "1/year, mu - sigma^2/2");
    s += row("vol_per_sqrt_year (sigma)", c.gbm.vol_per_sqrt_year, "1/sqrt(year)");
    s += "  log-likelihood " + fmt("%.3f", c.gbm.log_likelihood) + "\n";
  }
  if (c.has_jumps) {
    const MertonFit& m = c.merton;
    s += "price, GBM + Merton jumps MLE (Poisson mixture truncated at " +
         std::to_string(kMaxJumpsPerDay) + " jumps/day), " + std::to_string(m.evaluations) +
         " evaluations" + (m.converged ? "" : ", NOT CONVERGED") +
         (m.information_ok ? "" : ", information not positive definite") + "\n";
    s += row("drift_per_year (mu)", m.drift_per_year, "1/year, compensated: E[S_t] = S_0 e^(mu t)");
    s += row("vol_per_sqrt_year (sigma)", m.vol_per_sqrt_year, "1/sqrt(year), diffusion part");
    s += row("jumps.intensity_per_year", m.intensity_per_year, "jumps/year");
    s += row("jumps.log_mean", m.log_mean, "log jump size mean");
    s += row("jumps.log_sd", m.log_sd, "log jump size sd");
    s += "  log-likelihood " + fmt("%.3f", m.log_likelihood) + " (GBM " +
         fmt("%.3f", c.gbm.log_likelihood) + "; LR statistic " +
         fmt("%.1f", 2.0 * (m.log_likelihood - c.gbm.log_likelihood)) + ")\n";
  }
  if (c.has_fees) {
    const FeeFit& f = c.fees;
    s += "fees, lognormal AR(1) on ln(fees_btc/blocks), conditional MLE (OLS) on " +
         std::to_string(f.n_pairs) + " day pairs";
    s += c.missing_fee_days
             ? " (" + std::to_string(c.missing_fee_days) + " days without fees skipped)\n"
             : "\n";
    s += row("median_btc_per_block", f.median_btc_per_block, "BTC, e^m");
    s += row("log_sd", f.log_sd,
             "stationary sd of ln fee (sample sd " + fmt("%.4g", f.sample_log_sd) + ")");
    s += row("ar1_phi", f.ar1_phi, "daily persistence");
    s += row("innovation_sd", f.innovation_sd, "omega = s sqrt(1 - phi^2)");
  }
  return s;
}

std::string calibration_yaml(const Calibration& c, const std::string& command_line) {
  const auto num = [](double v) { return fmt("%.6g", v); };
  // "<indent>key: value  # se x" for one estimate.
  const auto entry = [&](const char* indented_key, const Estimate& e) {
    return std::string(indented_key) + ": " + num(e.value) + "  # se " + fmt("%.3g", e.se) + "\n";
  };
  std::string y;
  y += "# Calibrated by hashsim calibrate over " + c.from + ".." + c.to + " (" +
       std::to_string(c.calendar_days) + " days)\n";
  y += "# data: " + c.data_file + " (sources and licences: data/history/README.md)\n";
  if (!command_line.empty()) y += "# command: " + command_line + "\n";
  y += "# Paste into a scenario; se = asymptotic standard error of the estimate.\n";
  if (c.has_price) {
    y += "price:\n  model: gbm\n";
    const bool jumps = c.has_jumps;
    y += "  # log-GBM" + std::string(jumps ? " + Merton jumps" : "") + ", MLE on " +
         std::to_string(c.gbm.n_returns) +
         " daily log returns (dt = 1/365); drift_per_year = mu, E[S_t] = S_0 e^(mu t)\n";
    y += entry("  drift_per_year", jumps ? c.merton.drift_per_year : c.gbm.drift_per_year);
    y += entry("  vol_per_sqrt_year", jumps ? c.merton.vol_per_sqrt_year : c.gbm.vol_per_sqrt_year);
    if (jumps) {
      y += "  jumps:\n";
      y += entry("    intensity_per_year", c.merton.intensity_per_year);
      y += entry("    log_mean", c.merton.log_mean);
      y += entry("    log_sd", c.merton.log_sd);
    } else {
      y += "  jumps: {intensity_per_year: 0, log_mean: 0, log_sd: 0}\n";
    }
  }
  if (c.has_fees) {
    const FeeFit& f = c.fees;
    y += "fees:\n  model: lognormal\n";
    y += "  # ln(fees_btc/blocks) AR(1), conditional MLE on " + std::to_string(f.n_pairs) +
         " consecutive-day pairs\n";
    y += entry("  median_btc_per_block", f.median_btc_per_block);
    y += entry("  log_sd", f.log_sd);
    // The scenario accepts ar1_phi in [0, 0.999].
    const double phi = std::clamp(f.ar1_phi.value, 0.0, 0.999);
    if (phi != f.ar1_phi.value)
      y += "  # fitted ar1_phi " + num(f.ar1_phi.value) +
           " clamped to the scenario range [0, 0.999]\n";
    y += entry("  ar1_phi", {phi, f.ar1_phi.se});
  }
  return y;
}

}  // namespace hashsim::history
