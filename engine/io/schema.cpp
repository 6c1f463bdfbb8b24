#include "engine/io/schema.h"

#include <hdf5_hl.h>

#include <map>

#include "engine/io/hdf5.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/version.h"

namespace hashsim::io::schema {

std::string scenario_group(const std::string& scenario) {
  return std::string(kScenariosGroup) + "/" + scenario;
}

std::string paths_dataset(const std::string& series) {
  return std::string(kPathsGroup) + "/" + series;
}

std::string summary_dataset(const std::string& output, const std::string& stat) {
  const std::string prefix = std::string(kPathsGroup) + "/";
  const std::string of = output.rfind(prefix, 0) == 0 ? output.substr(prefix.size()) : output;
  return std::string(kSummaryGroup) + "/" + of + "/" + stat;
}

bool is_coordinate(const std::string& n) {
  for (const char* c : {kDimPath, kDimDay, kDimAgent, kDimFleet, kDimArchetypeDay, kDimQuantile,
                        kDimYear, kDimIrrRoot, kCoordDate})
    if (n == c) return true;
  return false;
}

const char* series_long_name(const std::string& series) {
  static const std::map<std::string, const char*> names{
      {kSeriesPriceUsd, "bitcoin price"},
      {kSeriesFeeBtcPerBlock, "transaction fees per block"},
      {kSeriesNetworkHashrateThs, "network hashrate"},
      {kSeriesDifficulty, "mining difficulty"},
      {kSeriesHeight, "block height at the end of the day"},
      {kSeriesBlocks, "blocks found in the day"},
      {kSeriesHashpriceBtc, "hashprice: expected mining revenue per TH/s per day, in BTC"},
      {kSeriesHashpriceUsd, "hashprice: expected mining revenue per TH/s per day, in USD"}};
  const auto it = names.find(series);
  return it == names.end() ? "" : it->second;
}

void write_provenance(hid_t root, const Provenance& p) {
  h5::set_attr(root, kAttrSchema, p.kind);
  h5::set_attr(root, kAttrSchemaVersion, p.version);
  h5::set_attr(root, kAttrHashsimVersion, std::string(kVersion));
  h5::set_attr(root, kAttrGitSha, std::string(kGitSha));
  h5::set_attr(root, kAttrCreatedUtc, utc_now_iso8601());
  h5::set_attr(root, kAttrCommandLine, p.command_line);
  h5::set_attr(root, kAttrConventions, std::string("CF-1.10"));
  if (!p.scenario_text.empty()) h5::set_attr(root, kAttrScenarioText, p.scenario_text);
  if (p.seed) h5::set_attr(root, kAttrSeed, static_cast<std::int64_t>(*p.seed));
  h5::set_attr(root, kAttrDataSnapshot,
               p.data_snapshot_json.empty() ? std::string("{}") : p.data_snapshot_json);
}

void write_file(AtomicOutput& out, const Provenance& p,
                const std::function<void(hid_t root)>& fill) {
  h5::quiet_hdf5_errors();
  h5::Handle f = h5::create_file(out.partial_path().string());
  write_provenance(f.get(), p);
  fill(f.get());
  h5::close_file(f, out.partial_path().string());
}

void write_file(const std::filesystem::path& path, Overwrite mode, const Provenance& p,
                const std::function<void(hid_t root)>& fill) {
  AtomicOutput out(path, mode);
  write_file(out, p, fill);
  out.commit();
}

std::string units_from_name(const std::string& name) {
  // Longest suffixes first.
  static const std::pair<const char*, const char*> suffixes[] = {
      {"_usd_per_th_day", "USD/(TH/s)/day"},
      {"_btc_per_th_day", "BTC/(TH/s)/day"},
      {"_usd_per_kwh", "USD/kWh"},
      {"_btc_per_block", "BTC"},
      {"_kwh_per_day", "kWh/day"},
      {"_ths", "TH/s"},
      {"_usd", "USD"},
      {"_btc", "BTC"},
      {"_sat", "sat"},
      {"_w", "W"},
      {"_kw", "kW"},
      {"_kwh", "kWh"},
      {"_s", "s"},
      {"_days", "day"},
      {"_years", "year"}};
  for (const auto& [suffix, units] : suffixes) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
      return units;
  }
  return "";
}

void set_cf(hid_t dataset, const std::string& units, const std::string& long_name) {
  if (!units.empty()) h5::set_attr(dataset, "units", units);
  if (!long_name.empty()) h5::set_attr(dataset, "long_name", long_name);
}

void make_scale(hid_t group, const std::string& name, const std::string& units,
                const std::string& long_name) {
  h5::Handle ds = h5::open_dataset(group, name);
  if (H5DSset_scale(ds.get(), name.c_str()) < 0)
    throw Error("HDF5: cannot make " + name + " a dimension scale");
  set_cf(ds.get(), units, long_name);
}

void write_dimension(hid_t group, const std::string& name, const std::vector<double>& values,
                     const std::string& units, const std::string& long_name) {
  h5::write_vector(group, name, values);
  make_scale(group, name, units, long_name);
}

void write_dimension(hid_t group, const std::string& name, const std::vector<std::int64_t>& values,
                     const std::string& units, const std::string& long_name) {
  h5::write_vector(group, name, values);
  make_scale(group, name, units, long_name);
}

void write_index_dimension(hid_t group, const std::string& name, std::uint64_t n,
                           const std::string& long_name) {
  std::vector<std::int64_t> v(n);
  for (std::uint64_t i = 0; i < n; ++i) v[i] = static_cast<std::int64_t>(i);
  write_dimension(group, name, v, "1", long_name);
}

void attach_dimensions(hid_t group, const std::string& dataset,
                       const std::vector<std::string>& dims, const std::string& units,
                       const std::string& long_name) {
  h5::Handle ds = h5::open_dataset(group, dataset);
  // The scales live next to the dataset: in its own group (dataset may be "sub/name").
  const auto slash = dataset.rfind('/');
  h5::Handle sub;
  hid_t where = group;
  if (slash != std::string::npos) {
    sub = h5::open_group(group, dataset.substr(0, slash));
    where = sub.get();
  }
  const auto rank = h5::shape(ds.get()).size();
  if (rank != dims.size())
    throw Error("internal: " + dataset + " has " + std::to_string(rank) + " dimensions, " +
                std::to_string(dims.size()) + " named");
  for (std::size_t i = 0; i < dims.size(); ++i) {
    h5::Handle scale = h5::open_dataset(where, dims[i]);
    if (H5DSattach_scale(ds.get(), scale.get(), static_cast<unsigned>(i)) < 0)
      throw Error("HDF5: cannot attach dimension " + dims[i] + " to " + dataset);
  }
  set_cf(ds.get(), units, long_name);
}

void attach_dimensions(hid_t group, const std::string& dataset,
                       std::initializer_list<std::string> dims, const std::string& units,
                       const std::string& long_name) {
  attach_dimensions(group, dataset, std::vector<std::string>(dims), units, long_name);
}

void set_coordinates(hid_t group, const std::string& dataset, const std::string& names) {
  h5::Handle ds = h5::open_dataset(group, dataset);
  h5::set_attr(ds.get(), "coordinates", names);
}

}  // namespace hashsim::io::schema
