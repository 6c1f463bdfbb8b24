#include "engine/blocks/ledger_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "engine/util/error.h"

namespace hashsim::blocks {

LedgerLock::LedgerLock(const std::filesystem::path& ledger) : path_(ledger.string() + ".lock") {
  // The holder removes the file before releasing; whoever locked the removed file then retries on
  // the new one (the inode check), so two processes can never both hold "the" lock.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw Error(path_.string() + ": cannot create the ledger lock: " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      char buf[32] = {0};
      const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
      ::close(fd);
      if (err != EWOULDBLOCK)
        throw Error(path_.string() + ": cannot lock the ledger: " + std::strerror(err));
      std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      throw Error("another `hashsim blocks sync`" +
                  (pid.empty() ? std::string() : " (pid " + pid + ")") + " is writing " +
                  ledger.string() + " (lock " + path_.string() +
                  "); wait for it to finish or stop it, then run this again");
    }
    struct stat held {
    }, named{};
    if (::fstat(fd, &held) == 0 && ::stat(path_.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
      const std::string pid = std::to_string(::getpid()) + "\n";
      if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
      fd_ = fd;
      return;
    }
    ::close(fd);  // locked a file its holder has just removed: take the new one
  }
  throw Error(path_.string() + ": could not take the ledger lock (it keeps being replaced)");
}

LedgerLock::~LedgerLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace hashsim::blocks
