#pragma once
// Today's network (price, difficulty, hashrate, height, FX) with an honest record of where each
// number came from. Per value the chain is: live provider (with a fallback provider for the
// price) -> last cached value, even if stale -> static default (data/network_defaults.yaml).
// Provider calls are polite: one consolidated request per provider per refresh, bounded retries,
// a fresh cache means no request at all, and an optional daily call limit.
#include <string>
#include <vector>

#include "engine/live/options.h"
#include "engine/live/snapshot.h"
#include "engine/scenario/scenario.h"
#include "engine/util/error.h"

namespace hashsim::live {

// Never throws for network or provider trouble (that is what the fallbacks are for); throws
// hashsim::Error only if the static defaults themselves are unusable.
Snapshot build_snapshot(const LiveOptions& opts);

// For start.source static / live / cached: fills date, price_usd, network_hashrate_ths,
// difficulty, height and fee_btc_per_block, and sets provenance_json to the snapshot JSON.
// static never reads the cache or the network; cached never touches the network; live follows
// opts.mode. start.source scenario is left untouched. Day 0 is the day the price was observed.
// require_live (`--require-live` on run, sweep and site --sweep): throws NotLiveError naming
// every start value (price, hashrate, difficulty, height) that is not live (not_live_values),
// before anything is filled in.
void fill_start_conditions(hashsim::scenario::StartConditions& start, const LiveOptions& opts,
                           bool require_live = false);

// Live values were required and some are not (the message names them). The CLI says which flag
// asked for them.
struct NotLiveError : hashsim::Error {
  using hashsim::Error::Error;
};

// `--require-live`: a value is live when it came from a provider (now, or from a cache entry
// younger than the TTL) and is not stale; static defaults and stale values are not. One line per
// value of `keys` that is not live ("price_usd: static default (why)"); empty when all are live.
std::vector<std::string> not_live_values(const Snapshot& s, const std::vector<ValueKey>& keys);
// The values a run's start conditions take from the live-data layer.
std::vector<ValueKey> start_value_keys();

struct ProbeResult {
  std::string provider;  // "CoinGecko", ...
  std::string endpoint;  // URL, secrets redacted
  bool ok = false;       // the value could be used live
  std::string state;     // "up", "DOWN" (no usable answer), "BAD" (implausible), "STALE" (old or
                         // future timestamp)
  long http_status = 0;  // 0: no HTTP answer
  double latency_ms = 0.0;
  std::string value;  // parsed value(s) when ok
  std::string error;  // why not, when !ok
};

// One request per endpoint, all at once under the refresh deadline, no retries, no cache, outside
// the daily limit (a health check is an explicit request to look). The same plausibility bounds
// and staleness limits as a refresh decide whether an answer is usable.
std::vector<ProbeResult> probe_providers(const LiveOptions& opts);

}  // namespace hashsim::live
