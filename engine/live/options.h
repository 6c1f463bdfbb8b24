#pragma once
// Settings of the live-data layer. Everything comes from the environment (so secrets never sit
// in a scenario file or a command line that lands in provenance) and may be overridden by CLI
// flags. Variables: README.md, section "Live network data".
#include <cstdint>
#include <filesystem>
#include <string>

#include "engine/net/http_client.h"
#include "engine/util/env.h"

namespace hashsim::live {

enum class LiveMode {
  Auto,        // fresh cache if any, else fetch; fall back to cache, then static
  Refresh,     // always fetch (bypass a fresh cache); fall back as Auto
  CacheOnly,   // never touch the network: cache (even stale), then static
  StaticOnly,  // static defaults only; no cache, no network
};

struct Endpoints {
  std::string coingecko = "https://api.coingecko.com";
  std::string coinbase = "https://api.coinbase.com";
  std::string blockchain_info = "https://blockchain.info";
  std::string mempool_space = "https://mempool.space";
  std::string frankfurter = "https://api.frankfurter.app";
};

struct LiveOptions {
  LiveMode mode = LiveMode::Auto;
  Endpoints endpoints{};
  std::filesystem::path cache_dir;  // empty: no cache (nothing read or written)
  std::int64_t cache_ttl_s = std::int64_t{24} * 3600;
  long connect_timeout_ms = 3000;
  long total_timeout_ms = 8000;
  net::RetryPolicy retry{};
  // One deadline for a whole refresh (all providers, fetched concurrently, retries included): a
  // hanging provider costs at most this long, then its value falls back to the cache or static.
  long refresh_deadline_ms = 10000;
  int daily_call_limit = 0;                             // HTTP requests per UTC day; 0 = no limit
  std::int64_t max_price_age_s = 3600;                  // provider timestamp older than this: stale
  std::int64_t max_fx_age_s = std::int64_t{5} * 86400;  // ECB rates skip weekends and holidays
  // A provider timestamp or cached fetch time further than this in the future is not believed
  // (clocks of this machine and the provider disagree by more than NTP ever allows).
  std::int64_t max_clock_skew_s = 300;
  std::string user_agent;               // sent as User-Agent
  std::string coingecko_api_key;        // secret: header only, never printed
  std::filesystem::path defaults_file;  // empty: built-in data/network_defaults.yaml

  // Every secret, for redaction.
  std::vector<std::string> secrets() const;
};

using hashsim::EnvLookup;       // engine/util/env.h
using hashsim::process_env;     // engine/util/env.h
using net::default_user_agent;  // engine/net/http_client.h

// Reads LIVE_DATA_*, COINGECKO_API_KEY, HASHSIM_CACHE_DIR, XDG_CACHE_HOME, HOME and
// HASHSIM_OFFLINE. Malformed numbers throw hashsim::Error naming the variable (never echoing a
// secret's value).
LiveOptions live_options_from_env(const EnvLookup& env = process_env);

// $HASHSIM_CACHE_DIR, else $XDG_CACHE_HOME/hashsim, else $HOME/.cache/hashsim, else "" (no cache).
std::filesystem::path default_cache_dir(const EnvLookup& env = process_env);

}  // namespace hashsim::live
