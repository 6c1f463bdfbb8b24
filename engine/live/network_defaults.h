#pragma once
// Static network defaults (data/network_defaults.yaml): the offline start state and the last step
// of every fallback chain. The YAML is compiled in so an installed binary needs no data files.
#include <array>
#include <filesystem>
#include <string>

#include "engine/live/parsers.h"
#include "engine/live/snapshot.h"

namespace hashsim::live {

struct StaticDefault {
  double value = 0.0;
  std::string as_of;   // YYYY-MM-DD the value describes
  std::string source;  // where it was copied from
};

struct NetworkDefaults {
  std::array<StaticDefault, kValueCount> values{};  // indexed by ValueKey
  StaticDefault fee_btc_per_block;                  // not a snapshot value, but a start condition
  std::string file;                                 // for messages: path or "<built-in>"

  const StaticDefault& at(ValueKey key) const { return values[static_cast<int>(key)]; }
};

const std::string& builtin_network_defaults_yaml();
// Strict: every key present, values inside the plausibility bounds, unknown keys rejected.
NetworkDefaults parse_network_defaults(const std::string& yaml_text,
                                       const std::string& file_for_errors);
// Empty path: the built-in copy.
NetworkDefaults load_network_defaults(const std::filesystem::path& file = {});

// Plausible range today for a value from a provider or the cache, relative to the static defaults
// (the last observation we trust), intersected with the absolute bounds of parsers.h:
//   prices               default x [1/20, 20]   (largest 1-year moves of BTC: -84 % in 2018, x19 in
//   2017) difficulty, hashrate default x [1/4, 16]    (largest 1-year falls about -50 %, rises
//   about x7) FX rates             default x [1/2, 2] height               [default, default + 1.5
//   (now - as_of) / 600 s + 1000]: the chain never
//                        shrinks below an observed height, and blocks do not come more than 1.5x
//                        faster than the 10-minute target over months.
// A value outside is a provider bug, a unit mix-up, a wrong chain (testnet) or a corrupt cache.
Bounds plausible_bounds(const NetworkDefaults& d, ValueKey key, std::int64_t now_unix_s);
// "" when plausible, else the reason ("height = 0 is outside the plausible range [...]").
std::string check_plausible(const NetworkDefaults& d, ValueKey key, double v,
                            std::int64_t now_unix_s);

// The value as a snapshot entry: source "static", provider_time = as_of, always stale (it is a
// fixed past observation, not today's network).
LiveValue static_value(const NetworkDefaults& d, ValueKey key);

}  // namespace hashsim::live
