#include "engine/history/optimize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace hashsim::history {

MinimizeResult nelder_mead(const Objective& f, const Eigen::VectorXd& x0,
                           const Eigen::VectorXd& step, int max_evaluations, double abs_tol,
                           double rel_tol) {
  const Eigen::Index n = x0.size();
  MinimizeResult r;
  const auto eval = [&](const Eigen::VectorXd& x) {
    ++r.evaluations;
    const double v = f(x);
    return std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
  };
  std::vector<Eigen::VectorXd> pts(static_cast<std::size_t>(n + 1), x0);
  std::vector<double> vals(pts.size());
  for (Eigen::Index i = 0; i < n; ++i) pts[static_cast<std::size_t>(i + 1)](i) += step(i);
  for (std::size_t i = 0; i < pts.size(); ++i) vals[i] = eval(pts[i]);

  std::vector<std::size_t> order(pts.size());
  while (true) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return vals[a] < vals[b]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[order.size() - 2];
    if (vals[worst] - vals[best] <= abs_tol + rel_tol * std::abs(vals[best])) {
      r.converged = true;
      break;
    }
    if (r.evaluations >= max_evaluations) break;

    Eigen::VectorXd centroid = Eigen::VectorXd::Zero(n);
    for (std::size_t i : order)
      if (i != worst) centroid += pts[i];
    centroid /= static_cast<double>(n);

    const Eigen::VectorXd xr = centroid + (centroid - pts[worst]);
    const double fr = eval(xr);
    if (fr < vals[best]) {
      const Eigen::VectorXd xe = centroid + 2.0 * (centroid - pts[worst]);
      const double fe = eval(xe);
      if (fe < fr) {
        pts[worst] = xe;
        vals[worst] = fe;
      } else {
        pts[worst] = xr;
        vals[worst] = fr;
      }
      continue;
    }
    if (fr < vals[second]) {
      pts[worst] = xr;
      vals[worst] = fr;
      continue;
    }
    // Contraction: outside if the reflected point beats the worst, inside otherwise.
    const bool outside = fr < vals[worst];
    const Eigen::VectorXd xc = outside ? Eigen::VectorXd(centroid + 0.5 * (xr - centroid))
                                       : Eigen::VectorXd(centroid + 0.5 * (pts[worst] - centroid));
    const double fc = eval(xc);
    if (fc < (outside ? fr : vals[worst])) {
      pts[worst] = xc;
      vals[worst] = fc;
      continue;
    }
    for (std::size_t i : order) {
      if (i == best) continue;
      pts[i] = pts[best] + 0.5 * (pts[i] - pts[best]);
      vals[i] = eval(pts[i]);
    }
  }
  const auto best =
      static_cast<std::size_t>(std::min_element(vals.begin(), vals.end()) - vals.begin());
  r.x = pts[best];
  r.value = vals[best];
  return r;
}

Eigen::MatrixXd numerical_hessian(const Objective& f, const Eigen::VectorXd& x,
                                  const Eigen::VectorXd& h) {
  const Eigen::Index n = x.size();
  Eigen::MatrixXd H(n, n);
  const double f0 = f(x);
  const auto at = [&](Eigen::Index i, double di, Eigen::Index j, double dj) {
    Eigen::VectorXd y = x;
    y(i) += di;
    y(j) += dj;
    return f(y);
  };
  for (Eigen::Index i = 0; i < n; ++i) {
    H(i, i) = (at(i, h(i), i, 0.0) - 2.0 * f0 + at(i, -h(i), i, 0.0)) / (h(i) * h(i));
    for (Eigen::Index j = 0; j < i; ++j) {
      const double v = (at(i, h(i), j, h(j)) - at(i, h(i), j, -h(j)) - at(i, -h(i), j, h(j)) +
                        at(i, -h(i), j, -h(j))) /
                       (4.0 * h(i) * h(j));
      H(i, j) = v;
      H(j, i) = v;
    }
  }
  return H;
}

}  // namespace hashsim::history
