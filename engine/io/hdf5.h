#pragma once
// Thin RAII layer over the HDF5 C API: move-only handles, typed helpers for the few shapes
// hashsim writes (2-D float64 [paths, days] chunked, 1-D arrays, scalar and string attributes).
// Every failure throws hashsim::Error naming the file and object.
#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashsim::h5 {

void note_failed_close() noexcept;  // see close_failed() below

class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*closer)(hid_t)) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      closer_ = o.closer_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Destructors cannot report failure: a writer calls close() (or h5::close_file) on everything
  // whose close may write (files, datasets) and checks it; reset() is for error paths.
  void reset() noexcept {
    if (id_ >= 0 && closer_ && closer_(id_) < 0) note_failed_close();
    id_ = H5I_INVALID_HID;
  }
  // Closes now and throws hashsim::Error naming `what` when the close fails (the last buffered
  // writes happen here, so a full disk often shows up only now).
  void close(const std::string& what);

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*closer_)(hid_t) = nullptr;
};

// Silences HDF5's own error stack printing once per process; our messages say what failed.
void quiet_hdf5_errors();

// A file whose close failed (full disk) stays open inside HDF5 1.10, and the library's exit
// handler then crashes closing it again. The CLI asks close_failed() and, after its own cleanup,
// ends the process without running exit handlers (hashsim issue 16.23).
void note_failed_close() noexcept;
bool close_failed() noexcept;

// H5Fflush of the file holding `obj`; throws hashsim::Error with the file name and the system's
// reason (e.g. "File too large", "No space left on device").
void flush(hid_t obj);

// Creates (truncates) a file; writers pass AtomicOutput's partial path, which it has checked to be
// absent or a regular file it removed. Closing the file also closes every object still open in it
// (H5F_CLOSE_STRONG), so close_file's check covers all buffered data.
Handle create_file(const std::string& path);
Handle open_file_readonly(const std::string& path);
Handle open_file_readwrite(const std::string& path);  // for --resume
// Flushes and closes a file opened for writing, checking both: the only way a writer may end
// before renaming its partial file into place.
void close_file(Handle& file, const std::string& path);
Handle create_group(hid_t parent, const std::string& name);  // creates intermediate groups
Handle open_group(hid_t parent, const std::string& name);
bool exists(hid_t parent, const std::string& path);

// N-d float64 dataset (N >= 1), chunked with the given chunk shape (clipped to dims), optional
// shuffle + deflate.
Handle create_array(hid_t parent, const std::string& name, const std::vector<std::uint64_t>& dims,
                    const std::vector<std::uint64_t>& chunk, int deflate_level);
// Writes the leading-index slab [row0, row0 + n_rows) x (all other dims) from a row-major buffer.
void write_rows(hid_t dataset, std::uint64_t row0, std::uint64_t n_rows, const double* data);
// Reads the box starting at `start` with extents `count` (one entry per dim) into a row-major
// buffer.
void read_box(hid_t dataset, const std::vector<std::uint64_t>& start,
              const std::vector<std::uint64_t>& count, double* out);
std::vector<std::uint64_t> shape(hid_t dataset);
Handle open_dataset(hid_t parent, const std::string& name);

void write_vector(hid_t parent, const std::string& name, const std::vector<double>& v);
void write_vector(hid_t parent, const std::string& name, const std::vector<std::int64_t>& v);
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& v);
std::vector<double> read_vector(hid_t parent, const std::string& name);
std::vector<std::string> read_strings(hid_t parent, const std::string& name);

void set_attr(hid_t obj, const std::string& name, const std::string& value);
void set_attr(hid_t obj, const std::string& name, double value);
void set_attr(hid_t obj, const std::string& name, std::int64_t value);
std::optional<std::string> get_string_attr(hid_t obj, const std::string& name);
std::optional<double> get_double_attr(hid_t obj, const std::string& name);
std::optional<std::int64_t> get_int_attr(hid_t obj, const std::string& name);
std::vector<std::string> list_children(hid_t group);

}  // namespace hashsim::h5
