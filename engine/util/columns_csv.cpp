#include "engine/util/columns_csv.h"

#include <cstdio>

namespace hashsim {

void write_columns_csv(const std::filesystem::path& path, const std::string& key_name,
                       const std::vector<std::string>& keys, const std::vector<Column>& columns,
                       const char* format, Overwrite mode) {
  std::string s = key_name;
  for (const auto& c : columns) s += "," + c.name;
  s += "\n";
  char buf[64];
  for (std::size_t k = 0; k < keys.size(); ++k) {
    s += keys[k];
    for (const auto& c : columns) {
      std::snprintf(buf, sizeof buf, format, c.values[k]);
      s += buf;
    }
    s += "\n";
  }
  write_file_atomic(path, s, mode);
}

}  // namespace hashsim
