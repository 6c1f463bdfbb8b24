#pragma once
// One writer per ledger: `hashsim blocks sync` holds an exclusive flock(2) on "<ledger>.lock" for
// as long as it writes, so a second sync of the same file stops at once with a clear message
// instead of racing the first one into "UNIQUE constraint failed". The lock file is not the SQLite
// file itself: closing any descriptor of the database would drop SQLite's own POSIX locks.
// Readers (`blocks revenue`) take no lock (SQLite's WAL lets them read during a sync).
#include <filesystem>

namespace hashsim::blocks {

class LedgerLock {
 public:
  // Takes the lock or throws Error naming the process that holds it.
  explicit LedgerLock(const std::filesystem::path& ledger);
  ~LedgerLock();  // removes the lock file, then releases the lock
  LedgerLock(const LedgerLock&) = delete;
  LedgerLock& operator=(const LedgerLock&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace hashsim::blocks
