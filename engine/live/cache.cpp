#include "engine/live/cache.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "engine/live/timestamps.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::live {

std::optional<Snapshot> load_cached_snapshot(const std::filesystem::path& cache_dir) {
  if (cache_dir.empty()) return std::nullopt;
  const auto path = cache_dir / kSnapshotCacheFile;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  try {
    Snapshot s = snapshot_from_text(read_file(path));
    // Values the cache hands out must have a fetch time: it is how age and staleness are judged.
    for (int i = 0; i < kValueCount; ++i) {
      auto& v = s.values[static_cast<std::size_t>(i)];
      if (v && (!v->fetched_at || !parse_utc_iso8601(*v->fetched_at) || v->source == "static" ||
                v->source == "cache")) {
        spdlog::warn(
            "live data cache {}: ignoring {} (no valid fetch time or not a provider value)",
            path.string(), value_key_name(static_cast<ValueKey>(i)));
        v.reset();
      }
    }
    return s;
  } catch (const std::exception& e) {
    spdlog::warn("live data cache {} is unreadable and will be ignored and refetched: {}",
                 path.string(), e.what());
    return std::nullopt;
  }
}

void save_cached_snapshot(const std::filesystem::path& cache_dir, const Snapshot& snapshot) {
  if (cache_dir.empty()) return;
  write_file_atomic(cache_dir / kSnapshotCacheFile, snapshot_to_text(snapshot) + "\n");
}

CallBudget::CallBudget(std::filesystem::path cache_dir, int daily_limit)
    : dir_(std::move(cache_dir)),
      limit_(daily_limit),
      day_(format_utc_iso8601(now_unix_s()).substr(0, 10)) {
  if (limit_ <= 0 || dir_.empty()) return;
  const auto path = dir_ / kCallCountFile;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  try {
    const auto j = nlohmann::json::parse(read_file(path));
    if (j.at("day").get<std::string>() == day_) used_ = std::max(0, j.at("calls").get<int>());
  } catch (const std::exception& e) {
    spdlog::warn("live data call counter {} is unreadable, starting from 0: {}", path.string(),
                 e.what());
  }
}

bool CallBudget::try_consume() {
  if (limit_ <= 0) return true;
  if (used_ >= limit_) return false;
  ++used_;
  save();
  return true;
}

void CallBudget::save() const {
  if (dir_.empty()) return;
  try {
    write_file_atomic(dir_ / kCallCountFile,
                      nlohmann::json{{"day", day_}, {"calls", used_}}.dump() + "\n");
  } catch (const std::exception& e) {
    spdlog::warn("cannot update the live data call counter: {}", e.what());
  }
}

}  // namespace hashsim::live
