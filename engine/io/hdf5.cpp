#include "engine/io/hdf5.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "engine/util/error.h"

namespace hashsim::h5 {

namespace {
// The operating system's reason for the innermost failure on HDF5's error stack (its file drivers
// record errno text as "error message = '...'"), or "" when the failure was not an I/O error.
std::string os_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        const std::string desc = e->desc ? e->desc : "";
        const auto at = desc.find("error message = '");
        if (at != std::string::npos) {
          const auto from = at + 17;
          *static_cast<std::string*>(data) = desc.substr(from, desc.find('\'', from) - from);
        }
        return 0;
      },
      &reason);
  return reason;
}
// "<dataset> in <file>" for messages about an open object.
std::string where(hid_t obj) {
  char name[512] = {0}, file[4096] = {0};
  H5Iget_name(obj, name, sizeof name);
  H5Fget_name(obj, file, sizeof file);
  return std::string(name) + " in " + file;
}
void check(herr_t rc, const std::string& what) {
  if (rc < 0) {
    const std::string reason = os_reason();
    throw Error("HDF5: " + what + " failed" + (reason.empty() ? "" : ": " + reason));
  }
}
Handle checked(hid_t id, herr_t (*closer)(hid_t), const std::string& what) {
  if (id < 0) throw Error("HDF5: " + what + " failed");
  return Handle(id, closer);
}
Handle lcpl_with_parents() {
  Handle p = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "property list");
  check(H5Pset_create_intermediate_group(p.get(), 1), "set_create_intermediate_group");
  return p;
}
Handle vlen_string_type() {
  Handle t = checked(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "string size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "string cset");
  return t;
}
}  // namespace

namespace {
std::atomic<bool> g_close_failed{false};
}  // namespace
void note_failed_close() noexcept { g_close_failed.store(true); }
bool close_failed() noexcept { return g_close_failed.load(); }

void flush(hid_t obj) {
  if (H5Fflush(obj, H5F_SCOPE_GLOBAL) >= 0) return;
  const std::string reason = os_reason();
  char file[4096] = {0};
  H5Fget_name(obj, file, sizeof file);
  throw Error("HDF5: writing " + std::string(file) +
              " failed: " + (reason.empty() ? "disk full or I/O error?" : reason));
}

void quiet_hdf5_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

void Handle::close(const std::string& what) {
  if (id_ < 0) return;
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  if (closer_ && closer_(id) < 0) {
    note_failed_close();
    const std::string reason = os_reason();
    throw Error("HDF5: closing " + what +
                " failed: " + (reason.empty() ? "disk full or I/O error?" : reason));
  }
}

namespace {
Handle strong_close_fapl() {
  Handle fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access property list");
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "set_fclose_degree");
  return fapl;
}
}  // namespace

Handle create_file(const std::string& path) {
  quiet_hdf5_errors();
  Handle fapl = strong_close_fapl();
  return checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
                 "creating " + path);
}

Handle open_file_readwrite(const std::string& path) {
  quiet_hdf5_errors();
  Handle fapl = strong_close_fapl();
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get());
  if (f < 0) throw Error(path + ": cannot open for writing as an HDF5 file (damaged or not HDF5)");
  return Handle(f, H5Fclose);
}

void close_file(Handle& file, const std::string& path) {
  if (!file.valid()) return;
  if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) {
    const std::string reason = os_reason();
    file.reset();
    throw Error("HDF5: writing " + path +
                " failed: " + (reason.empty() ? "disk full or I/O error?" : reason));
  }
  file.close(path);
}

Handle open_file_readonly(const std::string& path) {
  quiet_hdf5_errors();
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0)
    throw Error(path + ": cannot open as an HDF5 results file (missing, unreadable or not HDF5)");
  return Handle(f, H5Fclose);
}

Handle create_group(hid_t parent, const std::string& name) {
  Handle lcpl = lcpl_with_parents();
  return checked(H5Gcreate2(parent, name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                 "creating group " + name);
}

Handle open_group(hid_t parent, const std::string& name) {
  hid_t g = H5Gopen2(parent, name.c_str(), H5P_DEFAULT);
  if (g < 0) throw Error("HDF5: no group '" + name + "' in the results file");
  return Handle(g, H5Gclose);
}

bool exists(hid_t parent, const std::string& path) {
  // Check each component, as H5Lexists requires the intermediate links to exist.
  std::size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (!prefix.empty() && H5Lexists(parent, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

Handle create_array(hid_t parent, const std::string& name, const std::vector<std::uint64_t>& dims,
                    const std::vector<std::uint64_t>& chunk, int deflate_level) {
  const int nd = static_cast<int>(dims.size());
  std::vector<hsize_t> d(dims.begin(), dims.end());
  std::vector<hsize_t> c(d.size());
  for (std::size_t i = 0; i < d.size(); ++i)
    c[i] = std::max<hsize_t>(1, std::min<hsize_t>(d[i], i < chunk.size() ? chunk[i] : d[i]));
  Handle space = checked(H5Screate_simple(nd, d.data(), nullptr), H5Sclose, "dataspace");
  Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "dcpl");
  bool any_zero = false;
  for (auto x : d) any_zero = any_zero || x == 0;
  if (!any_zero) {
    check(H5Pset_chunk(dcpl.get(), nd, c.data()), "set_chunk");
    // Every element is written by the runner, so chunks need no fill pass (a memset per chunk).
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "set_fill_time");
    if (deflate_level > 0) {
      check(H5Pset_shuffle(dcpl.get()), "set_shuffle");
      check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(deflate_level)), "set_deflate");
    }
  }
  Handle lcpl = lcpl_with_parents();
  return checked(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(), lcpl.get(),
                            dcpl.get(), H5P_DEFAULT),
                 H5Dclose, "creating dataset " + name);
}

void write_rows(hid_t dataset, std::uint64_t row0, std::uint64_t n_rows, const double* data) {
  Handle file_space = checked(H5Dget_space(dataset), H5Sclose, "get_space");
  const int nd = H5Sget_simple_extent_ndims(file_space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(nd));
  H5Sget_simple_extent_dims(file_space.get(), dims.data(), nullptr);
  std::vector<hsize_t> start(dims.size(), 0), count(dims);
  start[0] = row0;
  count[0] = n_rows;
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        "select");
  Handle mem_space = checked(H5Screate_simple(nd, count.data(), nullptr), H5Sclose, "mem space");
  check(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, data),
        "writing rows of " + where(dataset));
}

void read_box(hid_t dataset, const std::vector<std::uint64_t>& start_in,
              const std::vector<std::uint64_t>& count_in, double* out) {
  Handle file_space = checked(H5Dget_space(dataset), H5Sclose, "get_space");
  std::vector<hsize_t> start(start_in.begin(), start_in.end()),
      count(count_in.begin(), count_in.end());
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        "select");
  Handle mem_space =
      checked(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose,
              "mem space");
  check(H5Dread(dataset, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, out),
        "reading block");
}

std::vector<std::uint64_t> shape(hid_t dataset) {
  Handle space = checked(H5Dget_space(dataset), H5Sclose, "get_space");
  const int nd = H5Sget_simple_extent_ndims(space.get());
  if (nd < 0) throw Error("HDF5: bad dataspace");
  std::vector<hsize_t> dims(static_cast<std::size_t>(nd));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return std::vector<std::uint64_t>(dims.begin(), dims.end());
}

Handle open_dataset(hid_t parent, const std::string& name) {
  if (!exists(parent, name)) throw Error("HDF5: the results file has no dataset '" + name + "'");
  return checked(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "opening dataset " + name);
}

namespace {
template <class T>
void write_1d(hid_t parent, const std::string& name, const std::vector<T>& v, hid_t file_type,
              hid_t mem_type) {
  hsize_t dims[1] = {v.size()};
  Handle space = checked(H5Screate_simple(1, dims, nullptr), H5Sclose, "dataspace");
  Handle lcpl = lcpl_with_parents();
  Handle ds = checked(H5Dcreate2(parent, name.c_str(), file_type, space.get(), lcpl.get(),
                                 H5P_DEFAULT, H5P_DEFAULT),
                      H5Dclose, "creating dataset " + name);
  if (!v.empty())
    check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
          "writing " + where(ds.get()));
}
}  // namespace

void write_vector(hid_t parent, const std::string& name, const std::vector<double>& v) {
  write_1d(parent, name, v, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}
void write_vector(hid_t parent, const std::string& name, const std::vector<std::int64_t>& v) {
  write_1d(parent, name, v, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& v) {
  std::vector<const char*> ptrs;
  ptrs.reserve(v.size());
  for (const auto& s : v) ptrs.push_back(s.c_str());
  Handle type = vlen_string_type();
  hsize_t dims[1] = {v.size()};
  Handle space = checked(H5Screate_simple(1, dims, nullptr), H5Sclose, "dataspace");
  Handle lcpl = lcpl_with_parents();
  Handle ds = checked(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), lcpl.get(),
                                 H5P_DEFAULT, H5P_DEFAULT),
                      H5Dclose, "creating dataset " + name);
  if (!v.empty())
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
          "writing " + name);
}

std::vector<double> read_vector(hid_t parent, const std::string& name) {
  Handle ds = open_dataset(parent, name);
  const auto dims = shape(ds.get());
  std::uint64_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<double> v(n);
  if (n)
    check(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
          "reading " + name);
  return v;
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
  Handle ds = open_dataset(parent, name);
  const auto dims = shape(ds.get());
  // The buffer must hold every element H5S_ALL reads: only 1-D variable-length strings are ours.
  {
    Handle t = checked(H5Dget_type(ds.get()), H5Tclose, "type of " + name);
    if (dims.size() != 1 || H5Tget_class(t.get()) != H5T_STRING || H5Tis_variable_str(t.get()) <= 0)
      throw Error("HDF5: dataset " + where(ds.get()) +
                  ": expected a 1-D array of variable-length strings");
  }
  std::vector<char*> ptrs(dims[0], nullptr);
  Handle type = vlen_string_type();
  if (!ptrs.empty())
    check(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
          "reading " + name);
  std::vector<std::string> out;
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

namespace {
// Replaces attribute `name` of obj with one scalar of file type `stored`, written from `value` of
// memory type `in_memory`.
void write_scalar_attr(hid_t obj, const std::string& name, hid_t stored, hid_t in_memory,
                       const void* value) {
  Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  Handle a = checked(H5Acreate2(obj, name.c_str(), stored, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                     H5Aclose, "attribute " + name);
  check(H5Awrite(a.get(), in_memory, value), "writing attribute " + name);
}
}  // namespace

void set_attr(hid_t obj, const std::string& name, const std::string& value) {
  Handle type = vlen_string_type();
  const char* p = value.c_str();
  write_scalar_attr(obj, name, type.get(), type.get(), &p);
}

void set_attr(hid_t obj, const std::string& name, double value) {
  write_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void set_attr(hid_t obj, const std::string& name, std::int64_t value) {
  write_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

std::optional<std::string> get_string_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  Handle a = checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, "attribute " + name);
  Handle type = vlen_string_type();
  char* p = nullptr;
  check(H5Aread(a.get(), type.get(), &p), "reading attribute " + name);
  std::string s = p ? p : "";
  H5free_memory(p);
  return s;
}

std::optional<double> get_double_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  Handle a = checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, "attribute " + name);
  double v = 0;
  check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v), "reading attribute " + name);
  return v;
}

std::optional<std::int64_t> get_int_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  Handle a = checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, "attribute " + name);
  std::int64_t v = 0;
  check(H5Aread(a.get(), H5T_NATIVE_INT64, &v), "reading attribute " + name);
  return v;
}

std::vector<std::string> list_children(hid_t group) {
  std::vector<std::string> names;
  H5Literate(
      group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names);
  return names;
}

}  // namespace hashsim::h5
