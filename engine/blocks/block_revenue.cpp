#include "engine/blocks/block_revenue.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "engine/io/hdf5.h"
#include "engine/io/schema.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"
#include "engine/util/units.h"
#include "engine/util/version.h"

namespace hashsim::blocks {

DailyCloses DailyCloses::load(const DailyTable& t) {
  DailyCloses c;
  c.file = t.path().string();
  const std::size_t col = t.column({"price_usd", "PriceUSD"});
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.blank(i, col)) continue;
    const double p = t.number(i, col);
    if (!(p > 0.0)) throw Error(t.where(i) + ": price_usd must be > 0");
    c.stamp_unix.push_back((t.day(i) + 1) * 86400);
    c.price_usd.push_back(p);
  }
  if (c.price_usd.empty()) throw Error(c.file + ": no prices");
  return c;
}

std::size_t DailyCloses::nearest(std::int64_t t) const {
  if (stamp_unix.empty()) throw Error("no daily prices");
  const auto it = std::lower_bound(stamp_unix.begin(), stamp_unix.end(), t);
  if (it == stamp_unix.begin()) return 0;
  if (it == stamp_unix.end()) return stamp_unix.size() - 1;
  const auto hi = static_cast<std::size_t>(it - stamp_unix.begin());
  return (*it - t) < (t - stamp_unix[hi - 1]) ? hi : hi - 1;
}

std::string machine_slug(const std::string& name) {
  std::string s;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c))
      s.push_back(static_cast<char>(std::tolower(c)));
    else if (ch == '+')
      s += "plus";
    else if (!s.empty() && s.back() != '_')
      s.push_back('_');
  }
  while (!s.empty() && s.back() == '_') s.pop_back();
  return s;
}

const std::vector<double>& BlockRevenueResult::column(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return c.values;
  throw Error("block revenue has no column '" + name + "'");
}

double BlockRevenueResult::total(const std::string& name) const {
  const auto& v = column(name);
  return std::accumulate(v.begin(), v.end(), 0.0);
}

namespace {
// "machines/<name>": a dataset of the machines table.
std::string machines_dataset(const char* name) {
  return std::string(io::schema::kBlockMachinesGroup) + "/" + name;
}

void check_revenue_options(const BlockRevenueOptions& o) {
  if (o.machines.empty()) throw OptionError("no machine given ({machine})");
  if (!(o.tariff_usd_per_kwh >= 0.0)) throw OptionError("{tariff_usd_per_kwh} must be >= 0");
  if (!(o.pool_fee >= 0.0 && o.pool_fee < 1.0)) throw OptionError("{pool_fee} must be in [0, 1)");
  for (std::size_t a = 0; a < o.machines.size(); ++a)
    for (std::size_t b = a + 1; b < o.machines.size(); ++b)
      if (machine_slug(o.machines[a].name) == machine_slug(o.machines[b].name))
        throw OptionError("machine '" + o.machines[a].name + "' is given twice ({machine})");
}

// Index of the daily close nearest block b; throws when it is more than max_price_gap_s away.
std::size_t nearest_price(const BlockRecord& b, const DailyCloses& prices,
                          std::int64_t max_price_gap_s) {
  const std::size_t k = prices.nearest(b.time_unix);
  const std::int64_t g = b.time_unix - prices.stamp_unix[k];
  if (std::llabs(g) > max_price_gap_s)
    throw Error("block " + std::to_string(b.height) + " (" + civil_from_days(b.time_unix / 86400) +
                "): nearest daily price in " + prices.file + " is " +
                std::to_string(std::llabs(g) / 3600) + " h away (limit " +
                std::to_string(max_price_gap_s / 3600) + " h)");
  return k;
}

// One machine's columns: revenue (its share of the network hashrate times subsidy + fees, less
// the pool fee), power cost over the block interval, profit.
void add_machine_columns(const RevenueMachine& m, const BlockRevenueOptions& o,
                         BlockRevenueResult& r) {
  if (!(m.hashrate_ths > 0.0) || !(m.power_w > 0.0) || !(m.count > 0.0))
    throw Error("machine '" + m.name + "': hashrate, power and count must be > 0");
  const auto& interval = r.column(io::schema::kBlockInterval);
  const auto& subsidy = r.column(io::schema::kBlockSubsidy);
  const auto& fee = r.column(io::schema::kBlockFee);
  const auto& hashrate = r.column(io::schema::kBlockNetworkHashrate);
  const auto& price = r.column(io::schema::kBlockPrice);
  const std::size_t n = r.heights.size();
  const double fleet_ths = m.count * m.hashrate_ths;
  const double fleet_kw = m.count * m.power_w / 1000.0;
  std::vector<double> btc(n), usd(n), power(n), profit(n);
  for (std::size_t i = 0; i < n; ++i) {
    btc[i] = fleet_ths / hashrate[i] * (subsidy[i] + fee[i]) /
             static_cast<double>(units::kSatPerBtc) * (1.0 - o.pool_fee);
    usd[i] = btc[i] * price[i];
    power[i] = fleet_kw * interval[i] / 3600.0 * o.tariff_usd_per_kwh;
    profit[i] = usd[i] - power[i];
  }
  const std::string slug = machine_slug(m.name);
  r.columns.push_back({slug + io::schema::kMachineRevenueBtc, btc});
  r.columns.push_back({slug + io::schema::kMachineRevenueUsd, usd});
  r.columns.push_back({slug + io::schema::kMachinePowerCost, power});
  r.columns.push_back({slug + io::schema::kMachineProfit, profit});
}
}  // namespace

BlockRevenueResult block_revenue(const std::vector<BlockRecord>& blocks, const DailyCloses& prices,
                                 const BlockRevenueOptions& o) {
  if (blocks.empty())
    throw Error("the ledger holds no blocks in that range; run `hashsim blocks sync` first");
  check_revenue_options(o);
  const std::size_t n = blocks.size();
  BlockRevenueResult r;
  std::int64_t latest_time = 0;  // max header time since the last gap
  std::vector<double> time(n), interval(n), clamped(n), known(n), subsidy(n), fee(n), hashrate(n),
      price(n), gap(n);
  for (std::size_t i = 0; i < n; ++i) {
    const BlockRecord& b = blocks[i];
    r.heights.push_back(b.height);
    if (!(b.network_hashrate_ths > 0.0))
      throw Error("block " + std::to_string(b.height) + ": network hashrate " +
                  std::to_string(b.network_hashrate_ths) + " TH/s is not > 0");
    time[i] = static_cast<double>(b.time_unix);
    if (i > 0 && blocks[i - 1].height == b.height - 1) {
      // From the latest time seen so far, not the previous block's: after a backwards timestamp
      // the next block must not count again time already counted (sum = elapsed time).
      const std::int64_t dt = b.time_unix - latest_time;
      known[i] = 1.0;
      if (dt < 0) {
        clamped[i] = 1.0;
        ++r.clamped_intervals;
      }
      interval[i] = static_cast<double>(std::max<std::int64_t>(0, dt));
      latest_time = std::max(latest_time, b.time_unix);
    } else {
      ++r.unknown_intervals;
      latest_time = b.time_unix;
    }
    subsidy[i] = static_cast<double>(b.subsidy_sat);
    fee[i] = static_cast<double>(b.fee_sat);
    hashrate[i] = b.network_hashrate_ths;
    const std::size_t k = nearest_price(b, prices, o.max_price_gap_s);
    price[i] = prices.price_usd[k];
    gap[i] = static_cast<double>(b.time_unix - prices.stamp_unix[k]);
  }
  namespace sc = io::schema;
  r.columns = {{sc::kBlockTimeUnix, time},
               {sc::kBlockInterval, interval},
               {sc::kBlockIntervalClamped, clamped},
               {sc::kBlockIntervalKnown, known},
               {sc::kBlockSubsidy, subsidy},
               {sc::kBlockFee, fee},
               {sc::kBlockNetworkHashrate, hashrate},
               {sc::kBlockPrice, price},
               {sc::kBlockPriceGap, gap}};
  for (const auto& m : o.machines) add_machine_columns(m, o, r);
  return r;
}

void write_block_revenue_csv(const BlockRevenueResult& r, const std::filesystem::path& path,
                             Overwrite mode) {
  std::vector<std::string> keys;
  keys.reserve(r.heights.size());
  for (auto h : r.heights) keys.push_back(std::to_string(h));
  // 15 significant digits: integer columns (times, satoshis) print exactly.
  write_columns_csv(path, io::schema::kBlockHeight, keys, r.columns, ",%.15g", mode);
}

RevenueSummary summarize_block_revenue(const BlockRevenueResult& r, SummaryPeriod period) {
  RevenueSummary out;
  out.key_name = period == SummaryPeriod::Day ? "day" : "month";
  const auto sums = [](const std::string& name) {
    if (name == io::schema::kBlockInterval || name == io::schema::kBlockSubsidy ||
        name == io::schema::kBlockFee)
      return true;
    for (const char* suffix : io::schema::kMachineColumnSuffixes) {
      const std::string s = suffix;
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
        return true;
    }
    return false;
  };
  std::vector<const Column*> summed;
  for (const auto& c : r.columns)
    if (sums(c.name)) summed.push_back(&c);
  const auto& time = r.column(io::schema::kBlockTimeUnix);
  std::map<std::string, std::size_t> row_of;  // ascending keys
  std::vector<std::string> key_of(time.size());
  for (std::size_t i = 0; i < time.size(); ++i) {
    const std::string day =
        civil_from_days(static_cast<std::int64_t>(std::floor(time[i] / 86400.0)));
    key_of[i] = period == SummaryPeriod::Day ? day : day.substr(0, 7);
    row_of.emplace(key_of[i], 0);
  }
  for (auto& [key, row] : row_of) {
    row = out.keys.size();
    out.keys.push_back(key);
  }
  out.columns.push_back({"blocks", std::vector<double>(out.keys.size(), 0.0)});
  for (const auto* c : summed)
    out.columns.push_back({c->name, std::vector<double>(out.keys.size(), 0.0)});
  for (std::size_t i = 0; i < time.size(); ++i) {
    const std::size_t row = row_of.at(key_of[i]);
    out.columns[0].values[row] += 1.0;
    for (std::size_t k = 0; k < summed.size(); ++k)
      out.columns[k + 1].values[row] += summed[k]->values[i];
  }
  return out;
}

void write_revenue_summary_csv(const RevenueSummary& s, const std::filesystem::path& path,
                               Overwrite mode) {
  write_columns_csv(path, s.key_name, s.keys, s.columns, ",%.15g", mode);
}

void write_block_revenue_hdf5(const BlockRevenueResult& r, const BlockRevenueOptions& o,
                              const std::filesystem::path& path, const std::string& command_line,
                              const std::string& ledger_file, const std::string& price_file,
                              Overwrite mode) {
  const io::schema::Provenance provenance{.kind = io::schema::kKindBlockRevenue,
                                          .version = io::schema::kBlockRevenueVersion,
                                          .command_line = command_line,
                                          .scenario_text = "",
                                          .seed = std::nullopt,
                                          .data_snapshot_json = nlohmann::json{
                                              {io::schema::kBlockLedgerFile, ledger_file},
                                              {io::schema::kBlockPriceFile,
                                               price_file}}.dump()};
  namespace sc = io::schema;
  sc::write_file(path, mode, provenance, [&](hid_t root) {
    h5::set_attr(root, sc::kBlockLedgerFile, ledger_file);
    h5::set_attr(root, sc::kBlockPriceFile, price_file);
    h5::set_attr(root, sc::kAttrTariff, o.tariff_usd_per_kwh);
    h5::set_attr(root, sc::kAttrPoolFee, o.pool_fee);
    std::vector<std::string> names;
    std::vector<double> ths, watts, counts;
    for (const auto& m : o.machines) {
      names.push_back(m.name + " -> " + machine_slug(m.name));
      ths.push_back(m.hashrate_ths);
      watts.push_back(m.power_w);
      counts.push_back(m.count);
    }
    h5::write_strings(root, machines_dataset(sc::kBlockMachineName), names);
    h5::write_vector(root, machines_dataset(sc::kBlockMachineHashrate), ths);
    h5::write_vector(root, machines_dataset(sc::kBlockMachinePower), watts);
    h5::write_vector(root, machines_dataset(sc::kBlockMachineCount), counts);
    h5::write_vector(root, sc::kBlockHeight,
                     std::vector<std::int64_t>(r.heights.begin(), r.heights.end()));
    for (const auto& c : r.columns) h5::write_vector(root, c.name, c.values);
    // Self-describing for xarray: block height is the dimension of every column, the machine name
    // that of machines/*.
    sc::make_scale(root, sc::kBlockHeight, "1", "block height");
    for (const auto& c : r.columns)
      sc::attach_dimensions(root, c.name, {sc::kBlockHeight}, sc::units_from_name(c.name));
    h5::Handle mg = h5::open_group(root, sc::kBlockMachinesGroup);
    sc::make_scale(mg.get(), sc::kBlockMachineName, "", "machine model -> column prefix");
    sc::attach_dimensions(mg.get(), sc::kBlockMachineHashrate, {sc::kBlockMachineName}, "TH/s");
    sc::attach_dimensions(mg.get(), sc::kBlockMachinePower, {sc::kBlockMachineName}, "W");
    sc::attach_dimensions(mg.get(), sc::kBlockMachineCount, {sc::kBlockMachineName}, "machines");
  });
}

BlockRevenueFile read_block_revenue_hdf5(const std::filesystem::path& path) {
  h5::quiet_hdf5_errors();
  const std::string where = path.string();
  h5::Handle f;
  try {
    f = h5::open_file_readonly(where);
  } catch (const Error&) {
    throw Error(where +
                ": not a block revenue file (missing, unreadable or not HDF5; write one with "
                "hashsim blocks "
                "revenue --h5 FILE)");
  }
  const hid_t root = f.get();
  // Root attributes of io::schema::write_provenance: schema kind + schema_version (2: dimension
  // scales).
  const std::string schema = h5::get_string_attr(root, io::schema::kAttrSchema).value_or("");
  const auto version = h5::get_int_attr(root, io::schema::kAttrSchemaVersion).value_or(0);
  if (schema != io::schema::kKindBlockRevenue || version != io::schema::kBlockRevenueVersion)
    throw Error(where + ": not a block revenue file (schema '" + schema.substr(0, 80) +
                "' version " + std::to_string(version) + ", expected " +
                io::schema::kKindBlockRevenue + " version " +
                std::to_string(io::schema::kBlockRevenueVersion) +
                "; write one with hashsim blocks revenue --h5 FILE)");
  BlockRevenueFile out;
  out.path = where;
  const auto attr = [&](const char* name) { return h5::get_string_attr(root, name).value_or(""); };
  namespace sc = io::schema;
  out.command_line = attr(sc::kAttrCommandLine);
  out.created_utc = attr(sc::kAttrCreatedUtc);
  out.hashsim_version = attr(sc::kAttrHashsimVersion);
  out.git_sha = attr(sc::kAttrGitSha);
  out.ledger_file = attr(sc::kBlockLedgerFile);
  out.price_file = attr(sc::kBlockPriceFile);
  out.options.tariff_usd_per_kwh = h5::get_double_attr(root, sc::kAttrTariff).value_or(0.0);
  out.options.pool_fee = h5::get_double_attr(root, sc::kAttrPoolFee).value_or(0.0);
  const auto need = [&](const std::string& name) {
    if (!h5::exists(root, name))
      throw Error(where + ": block revenue file without dataset '" + name + "'");
    return h5::read_vector(root, name);
  };
  const std::vector<double> heights = need(sc::kBlockHeight);
  if (heights.empty()) throw Error(where + ": block revenue file holds no blocks");
  const std::size_t n = heights.size();
  for (double h : heights) out.result.heights.push_back(static_cast<std::int64_t>(h));
  const std::string names_path = machines_dataset(sc::kBlockMachineName);
  const auto names = h5::exists(root, names_path) ? h5::read_strings(root, names_path)
                                                  : std::vector<std::string>{};
  const auto ths = need(machines_dataset(sc::kBlockMachineHashrate)),
             watts = need(machines_dataset(sc::kBlockMachinePower)),
             counts = need(machines_dataset(sc::kBlockMachineCount));
  if (names.empty() || ths.size() != names.size() || watts.size() != names.size() ||
      counts.size() != names.size())
    throw Error(where + ": block revenue file with an inconsistent machines table");
  for (std::size_t m = 0; m < names.size(); ++m) {
    // Written as "<name> -> <slug>" (the slug prefixes that machine's columns).
    const auto arrow = names[m].rfind(" -> ");
    const std::string name = arrow == std::string::npos ? names[m] : names[m].substr(0, arrow);
    out.slugs.push_back(arrow == std::string::npos ? machine_slug(name)
                                                   : names[m].substr(arrow + 4));
    out.options.machines.push_back({name, ths[m], watts[m], counts[m]});
  }
  std::vector<std::string> columns(sc::kBlockColumns.begin(), sc::kBlockColumns.end());
  for (const auto& slug : out.slugs)
    for (const char* suffix : sc::kMachineColumnSuffixes) columns.push_back(slug + suffix);
  for (const auto& c : columns) {
    std::vector<double> v = need(c);
    if (v.size() != n)
      throw Error(where + ": dataset '" + c + "' has " + std::to_string(v.size()) +
                  " rows, height has " + std::to_string(n));
    out.result.columns.push_back({c, std::move(v)});
  }
  for (double x : out.result.column(sc::kBlockIntervalClamped))
    out.result.clamped_intervals += x != 0.0;
  for (double x : out.result.column(sc::kBlockIntervalKnown))
    out.result.unknown_intervals += x == 0.0;
  return out;
}

}  // namespace hashsim::blocks
