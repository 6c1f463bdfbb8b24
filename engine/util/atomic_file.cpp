#include "engine/util/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE (glibc >= 2.28)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/util/error.h"
#include "engine/util/option_error.h"
#include "engine/util/signals.h"

namespace hashsim {

namespace {
std::string errno_text(int e) { return std::strerror(e); }

const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISLNK(m)) return "a symbolic link";
  return "not a regular file";
}

// What is at `p` (without following a final symlink): false when nothing is there.
bool lstat_path(const std::filesystem::path& p, struct stat& st) {
  if (::lstat(p.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  throw Error("cannot inspect output path " + p.string() + ": " + errno_text(errno));
}

// Refuses anything but a regular file at `p`; returns whether a regular file is there.
bool regular_or_absent(const std::filesystem::path& p, const std::string& role) {
  struct stat st {};
  if (!lstat_path(p, st)) return false;
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    const auto to = std::filesystem::read_symlink(p, ec);
    throw Error(role + " " + p.string() + " is a symbolic link" + (ec ? "" : " to " + to.string()) +
                "; hashsim never writes through or replaces a link: give the real path");
  }
  if (!S_ISREG(st.st_mode))
    throw Error(role + " " + p.string() + " is " + kind_of(st.st_mode) +
                ", not a regular file; refusing to replace it");
  return true;
}

std::filesystem::path partial_of(const std::filesystem::path& target) {
  return target.string() + ".partial";
}

void check_paths(const std::filesystem::path& target, Overwrite mode) {
  if (target.empty()) throw Error("output path is empty");
  if (regular_or_absent(target, "output") && mode == Overwrite::kRefuse)
    throw OptionError("output " + target.string() + " already exists; pass {force} to replace it");
  const auto partial = partial_of(target);
  if (regular_or_absent(partial, "partial output") && mode == Overwrite::kRefuse)
    throw OptionError(partial.string() +
                      " exists (left by an interrupted run?): continue it with {resume} where the "
                      "command has it, or pass {force} to replace it, or remove it");
}

void fsync_checked(const std::filesystem::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + p.string() + " to sync it: " + errno_text(errno));
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0 && e != EINVAL && e != EROFS)
    throw Error("writing " + p.string() + " failed (fsync): " + errno_text(e));
}
}  // namespace

void check_output_path(const std::filesystem::path& target, Overwrite mode) {
  check_paths(target, mode);
}

AtomicOutput::AtomicOutput(std::filesystem::path target, Overwrite mode)
    : target_(std::move(target)), partial_(partial_of(target_)), mode_(mode) {
  check_paths(target_, mode_);
  const auto dir = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create output directory " + dir.string() + ": " + ec.message());
  struct stat st {};
  if (lstat_path(partial_, st)) {
    if (mode_ == Overwrite::kResume) {
      partial_kept_ = true;
    } else if (::unlink(partial_.c_str()) != 0) {
      throw Error("cannot remove the leftover " + partial_.string() + ": " + errno_text(errno));
    }
  }
  if (mode_ != Overwrite::kResume) signal_slot_ = register_remove_on_interrupt(partial_.string());
}

AtomicOutput::~AtomicOutput() {
  unregister_remove_on_interrupt(signal_slot_);
  if (!committed_ && mode_ != Overwrite::kResume) ::unlink(partial_.c_str());
}

void AtomicOutput::discard() noexcept {
  unregister_remove_on_interrupt(signal_slot_);
  signal_slot_ = -1;
  ::unlink(partial_.c_str());
}

void AtomicOutput::commit() {
  // The partial must still be the regular file the writer produced.
  if (!regular_or_absent(partial_, "partial output"))
    throw Error(partial_.string() + " disappeared before it was complete");
  fsync_checked(partial_);
  // Re-check the target: something may have appeared there during a long run.
  const bool exists = regular_or_absent(target_, "output");
  if (exists && mode_ == Overwrite::kRefuse)
    throw OptionError("output " + target_.string() +
                      " appeared while the run was writing; pass {force} to replace it");
  if (mode_ == Overwrite::kRefuse) {
    // Atomically fails if the target appeared since the check above.
    if (::renameat2(AT_FDCWD, partial_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) != 0) {
      const int e = errno;
      if (e == EEXIST)
        throw OptionError("output " + target_.string() +
                          " appeared while the run was writing; pass {force} to replace it");
      // Filesystems without RENAME_NOREPLACE: the check above is the best we can do.
      if ((e != EINVAL && e != ENOSYS && e != ENOTSUP) ||
          ::rename(partial_.c_str(), target_.c_str()) != 0)
        throw Error("cannot rename " + partial_.string() + " to " + target_.string() + ": " +
                    errno_text(errno));
    }
  } else if (::rename(partial_.c_str(), target_.c_str()) != 0) {
    throw Error("cannot rename " + partial_.string() + " to " + target_.string() + ": " +
                errno_text(errno));
  }
  committed_ = true;
  unregister_remove_on_interrupt(signal_slot_);
  signal_slot_ = -1;
  // Make the rename itself durable.
  const auto dir = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_file_atomic(const std::filesystem::path& path, const std::string& contents,
                       Overwrite mode) {
  AtomicOutput out(path, mode == Overwrite::kResume ? Overwrite::kReplace : mode);
  const int fd = ::open(out.partial_path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    throw Error("cannot create " + out.partial_path().string() + ": " + errno_text(errno));
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t w = ::write(fd, contents.data() + done, contents.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int e = w < 0 ? errno : EIO;
      ::close(fd);
      throw Error("writing " + path.string() + " failed: " + errno_text(e));
    }
    done += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0)
    throw Error("writing " + path.string() + " failed (close): " + errno_text(errno));
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
