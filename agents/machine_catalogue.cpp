#include "agents/machine_catalogue.h"

#include <cctype>
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
  throw Error("unknown machine '" + name + "' (catalogue " + file.string() + " has: " + known +
              ")");
}

namespace {
std::string normalize_name(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isspace(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(static_cast<char>(std::tolower(c)));
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}
}  // namespace

const MachineSpec& MachineCatalogue::find(const std::string& name) const {
  const std::string q = normalize_name(name);
  std::vector<const MachineSpec*> hits;
  for (const auto& m : machines) {
    const std::string model = normalize_name(m.name);
    const auto space = model.find(' ');
    const std::string series_dropped = space == std::string::npos ? model : model.substr(space + 1);
    if (q == model || q == series_dropped || q == normalize_name(m.full_name())) hits.push_back(&m);
  }
  if (hits.size() == 1) return *hits.front();
  if (hits.size() > 1) {
    std::string list;
    for (const auto* m : hits) list += (list.empty() ? "" : ", ") + m->full_name();
    throw Error("'" + name + "' is ambiguous in " + file.string() + ": " + list);
  }
  std::string near, all;
  for (const auto& m : machines) {
    all += (all.empty() ? "" : ", ") + m.name;
    if (!q.empty() && normalize_name(m.full_name()).find(q) != std::string::npos)
      near += (near.empty() ? "" : ", ") + m.full_name();
  }
  throw Error("'" + name + "': unknown machine in " + file.string() + "; " +
              (near.empty() ? "models: " + all : "did you mean: " + near));
}

MachineCatalogue load_machine_catalogue(const std::filesystem::path& file, MachineColumns columns) {
  if (!std::filesystem::is_regular_file(file))
    throw Error(file.string() + ": cannot read machine catalogue (not found or not a file)");
  const std::string text = read_file(file);
  const CsvTable t = parse_csv(text, file);
  MachineCatalogue cat;
  cat.file = file;
  cat.sha256 = sha256_hex(text);
  const bool nameplate = columns == MachineColumns::Nameplate;
  const auto c_name = t.column(nameplate ? "model" : "name"), c_th = t.column("hashrate_ths"),
             c_w = t.column("power_w");
  std::size_t c_price = 0, c_gf = 0, c_delay = 0, c_units = 0;
  if (!nameplate) {
    c_price = t.column("price_usd");
    c_gf = t.column("price_growth_factor");
    c_delay = t.column("delivery_delay_days");
    c_units = t.column("initial_units");
  }
  const bool has_source = t.has_column("source");
  const bool has_release = t.has_column("release_date");
  std::set<std::string> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string where = file.string() + ":" + std::to_string(t.line_numbers[r]) + ": ";
    MachineSpec m;
    m.name = t.text(r, c_name);
    if (nameplate) m.manufacturer = t.text(r, t.column("manufacturer"));
    if (m.name.empty()) throw Error(where + "column '" + t.header[c_name] + "' is empty");
    if (!seen.insert(m.full_name()).second)
      throw Error(where + "duplicate machine '" + m.full_name() + "'");
    auto positive = [&](std::size_t col) {
      const double v = t.number(r, col);
      if (!(v > 0.0))
        throw Error(where + "column '" + t.header[col] + "' = " + t.text(r, col) + " must be > 0");
      return v;
    };
    auto non_negative = [&](std::size_t col) {
      const double v = t.number(r, col);
      if (v < 0.0)
        throw Error(where + "column '" + t.header[col] + "' = " + t.text(r, col) + " must be >= 0");
      return v;
    };
    m.hashrate_ths = positive(c_th);
    m.power_w = positive(c_w);
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
    if (nameplate) {
      if (t.has_column("price_usd") && !t.text(r, t.column("price_usd")).empty())
        m.price_usd = positive(t.column("price_usd"));
      cat.machines.push_back(std::move(m));
      continue;
    }
    m.price_usd = positive(c_price);
    m.price_growth_factor = non_negative(c_gf);
    const long long delay = t.integer(r, c_delay);
    if (delay < 0 || delay > kMaxDeliveryDelayDays)
      throw Error(where + "column 'delivery_delay_days' = " + t.text(r, c_delay) +
                  " is not in [0, " + std::to_string(kMaxDeliveryDelayDays) + "]");
    m.delivery_delay_days = static_cast<int>(delay);
    m.initial_units = non_negative(c_units);
    cat.machines.push_back(std::move(m));
  }
  if (cat.machines.empty()) throw Error(file.string() + ": the machine catalogue has no rows");
  return cat;
}

}  // namespace hashsim::agents
