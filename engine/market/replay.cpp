#include "engine/market/replay.h"

#include <map>

#include "engine/util/csv.h"
#include "engine/util/error.h"

namespace hashsim::market {

ReplaySeries ReplaySeries::load(const ReplaySpec& spec, int min_days) {
  const CsvTable t = read_csv(spec.file);
  const std::size_t day_col = t.column(spec.day_column);
  const std::size_t val_col = t.column(spec.value_column);
  const bool multi = !spec.path_column.empty();
  const std::size_t path_col = multi ? t.column(spec.path_column) : 0;

  std::map<long long, std::map<long long, double>> by_path;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const long long path = multi ? t.integer(r, path_col) : 0;
    const long long day = t.integer(r, day_col);
    const double v = t.number(r, val_col) * spec.scale;
    const std::string where = spec.file.string() + ":" + std::to_string(t.line_numbers[r]);
    if (day < 0)
      throw Error(where + ": " + spec.day_column + " = " + std::to_string(day) + " is negative");
    if (!(v > 0.0))
      throw Error(where + ": " + spec.value_column + " = " + t.rows[r][val_col] + " must be > 0");
    if (!by_path[path].emplace(day, v).second)
      throw Error(where + ": duplicate row for path " + std::to_string(path) + ", day " +
                  std::to_string(day));
  }
  if (by_path.empty()) throw Error(spec.file.string() + ": no data rows");

  ReplaySeries s;
  s.n_paths_ = by_path.size();
  s.n_days_ = min_days;
  s.values_.resize(s.n_paths_ * static_cast<std::size_t>(min_days));
  std::size_t p = 0;
  for (const auto& [path_id, days] : by_path) {
    for (int d = 0; d < min_days; ++d) {
      auto it = days.find(d);
      if (it == days.end()) {
        throw Error(spec.file.string() + ": path " + std::to_string(path_id) +
                    " has no row for day " + std::to_string(d) + " (the scenario needs days 0.." +
                    std::to_string(min_days - 1) + "; the file is too short or has a gap)");
      }
      s.values_[p * static_cast<std::size_t>(min_days) + static_cast<std::size_t>(d)] = it->second;
    }
    ++p;
  }
  return s;
}

}  // namespace hashsim::market
