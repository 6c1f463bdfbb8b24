#include "engine/util/daily_table.h"

#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"

namespace hashsim {

DailyTable DailyTable::load(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw Error(path.string() + ": data file not found");
  return parse(read_file(path), path);
}

DailyTable DailyTable::parse(const std::string& text, const std::filesystem::path& name) {
  DailyTable t;
  t.csv_ = parse_csv(text, name);
  t.date_col_ = t.column({"date"});
  t.days_.reserve(t.csv_.rows.size());
  for (std::size_t i = 0; i < t.csv_.rows.size(); ++i) {
    std::int64_t d = 0;
    try {
      d = parse_iso_date(t.date(i));
    } catch (const Error& e) {
      throw Error(t.where(i) + ": column 'date': " + e.what());
    }
    if (!t.days_.empty() && d <= t.days_.back())
      throw Error(t.where(i) + ": dates must increase strictly (previous row is " + t.date(i - 1) +
                  ")");
    t.days_.push_back(d);
  }
  if (t.days_.empty()) throw Error(name.string() + ": no data rows");
  return t;
}

std::string DailyTable::first_date() const { return date(0); }
std::string DailyTable::last_date() const { return date(size() - 1); }

std::string DailyTable::where(std::size_t row) const {
  return csv_.path.string() + ":" + std::to_string(csv_.line_numbers[row]) + " (" + date(row) + ")";
}

RowRange DailyTable::window(const std::string& from, const std::string& to) const {
  // The window's ends are named as values ("from", "to"); the CLI's --from / --to carry them.
  const auto parse_end = [](const std::string& name, const std::string& v) {
    try {
      return parse_iso_date(v);
    } catch (const Error& e) {
      throw Error(name + " = '" + v + "': " + e.what());
    }
  };
  const std::int64_t lo = from.empty() ? days_.front() : parse_end("from", from);
  const std::int64_t hi = to.empty() ? days_.back() : parse_end("to", to);
  const std::string coverage = path().string() + " covers " + first_date() + ".." + last_date();
  if (lo > hi) throw Error("from = " + from + " is after to = " + to);
  if (lo < days_.front()) throw Error("from = " + from + " is before the data: " + coverage);
  if (hi > days_.back()) throw Error("to = " + to + " is after the data: " + coverage);
  RowRange r;
  while (r.begin < size() && days_[r.begin] < lo) ++r.begin;
  r.end = r.begin;
  while (r.end < size() && days_[r.end] <= hi) ++r.end;
  if (r.size() == 0)
    throw Error("no rows dated " + civil_from_days(lo) + ".." + civil_from_days(hi) + " in " +
                path().string());
  return r;
}

std::size_t DailyTable::column(std::initializer_list<const char*> names) const {
  for (const char* n : names)
    if (csv_.has_column(n)) return csv_.column(n);
  std::string wanted, present;
  for (const char* n : names) wanted += (wanted.empty() ? "'" : " or '") + std::string(n) + "'";
  for (const auto& h : csv_.header) present += (present.empty() ? "" : ", ") + h;
  throw Error(path().string() + ": missing column " + wanted + " (columns present: " + present +
              ")");
}

double DailyTable::number(std::size_t row, std::size_t col) const {
  if (blank(row, col))
    throw Error(where(row) + ": column '" + csv_.header[col] +
                "' is blank (no value for that day)");
  return csv_.number(row, col);
}

long long DailyTable::integer(std::size_t row, std::size_t col) const {
  if (blank(row, col))
    throw Error(where(row) + ": column '" + csv_.header[col] +
                "' is blank (no value for that day)");
  return csv_.integer(row, col);
}

}  // namespace hashsim
