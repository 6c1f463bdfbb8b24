#include "engine/live/snapshot.h"

#include <cmath>

#include "engine/util/error.h"

namespace hashsim::live {

namespace {
constexpr std::array<const char*, kValueCount> kNames = {
    "price_usd", "price_gbp",  "price_eur", "difficulty", "network_hashrate_ths",
    "height",    "fx_usd_gbp", "fx_usd_eur"};
constexpr std::array<std::string_view, 8> kSources = {
    "coingecko",     "coinbase",    "derived", "blockchain.info",
    "mempool.space", "frankfurter", "cache",   "static"};

std::optional<std::string> optional_text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) throw Error(std::string("missing \"") + key + "\"");
  const auto& v = j.at(key);
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) throw Error(std::string("\"") + key + "\" must be a string or null");
  return v.get<std::string>();
}
}  // namespace

const char* value_key_name(ValueKey key) { return kNames.at(static_cast<std::size_t>(key)); }

std::optional<ValueKey> value_key_from_name(std::string_view name) {
  for (int i = 0; i < kValueCount; ++i)
    if (name == kNames[static_cast<std::size_t>(i)]) return static_cast<ValueKey>(i);
  return std::nullopt;
}

bool is_known_source(std::string_view source) {
  for (auto s : kSources)
    if (s == source) return true;
  return false;
}

const LiveValue& Snapshot::at(ValueKey key) const {
  const auto& v = values[static_cast<int>(key)];
  if (!v) throw Error(std::string("snapshot has no value for ") + value_key_name(key));
  return *v;
}

bool Snapshot::complete() const {
  for (const auto& v : values)
    if (!v) return false;
  return true;
}

void to_json(nlohmann::json& j, const LiveValue& v) {
  j = nlohmann::json{
      {"value", v.value},
      {"source", v.source},
      {"provider_time",
       v.provider_time ? nlohmann::json(*v.provider_time) : nlohmann::json(nullptr)},
      {"fetched_at", v.fetched_at ? nlohmann::json(*v.fetched_at) : nlohmann::json(nullptr)},
      {"stale", v.stale},
      {"note", v.note}};
}

void from_json(const nlohmann::json& j, LiveValue& v) {
  if (!j.is_object()) throw Error("value entry must be an object");
  if (!j.contains("value") || !j.at("value").is_number()) throw Error("\"value\" must be a number");
  v.value = j.at("value").get<double>();
  if (!std::isfinite(v.value)) throw Error("\"value\" is not finite");
  if (!j.contains("source") || !j.at("source").is_string())
    throw Error("\"source\" must be a string");
  v.source = j.at("source").get<std::string>();
  if (!is_known_source(v.source)) throw Error("unknown source \"" + v.source + "\"");
  v.provider_time = optional_text(j, "provider_time");
  v.fetched_at = optional_text(j, "fetched_at");
  if (!j.contains("stale") || !j.at("stale").is_boolean())
    throw Error("\"stale\" must be a boolean");
  v.stale = j.at("stale").get<bool>();
  v.note = j.contains("note") && j.at("note").is_string() ? j.at("note").get<std::string>() : "";
}

void to_json(nlohmann::json& j, const Snapshot& s) {
  nlohmann::json values = nlohmann::json::object();
  for (int i = 0; i < kValueCount; ++i)
    if (s.values[static_cast<std::size_t>(i)])
      values[kNames[static_cast<std::size_t>(i)]] = *s.values[static_cast<std::size_t>(i)];
  j = nlohmann::json{{"schema", s.schema}, {"created_utc", s.created_utc}, {"values", values}};
}

void from_json(const nlohmann::json& j, Snapshot& s) {
  if (!j.is_object()) throw Error("snapshot must be a JSON object");
  if (!j.contains("schema") || !j.at("schema").is_number_integer() ||
      j.at("schema").get<int>() != kSnapshotSchema)
    throw Error("snapshot \"schema\" must be " + std::to_string(kSnapshotSchema));
  s.schema = kSnapshotSchema;
  if (!j.contains("created_utc") || !j.at("created_utc").is_string())
    throw Error("snapshot \"created_utc\" must be a string");
  s.created_utc = j.at("created_utc").get<std::string>();
  if (!j.contains("values") || !j.at("values").is_object())
    throw Error("snapshot \"values\" must be an object");
  s.values = {};
  for (const auto& [name, entry] : j.at("values").items()) {
    const auto key = value_key_from_name(name);
    if (!key) throw Error("snapshot has unknown value \"" + name + "\"");
    try {
      s.set(*key, entry.get<LiveValue>());
    } catch (const Error& e) {
      throw Error("snapshot value \"" + name + "\": " + e.what());
    }
  }
}

std::string snapshot_to_text(const Snapshot& s, int indent) {
  return nlohmann::json(s).dump(indent);
}

Snapshot snapshot_from_text(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("snapshot is not valid JSON: ") + e.what());
  }
  try {
    return j.get<Snapshot>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("snapshot has the wrong shape: ") + e.what());
  }
}

}  // namespace hashsim::live
