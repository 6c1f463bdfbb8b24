#include "engine/util/csv.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim {

namespace {
std::string trim(const std::string& f) {
  const auto b = f.find_first_not_of(" \t");
  const auto e = f.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : f.substr(b, e - b + 1);
}

// RFC 4180 fields: a field may be double-quoted, with "" for a literal quote, so separators
// inside quotes stay in the field. Unquoted fields are trimmed of surrounding blanks.
std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
      was_quoted = true;
      field.clear();
    } else if (c == ',') {
      out.push_back(was_quoted ? field : trim(field));
      field.clear();
      was_quoted = false;
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  out.push_back(was_quoted ? field : trim(field));
  return out;
}
}  // namespace

CsvTable parse_csv(const std::string& text, const std::filesystem::path& name) {
  CsvTable t;
  t.path = name;
  std::istringstream in(text);
  std::string line;
  std::size_t lineno = 0;
  bool have_header = false;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r" || line[0] == '#') continue;
    auto fields = split_line(line);
    if (!have_header) {
      t.header = std::move(fields);
      have_header = true;
      continue;
    }
    if (fields.size() != t.header.size()) {
      throw Error(name.string() + ":" + std::to_string(lineno) + ": expected " +
                  std::to_string(t.header.size()) + " fields (as in the header), found " +
                  std::to_string(fields.size()));
    }
    t.rows.push_back(std::move(fields));
    t.line_numbers.push_back(lineno);
  }
  if (!have_header) throw Error(name.string() + ": empty CSV file (no header row)");
  return t;
}

CsvTable read_csv(const std::filesystem::path& path) { return parse_csv(read_file(path), path); }

bool CsvTable::has_column(const std::string& name) const {
  for (const auto& h : header)
    if (h == name) return true;
  return false;
}

std::size_t CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  std::string cols;
  for (const auto& h : header) cols += (cols.empty() ? "" : ", ") + h;
  throw Error(path.string() + ": missing column '" + name + "' (columns present: " + cols + ")");
}

double CsvTable::number(std::size_t row, std::size_t col) const {
  const std::string& s = rows[row][col];
  double v = 0.0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (s.empty() || ec != std::errc() || p != e || !std::isfinite(v)) {
    throw Error(path.string() + ":" + std::to_string(line_numbers[row]) + ": column '" +
                header[col] + "': '" + s + "' is not a finite number");
  }
  return v;
}

long long CsvTable::integer(std::size_t row, std::size_t col) const {
  const std::string& s = rows[row][col];
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    throw Error(path.string() + ":" + std::to_string(line_numbers[row]) + ": column '" +
                header[col] + "': '" + s + "' is not an integer");
  }
  return v;
}

}  // namespace hashsim
