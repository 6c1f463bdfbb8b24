#pragma once
// Internal to engine/live: the snapshot refresh. Per value the chain is live provider -> last
// cached value -> static default; the providers (which endpoint answers which value, how its
// answer is judged) are in providers.cpp, the fallback chain and the cache in live_data.cpp.
#include <array>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/live/cache.h"
#include "engine/live/fetcher.h"
#include "engine/live/network_defaults.h"
#include "engine/live/options.h"
#include "engine/live/parsers.h"
#include "engine/live/snapshot.h"
#include "engine/util/units.h"

namespace hashsim::live {

// Per value: a live result, or the reasons there is none.
struct Candidate {
  std::optional<LiveValue> live;
  std::vector<std::string> errors;  // "CoinGecko: timeout"
};

// "a; b; c"
std::string join(const std::vector<std::string>& parts);

// A lower tip height than the cached one by at most this many blocks (one day) is a provider that
// lags behind: the cached height stands. A larger drop means one of the two is wrong; the fresh
// value has just passed the plausibility bounds while the cached one cannot be checked again, so
// the fresh one wins (with a note) rather than one bad value blocking every later real height.
inline constexpr double kHeightLagToleranceBlocks = units::kBlocksPerDay;

class SnapshotBuilder {
 public:
  explicit SnapshotBuilder(const LiveOptions& opts);
  Snapshot build();

 private:
  Candidate& cand(ValueKey k) { return cands_[static_cast<std::size_t>(k)]; }
  std::optional<LiveValue> cached(ValueKey k) const {
    if (!cache_) return std::nullopt;
    return cache_->values[static_cast<std::size_t>(k)];
  }
  // The cache is checked on read exactly as a provider's answer is on fetch: a value outside the
  // plausible range, or fetched "in the future", is dropped (and said so in the value's note).
  void load_cache();
  bool fresh_in_cache(ValueKey k) const;
  bool needs_fetch(std::initializer_list<ValueKey> keys) const;
  void fail_all(std::initializer_list<ValueKey> keys, const std::string& error);
  // A parsed value is accepted only inside the plausible range (network_defaults.h).
  void accept(ValueKey k, ParsedValue p, const std::string& label,
              const std::function<LiveValue(double)>& make);
  void fetch_fx();
  // The FX rate the price conversion uses: live if we have it, else whatever the chain resolves.
  LiveValue fx_for(ValueKey k);
  void fetch_price();
  // A fiat price the provider did not quote is derived from the live USD price and the FX rate,
  // rather than mixing a live USD price with a stale cached GBP one. Runs after the FX fetch.
  void derive_fiat_prices();
  void fetch_plain(ValueKey k, const ProviderCall& p, const std::string& source,
                   const std::function<ParsedValue(const std::string&)>& parse, double scale,
                   const std::string& note);
  void fetch_difficulty();
  void fetch_hashrate();
  void fetch_height();
  LiveValue resolve(ValueKey k, bool log = true);
  void log_fallback(const std::string& message, bool expected);
  void save_cache();

  const LiveOptions& opts_;
  NetworkDefaults defaults_;
  std::int64_t now_;
  std::optional<Snapshot> cache_;
  std::array<std::string, kValueCount> cache_rejected_{};
  CallBudget budget_;
  Fetcher fetcher_;
  std::array<Candidate, kValueCount> cands_{};
  std::set<std::string> logged_;
};

}  // namespace hashsim::live
