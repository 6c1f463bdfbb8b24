#pragma once
// Daily history tables (data/history/README.md): one row per UTC day, a `date` column in
// YYYY-MM-DD, dates strictly increasing. Values are parsed on demand, so a blank or malformed
// field only matters when a command needs that day; the error then names the file, line, column
// and date.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/util/csv.h"

namespace hashsim {

// Rows [begin, end) of a table.
struct RowRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

class DailyTable {
 public:
  // Throws Error naming file and line for a missing `date` column, a malformed date or dates
  // that do not increase.
  static DailyTable load(const std::filesystem::path& path);
  static DailyTable parse(const std::string& text, const std::filesystem::path& name_for_errors);

  const std::filesystem::path& path() const { return csv_.path; }
  std::size_t size() const { return days_.size(); }
  const std::string& date(std::size_t row) const { return csv_.rows[row][date_col_]; }
  std::int64_t day(std::size_t row) const { return days_[row]; }  // days since 1970-01-01
  std::string first_date() const;
  std::string last_date() const;

  // Rows dated inside [from, to] (inclusive; "" means the first / last date of the file).
  // Throws Error if a date is malformed, from > to, or the window reaches outside the file's
  // coverage (the message names the file, the values and the coverage).
  RowRange window(const std::string& from, const std::string& to) const;

  // Index of the first column present among `names` (aliases, e.g. "price_usd", "PriceUSD");
  // throws Error naming the file, the names looked for and the columns present.
  std::size_t column(std::initializer_list<const char*> names) const;
  bool has_column(const std::string& name) const { return csv_.has_column(name); }
  const std::string& column_name(std::size_t col) const { return csv_.header[col]; }

  bool blank(std::size_t row, std::size_t col) const { return csv_.rows[row][col].empty(); }
  // Finite number; a blank or malformed field throws Error with file:line, column and date.
  double number(std::size_t row, std::size_t col) const;
  long long integer(std::size_t row, std::size_t col) const;
  // `where` names the source line: "file:line (date)".
  std::string where(std::size_t row) const;

 private:
  CsvTable csv_;
  std::size_t date_col_ = 0;
  std::vector<std::int64_t> days_;
};

}  // namespace hashsim
