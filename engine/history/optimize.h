#pragma once
// Small numerical tools for maximum-likelihood fits: Nelder-Mead minimisation (no derivatives)
// and a central-difference Hessian for the observed information matrix.
#include <Eigen/Dense>
#include <functional>

namespace hashsim::history {

using Objective = std::function<double(const Eigen::VectorXd&)>;

struct MinimizeResult {
  Eigen::VectorXd x;
  double value = 0.0;
  int evaluations = 0;
  bool converged = false;  // simplex values within the tolerance before max_evaluations
};

// Nelder & Mead (1965) with the standard coefficients (reflection 1, expansion 2, contraction
// 1/2, shrink 1/2), as in Lagarias et al. (1998). `step` sets the initial simplex x0 + step_i e_i.
// Stops when max f - min f over the simplex is below abs_tol + rel_tol * |min f|. Non-finite
// objective values are treated as +infinity (outside the admissible region).
MinimizeResult nelder_mead(const Objective& f, const Eigen::VectorXd& x0,
                           const Eigen::VectorXd& step, int max_evaluations = 20000,
                           double abs_tol = 1e-10, double rel_tol = 1e-12);

// Hessian of f at x by central differences with steps h_i:
//   H_ii = (f(x+h_i) - 2 f(x) + f(x-h_i)) / h_i^2,
//   H_ij = (f(++) - f(+-) - f(-+) + f(--)) / (4 h_i h_j).
Eigen::MatrixXd numerical_hessian(const Objective& f, const Eigen::VectorXd& x,
                                  const Eigen::VectorXd& h);

}  // namespace hashsim::history
