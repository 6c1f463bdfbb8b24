#include "engine/util/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hashsim {

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  if (std::isinf(sorted[lo])) return sorted[lo];
  if (std::isinf(sorted[hi])) return h > static_cast<double>(lo) ? sorted[hi] : sorted[lo];
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace hashsim
