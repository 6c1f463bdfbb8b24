#include "engine/live/network_defaults.h"

#include "engine/live/parsers.h"

#include <algorithm>

#include "engine/live/timestamps.h"
#include "engine/util/yaml_reader.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::live {

namespace {
Bounds bounds_for(ValueKey key) {
  switch (key) {
    case ValueKey::PriceUsd:
    case ValueKey::PriceGbp:
    case ValueKey::PriceEur:
      return kPriceBounds;
    case ValueKey::Difficulty:
      return kDifficultyBounds;
    case ValueKey::NetworkHashrateThs:
      return kHashrateThsBounds;
    case ValueKey::Height:
      return kHeightBounds;
    case ValueKey::FxUsdGbp:
    case ValueKey::FxUsdEur:
      return kFxBounds;
    case ValueKey::Count:
      break;
  }
  return {0.0, 0.0};
}

StaticDefault read_entry(YamlMap& values, const std::string& key, Bounds b) {
  YamlMap m = values.map(key, true);
  StaticDefault d;
  d.value = m.number("value", b.lo, b.hi);
  d.as_of = m.date("as_of");
  d.source = m.text("source");
  m.finish();
  return d;
}
}  // namespace

NetworkDefaults parse_network_defaults(const std::string& yaml_text, const std::string& file) {
  const YAML::Node root = parse_yaml(yaml_text, file);
  YamlMap top(root, file, "");
  top.integer("schema", 1, 1);
  YamlMap values = top.map("values", true);
  NetworkDefaults d;
  d.file = file;
  for (int i = 0; i < kValueCount; ++i) {
    const auto key = static_cast<ValueKey>(i);
    d.values[static_cast<std::size_t>(i)] =
        read_entry(values, value_key_name(key), bounds_for(key));
  }
  d.fee_btc_per_block = read_entry(values, "fee_btc_per_block", {1e-8, 100.0});
  values.finish();
  top.finish();
  return d;
}

NetworkDefaults load_network_defaults(const std::filesystem::path& file) {
  if (file.empty())
    return parse_network_defaults(builtin_network_defaults_yaml(),
                                  "<built-in network_defaults.yaml>");
  return parse_network_defaults(read_file(file), file.string());
}

Bounds plausible_bounds(const NetworkDefaults& d, ValueKey key, std::int64_t now_unix_s) {
  const Bounds abs = bounds_for(key);
  const double v = d.at(key).value;
  Bounds b = abs;
  switch (key) {
    case ValueKey::PriceUsd:
    case ValueKey::PriceGbp:
    case ValueKey::PriceEur:
      b = {v / 20.0, v * 20.0};
      break;
    case ValueKey::Difficulty:
    case ValueKey::NetworkHashrateThs:
      b = {v / 4.0, v * 16.0};
      break;
    case ValueKey::FxUsdGbp:
    case ValueKey::FxUsdEur:
      b = {v / 2.0, v * 2.0};
      break;
    case ValueKey::Height: {
      const auto as_of = parse_utc_iso8601(d.at(key).as_of);
      const double elapsed_s =
          as_of ? static_cast<double>(std::max<std::int64_t>(0, now_unix_s - *as_of)) : 0.0;
      b = {v, v + 1.5 * elapsed_s / 600.0 + 1000.0};
      break;
    }
    case ValueKey::Count:
      break;
  }
  return {std::max(b.lo, abs.lo), std::min(b.hi, abs.hi)};
}

std::string check_plausible(const NetworkDefaults& d, ValueKey key, double v,
                            std::int64_t now_unix_s) {
  return check_bounds(v, plausible_bounds(d, key, now_unix_s), value_key_name(key));
}

LiveValue static_value(const NetworkDefaults& d, ValueKey key) {
  const StaticDefault& s = d.at(key);
  LiveValue v;
  v.value = s.value;
  v.source = "static";
  v.provider_time = s.as_of + "T00:00:00Z";
  v.fetched_at = std::nullopt;
  v.stale = true;
  v.note = "static default as of " + s.as_of + " (" + s.source + ")";
  return v;
}

}  // namespace hashsim::live
