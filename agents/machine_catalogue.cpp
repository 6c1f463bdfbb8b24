#include "agents/machine_catalogue.h"

#include <cmath>
#include <set>

#include "engine/util/atomic_file.h"
#include "engine/util/csv.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/sha256.h"

namespace hashsim::agents {

std::size_t MachineCatalogue::index_of(const std::string& name) const {
  std::string known;
  for (std::size_t i = 0; i < machines.size(); ++i) {
    if (machines[i].name == name) return i;
    known += (known.empty() ? "" : ", ") + machines[i].name;
  }
  throw Error("unknown machine '" + name + "' (catalogue " + file.string() + " has: " + known + ")");
}

MachineCatalogue load_machine_catalogue(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file))
    throw Error(file.string() + ": cannot read machine catalogue (not found or not a file)");
  const std::string text = read_file(file);
  const CsvTable t = parse_csv(text, file);
  MachineCatalogue cat;
  cat.file = file;
  cat.sha256 = sha256_hex(text);
  const auto c_name = t.column("name"), c_th = t.column("hashrate_ths"), c_w = t.column("power_w"),
             c_price = t.column("price_usd"), c_gf = t.column("price_growth_factor"),
             c_delay = t.column("delivery_delay_days"), c_units = t.column("initial_units");
  const bool has_source = t.has_column("source");
  const bool has_release = t.has_column("release_date");
  std::set<std::string> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string where = file.string() + ":" + std::to_string(t.line_numbers[r]) + ": ";
    MachineSpec m;
    m.name = t.text(r, c_name);
    if (m.name.empty()) throw Error(where + "column 'name' is empty");
    if (!seen.insert(m.name).second) throw Error(where + "duplicate machine '" + m.name + "'");
    auto positive = [&](std::size_t col) {
      const double v = t.number(r, col);
      if (!(v > 0.0)) throw Error(where + "column '" + t.header[col] + "' = " + t.text(r, col) + " must be > 0");
      return v;
    };
    auto non_negative = [&](std::size_t col) {
      const double v = t.number(r, col);
      if (v < 0.0) throw Error(where + "column '" + t.header[col] + "' = " + t.text(r, col) + " must be >= 0");
      return v;
    };
    m.hashrate_ths = positive(c_th);
    m.power_w = positive(c_w);
    m.price_usd = positive(c_price);
    m.price_growth_factor = non_negative(c_gf);
    const long long delay = t.integer(r, c_delay);
    if (delay < 0 || delay > kMaxDeliveryDelayDays)
      throw Error(where + "column 'delivery_delay_days' = " + t.text(r, c_delay) + " is not in [0, " +
                  std::to_string(kMaxDeliveryDelayDays) + "]");
    m.delivery_delay_days = static_cast<int>(delay);
    m.initial_units = non_negative(c_units);
    if (has_source) m.source = t.text(r, t.column("source"));
    if (has_release) {
      std::string d = t.text(r, t.column("release_date"));
      if (d.size() == 7) d += "-01";
      try {
        m.release_day = parse_iso_date(d);
      } catch (const Error&) {
        throw Error(where + "column 'release_date' = " + t.text(r, t.column("release_date")) +
                    " is not a date (YYYY-MM or YYYY-MM-DD)");
      }
    }
    cat.machines.push_back(std::move(m));
  }
  if (cat.machines.empty()) throw Error(file.string() + ": the machine catalogue has no rows");
  return cat;
}

}  // namespace hashsim::agents
