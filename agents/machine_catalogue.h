#pragma once
// The machine catalogue: one row per ASIC model, read from data/machines/*.csv (the single source
// of truth; code holds no machine numbers). Columns: name, hashrate_ths, power_w, price_usd,
// price_growth_factor, delivery_delay_days, initial_units, source; optional release_date (YYYY-MM
// or YYYY-MM-DD; a month means its first day), used by machine generations. See data/README.md. The
// same type and loader read the nameplate list data/history/asic_specs.csv (manufacturer, model,
// hashrate_ths, power_w, source; data/history/README.md) used by backtests and block revenue.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace hashsim::agents {

struct MachineSpec {
  std::string name;          // catalogue name; in a nameplate list, the model ("Antminer S19 Pro")
  std::string manufacturer;  // nameplate lists only ("Bitmain"); "" in a simulation catalogue
  double hashrate_ths = 0.0;
  double power_w = 0.0;
  double price_usd = 0.0;
  double price_growth_factor =
      0.0;  // reference-2021: order scale; default: price elasticity to hashprice
  int delivery_delay_days = 0;
  double initial_units = 0.0;  // relative (unscaled) fleet size in machines
  std::string source;
  std::int64_t release_day = kAlwaysReleased;  // days since 1970-01-01 (engine/util/dates.h)
  static constexpr std::int64_t kAlwaysReleased = std::numeric_limits<std::int64_t>::min() / 4;
  double power_kw() const { return power_w / 1000.0; }
  double efficiency_j_per_th() const { return power_w / hashrate_ths; }
  // "Bitmain Antminer S19 Pro" (manufacturer and model), or the catalogue name.
  std::string full_name() const { return manufacturer.empty() ? name : manufacturer + " " + name; }
};

struct MachineCatalogue {
  std::filesystem::path file;
  std::string sha256;  // of the file's bytes, for provenance
  std::vector<MachineSpec> machines;
  // Index of a machine by exact name; throws Error listing the known names.
  std::size_t index_of(const std::string& name) const;
  // Case-insensitive lookup by model ("antminer s19  pro"), model without its series word
  // ("S19 Pro") or full name ("Bitmain Antminer S19 Pro"). Throws Error naming the value and the
  // file: ambiguous (listing the matches) or unknown (listing near names, else every model).
  const MachineSpec& find(const std::string& name) const;
};

// Which columns a machine file has: a simulation catalogue (data/machines/) needs every economic
// column; a nameplate list (data/history/asic_specs.csv) has manufacturer and model instead of
// name, and no economic columns (price_usd is read when present and not blank).
enum class MachineColumns { Catalogue, Nameplate };

inline constexpr int kMaxDeliveryDelayDays = 365;

// Reads and validates a machine file. Throws hashsim::Error naming file, line, column and value:
// non-positive hashrate/power/price, negative growth factor or units, delay outside
// [0, 365] days, duplicate names, no rows.
MachineCatalogue load_machine_catalogue(const std::filesystem::path& file,
                                        MachineColumns columns = MachineColumns::Catalogue);

}  // namespace hashsim::agents
