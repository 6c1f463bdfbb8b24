#pragma once
// Static network defaults (data/network_defaults.yaml): the offline start state and the last step
// of every fallback chain. The YAML is compiled in so an installed binary needs no data files.
#include <array>
#include <filesystem>
#include <string>

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
NetworkDefaults parse_network_defaults(const std::string& yaml_text, const std::string& file_for_errors);
// Empty path: the built-in copy.
NetworkDefaults load_network_defaults(const std::filesystem::path& file = {});

// The value as a snapshot entry: source "static", provider_time = as_of, always stale (it is a
// fixed past observation, not today's network).
LiveValue static_value(const NetworkDefaults& d, ValueKey key);

}  // namespace hashsim::live
