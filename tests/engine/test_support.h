#pragma once
// Helpers shared by the engine and agents tests: a self-removing temporary directory, small file
// writers, and a reader that walks an HDF5 results file and returns every dataset's bytes, so
// runs can be compared byte for byte.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <stdlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/io/hdf5.h"
#include "engine/util/error.h"

namespace hashsim::test_support {

inline const std::filesystem::path kSourceDir{HASHSIM_SOURCE_DIR};
inline const std::filesystem::path kBinaryDir{HASHSIM_BINARY_DIR};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hashsim-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The message of the hashsim::Error that `load` throws (a test failure if it throws none;
// `input` is shown in that failure).
template <class Load>
std::string error_of(Load load, const std::string& input) {
  try {
    load();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << input;
  return "";
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
