#pragma once
// On-disk cache of the last good live values (one snapshot file) and of today's call count (the
// optional daily budget). Values are stored with their original provider as source; readers
// relabel them "cache". A missing, unreadable or corrupt file is treated as absent, with a
// warning, so a bad cache can cost a refetch but never a run.
#include <filesystem>
#include <optional>

#include "engine/live/snapshot.h"

namespace hashsim::live {

inline constexpr const char* kSnapshotCacheFile = "network_snapshot.json";
inline constexpr const char* kCallCountFile = "call_count.json";

std::optional<Snapshot> load_cached_snapshot(const std::filesystem::path& cache_dir);
// Atomic (temp file + rename): a crash mid-write leaves the previous cache intact.
void save_cached_snapshot(const std::filesystem::path& cache_dir, const Snapshot& snapshot);

// Requests made today (UTC) against a daily limit, persisted across processes. Concurrent
// hashsim processes may each count a call the other did not see yet; the limit is advisory
// politeness, not accounting.
class CallBudget {
 public:
  CallBudget(std::filesystem::path cache_dir, int daily_limit);
  // True and counts one call if the limit allows; false once today's limit is used up.
  bool try_consume();
  int used_today() const { return used_; }
  int daily_limit() const { return limit_; }
  bool exhausted() const { return limit_ > 0 && used_ >= limit_; }

 private:
  void save() const;
  std::filesystem::path dir_;
  int limit_;
  std::string day_;
  int used_ = 0;
};

}  // namespace hashsim::live
