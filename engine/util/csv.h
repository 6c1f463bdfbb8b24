#pragma once
// A small strict CSV reader for the numeric data files hashsim ships and replays (no quoting of
// separators inside fields is needed by any of them). Errors name the file, line and column.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace hashsim {

struct CsvTable {
  std::filesystem::path path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // rows[i] has header.size() fields
  std::vector<std::size_t> line_numbers;       // 1-based source line of rows[i]

  // Index of a named column; throws Error naming the file and the columns present.
  std::size_t column(const std::string& name) const;
  bool has_column(const std::string& name) const;
  // Parses a field as a finite double; throws Error naming file, line, column and text.
  double number(std::size_t row, std::size_t col) const;
  long long integer(std::size_t row, std::size_t col) const;
  const std::string& text(std::size_t row, std::size_t col) const { return rows[row][col]; }
};

// Reads a CSV with a header row. Lines starting with '#' are comments. Every row must have as
// many fields as the header.
CsvTable read_csv(const std::filesystem::path& path);
CsvTable parse_csv(const std::string& text, const std::filesystem::path& name_for_errors);

}  // namespace hashsim
