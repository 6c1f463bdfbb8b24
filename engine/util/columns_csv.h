#pragma once
// Named numeric columns and their CSV form: the tabular outputs of backtest, score and block
// revenue (one key column such as dates or heights, then one column per series).
#include <filesystem>
#include <string>
#include <vector>

#include "engine/util/atomic_file.h"

namespace hashsim {

struct Column {
  std::string name;  // with unit, e.g. hashprice_usd_per_th_day
  std::vector<double> values;
};

// A CSV of a key column (dates, heights) and one column per series, written atomically; values
// printed with printf `format` (default 10 significant digits). Every column has keys.size()
// values.
void write_columns_csv(const std::filesystem::path& path, const std::string& key_name,
                       const std::vector<std::string>& keys, const std::vector<Column>& columns,
                       const char* format = ",%.10g", Overwrite mode = Overwrite::kReplace);

}  // namespace hashsim
