#pragma once
// The network snapshot: what a run started from and where each number came from. Its JSON form
// is a contract other modules (HDF5 provenance, site reports) read — keep the keys exactly:
//   {"schema":1,"created_utc":"...","values":{"price_usd":V,...,"fx_usd_eur":V}}
//   V =
//   {"value":number,"source":"coingecko|coinbase|derived|blockchain.info|mempool.space|frankfurter|cache|static"
//   (derived: a GBP/EUR price computed as price_usd x FX rate, the note says from which),
//        "provider_time":"ISO8601"|null,"fetched_at":"ISO8601"|null,"stale":bool,"note":"..."}
#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace hashsim::live {

enum class ValueKey : int {
  PriceUsd = 0,
  PriceGbp,
  PriceEur,
  Difficulty,
  NetworkHashrateThs,
  Height,
  FxUsdGbp,
  FxUsdEur,
  Count
};
inline constexpr int kValueCount = static_cast<int>(ValueKey::Count);
const char* value_key_name(ValueKey key);  // "price_usd", ...
std::optional<ValueKey> value_key_from_name(std::string_view name);

inline constexpr int kSnapshotSchema = 1;

// Sources allowed in the JSON "source" field.
bool is_known_source(std::string_view source);

struct LiveValue {
  double value = 0.0;
  std::string source;                        // see is_known_source
  std::optional<std::string> provider_time;  // the provider's own timestamp, when its API gives one
  std::optional<std::string> fetched_at;     // when hashsim received it (null for static defaults)
  bool stale = false;
  std::string note;
};

struct Snapshot {
  int schema = kSnapshotSchema;
  std::string created_utc;
  std::array<std::optional<LiveValue>, kValueCount> values{};  // a cache file may hold only some

  bool has(ValueKey key) const { return values[static_cast<int>(key)].has_value(); }
  const LiveValue& at(ValueKey key) const;  // throws hashsim::Error if absent
  void set(ValueKey key, LiveValue v) { values[static_cast<int>(key)] = std::move(v); }
  bool complete() const;
};

// nlohmann ADL hooks. from_json is strict (schema, types, finite values, known sources) and
// throws hashsim::Error naming the offending key.
void to_json(nlohmann::json& j, const LiveValue& v);
void from_json(const nlohmann::json& j, LiveValue& v);
void to_json(nlohmann::json& j, const Snapshot& s);
void from_json(const nlohmann::json& j, Snapshot& s);

std::string snapshot_to_text(const Snapshot& s, int indent = 2);
Snapshot snapshot_from_text(const std::string& text);  // throws hashsim::Error

}  // namespace hashsim::live
