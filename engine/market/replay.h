#pragma once
// Replayed series: price, fee or hashrate paths read from a CSV instead of simulated (history,
// or another model's output). Long format: a day column (0-based), an optional path column and
// a value column. Simulated path i replays file path (i mod n_file_paths), so a one-path file
// (history) drives every path identically.
#include <filesystem>
#include <string>
#include <vector>

namespace hashsim::market {

struct ReplaySpec {
  std::filesystem::path file;  // resolved path
  std::string value_column;
  std::string day_column = "day";
  std::string path_column;  // empty: single path
  double scale = 1.0;       // multiply values (e.g. unit conversion)
};

class ReplaySeries {
 public:
  ReplaySeries() = default;
  // Reads and checks the file: every path must cover days 0..min_days-1 exactly once, values
  // finite and > 0. Throws Error naming the file and line otherwise.
  static ReplaySeries load(const ReplaySpec& spec, int min_days);

  std::size_t n_paths() const { return n_paths_; }
  int n_days() const { return n_days_; }
  // Value for simulated path `path_index` on day `day`.
  double value(std::size_t path_index, int day) const {
    return values_[(path_index % n_paths_) * static_cast<std::size_t>(n_days_) +
                   static_cast<std::size_t>(day)];
  }
  const double* path_row(std::size_t path_index) const {
    return values_.data() + (path_index % n_paths_) * static_cast<std::size_t>(n_days_);
  }

 private:
  std::size_t n_paths_ = 0;
  int n_days_ = 0;
  std::vector<double> values_;  // [n_paths][n_days]
};

}  // namespace hashsim::market
