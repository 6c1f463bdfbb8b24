#include "engine/util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/util/error.h"

namespace hashsim {

namespace {
void fsync_path(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}
}  // namespace

AtomicOutput::AtomicOutput(std::filesystem::path target)
    : target_(std::move(target)), partial_(target_.string() + ".partial") {
  const auto dir = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create output directory " + dir.string() + ": " + ec.message());
  std::filesystem::remove(partial_, ec);
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(partial_, ec);
  }
}

void AtomicOutput::commit() {
  fsync_path(partial_);
  std::error_code ec;
  std::filesystem::rename(partial_, target_, ec);
  if (ec) throw Error("cannot rename " + partial_.string() + " to " + target_.string() + ": " + ec.message());
  committed_ = true;
}

void write_file_atomic(const std::filesystem::path& path, const std::string& contents) {
  AtomicOutput out(path);
  {
    std::ofstream f(out.partial_path(), std::ios::binary | std::ios::trunc);
    if (!f) throw Error("cannot write " + out.partial_path().string() + ": " + std::strerror(errno));
    f << contents;
    f.flush();
    if (!f) throw Error("write failed for " + out.partial_path().string());
  }
  out.commit();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace hashsim
