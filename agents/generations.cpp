#include "agents/generations.h"

#include <cmath>
#include <map>

#include "engine/util/csv.h"
#include "engine/util/error.h"

namespace hashsim::agents {

EfficiencyFrontier fit_efficiency_frontier(const std::filesystem::path& specs_file) {
  const CsvTable t = read_csv(specs_file);
  const auto c_th = t.column("hashrate_ths"), c_w = t.column("power_w"),
             c_year = t.column("release_year");
  std::map<long long, double> best;  // release year -> lowest J/TH
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const double th = t.number(r, c_th), w = t.number(r, c_w);
    const long long year = t.integer(r, c_year);
    if (!(th > 0.0) || !(w > 0.0) || year < 2009 || year > 2100)
      throw Error(specs_file.string() + ":" + std::to_string(t.line_numbers[r]) +
                  ": hashrate_ths and power_w must be > 0 and release_year in [2009, 2100]");
    const double j = w / th;
    auto it = best.find(year);
    if (it == best.end() || j < it->second) best[year] = j;
  }
  if (best.size() < 2)
    throw Error(specs_file.string() +
                ": the efficiency frontier needs machines of two release years");
  // OLS of ln(J/TH) on the year over the frontier points.
  double sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0;
  const double n = static_cast<double>(best.size());
  for (const auto& [year, j] : best) {
    const double x = static_cast<double>(year), y = std::log(j);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  EfficiencyFrontier f;
  f.log_change_per_year = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  f.intercept = (sy - f.log_change_per_year * sx) / n;
  f.years = static_cast<int>(best.size());
  return f;
}

}  // namespace hashsim::agents
