#pragma once
// Helpers shared by the tests that read HDF5 results files: the basics of test_basics.h, the
// schema's names of per-agent and fleet datasets, and a reader that walks an HDF5 results file and
// returns every dataset's bytes, so runs can be compared byte for byte.
#include <hdf5.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/io/hdf5.h"
#include "engine/io/schema.h"
#include "tests/engine/test_basics.h"

namespace hashsim::test_support {

// "<group>/<field>" of a per-agent or fleet output, named by its slot in engine/io/schema.h
// (archetype_final/usd, fleets/value_usd, archetypes/machines_on, ...), as read_all_datasets keys
// it and as sim::output_specs names it.
inline std::string field_dataset(io::schema::ArchetypeFinal f) {
  return std::string(io::schema::kArchetypeFinalGroup) + "/" +
         io::schema::kArchetypeFinalFields[io::schema::slot(f)].name;
}
inline std::string field_dataset(io::schema::Fleet f) {
  return std::string(io::schema::kFleetsGroup) + "/" +
         io::schema::kFleetFields[io::schema::slot(f)].name;
}
inline std::string field_dataset(io::schema::ArchetypeSeries f) {
  return std::string(io::schema::kArchetypesGroup) + "/" +
         io::schema::kArchetypeSeriesFields[io::schema::slot(f)].name;
}
// "agents/<name>": a per-agent coordinate or dataset of a scenario group (agents/strategy, ...).
inline std::string agents_dataset(const std::string& name) {
  return std::string(io::schema::kAgentsGroup) + "/" + name;
}

// A dataset read back: its shape and its raw bytes (float64 data, or the strings joined by '\0').
struct DatasetBytes {
  std::vector<std::uint64_t> shape;
  std::string bytes;
  std::vector<double> values() const {
    std::vector<double> v(bytes.size() / sizeof(double));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(double));
    return v;
  }
  bool operator==(const DatasetBytes& o) const { return shape == o.shape && bytes == o.bytes; }
};

namespace detail {
inline void collect(hid_t group, const std::string& prefix,
                    std::map<std::string, DatasetBytes>& out) {
  for (const auto& name : h5::list_children(group)) {
    const hid_t obj = H5Oopen(group, name.c_str(), H5P_DEFAULT);
    if (obj < 0) throw std::runtime_error("cannot open " + prefix + name);
    const H5I_type_t type = H5Iget_type(obj);
    if (type == H5I_GROUP) {
      collect(obj, prefix + name + "/", out);
    } else if (type == H5I_DATASET) {
      DatasetBytes d;
      const hid_t dtype = H5Dget_type(obj);
      const bool is_string = H5Tget_class(dtype) == H5T_STRING;
      H5Tclose(dtype);
      if (is_string) {
        for (const auto& s : h5::read_strings(group, name)) d.bytes += s + '\0';
      } else {
        d.shape = h5::shape(obj);
        std::uint64_t n = 1;
        for (auto x : d.shape) n *= x;
        std::vector<double> v(n);
        if (n > 0)
          h5::read_box(obj, std::vector<std::uint64_t>(d.shape.size(), 0), d.shape, v.data());
        d.bytes.assign(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
      }
      out[prefix + name] = std::move(d);
    }
    H5Oclose(obj);
  }
}
}  // namespace detail

// Every dataset under `group_path` of an HDF5 file, by path relative to that group.
inline std::map<std::string, DatasetBytes> read_all_datasets(const std::filesystem::path& file,
                                                             const std::string& group_path = "/") {
  h5::Handle f = h5::open_file_readonly(file.string());
  h5::Handle g = h5::open_group(f.get(), group_path);
  std::map<std::string, DatasetBytes> out;
  detail::collect(g.get(), "", out);
  return out;
}

}  // namespace hashsim::test_support
