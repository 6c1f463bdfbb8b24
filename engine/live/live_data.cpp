#include "engine/live/live_data.h"
// build_snapshot and fill_start_conditions: the fallback chain of each value (live provider ->
// cached value -> static default) and the cache. Providers: providers.cpp; requests: fetcher.h;
// health check: probe.cpp.

#include <spdlog/spdlog.h>

#include <functional>
#include <limits>
#include <optional>

#include "engine/live/cache.h"
#include "engine/live/fetcher.h"
#include "engine/live/snapshot_builder.h"
#include "engine/live/network_defaults.h"
#include "engine/live/parsers.h"
#include "engine/live/timestamps.h"
#include "engine/util/error.h"

namespace hashsim::live {

namespace {

std::int64_t age_s(const LiveValue& v, std::int64_t now) {
  const auto t = v.fetched_at ? parse_utc_iso8601(*v.fetched_at) : std::nullopt;
  return t ? now - *t : std::numeric_limits<std::int64_t>::max();
}

// The subject of "Live <what> unavailable".
const char* subject(ValueKey k) {
  switch (k) {
    case ValueKey::PriceUsd:
      return "price";
    case ValueKey::PriceGbp:
      return "price (GBP)";
    case ValueKey::PriceEur:
      return "price (EUR)";
    case ValueKey::Difficulty:
      return "difficulty";
    case ValueKey::NetworkHashrateThs:
      return "network hashrate";
    case ValueKey::Height:
      return "block height";
    case ValueKey::FxUsdGbp:
      return "FX USD->GBP";
    case ValueKey::FxUsdEur:
      return "FX USD->EUR";
    case ValueKey::Count:
      break;
  }
  return "value";
}

}  // namespace

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

SnapshotBuilder::SnapshotBuilder(const LiveOptions& opts)
    : opts_(opts),
      defaults_(load_network_defaults(opts.defaults_file)),
      now_(now_unix_s()),
      budget_(opts.cache_dir, opts.daily_call_limit),
      fetcher_(opts, &budget_, deadline_from(opts)) {
  if (opts_.mode != LiveMode::StaticOnly) load_cache();
}

Snapshot SnapshotBuilder::build() {
  const bool network = opts_.mode == LiveMode::Auto || opts_.mode == LiveMode::Refresh;
  if (network) {
    // Every provider at once, under one deadline for the whole refresh.
    std::vector<std::function<void()>> tasks;
    if (needs_fetch({ValueKey::FxUsdGbp, ValueKey::FxUsdEur}))
      tasks.push_back([this] { fetch_fx(); });
    const bool price = needs_fetch({ValueKey::PriceUsd, ValueKey::PriceGbp, ValueKey::PriceEur});
    if (price) tasks.push_back([this] { fetch_price(); });
    if (needs_fetch({ValueKey::Difficulty})) tasks.push_back([this] { fetch_difficulty(); });
    if (needs_fetch({ValueKey::NetworkHashrateThs})) tasks.push_back([this] { fetch_hashrate(); });
    if (needs_fetch({ValueKey::Height})) tasks.push_back([this] { fetch_height(); });
    run_concurrently(tasks);
    if (price) derive_fiat_prices();
    if (fetcher_.limit_reached())
      spdlog::warn(
          "live data limit reached ({} calls today, LIVE_DATA_DAILY_CALL_LIMIT={}), using cached "
          "data",
          budget_.used_today(), budget_.daily_limit());
  }
  Snapshot out;
  out.created_utc = format_utc_iso8601(now_);
  for (int i = 0; i < kValueCount; ++i)
    out.set(static_cast<ValueKey>(i), resolve(static_cast<ValueKey>(i)));
  save_cache();
  return out;
}

// The cache is checked on read exactly as a provider's answer is on fetch: a value outside the
// plausible range, or fetched "in the future", is dropped (and said so in the value's note).
void SnapshotBuilder::load_cache() {
  cache_ = load_cached_snapshot(opts_.cache_dir);
  if (!cache_) return;
  for (int i = 0; i < kValueCount; ++i) {
    const auto k = static_cast<ValueKey>(i);
    auto& v = cache_->values[static_cast<std::size_t>(i)];
    if (!v) continue;
    std::string why = check_plausible(defaults_, k, v->value, now_);
    if (why.empty())
      why = future_reason(*parse_utc_iso8601(*v->fetched_at), now_, opts_, "fetched_at");
    if (why.empty()) continue;
    cache_rejected_[static_cast<std::size_t>(i)] = "cached value rejected: " + why;
    spdlog::warn("live data cache {}: ignoring {}: {}",
                 (opts_.cache_dir / kSnapshotCacheFile).string(), value_key_name(k), why);
    v.reset();
  }
}

bool SnapshotBuilder::fresh_in_cache(ValueKey k) const {
  const auto c = cached(k);
  // Strictly less than the TTL: LIVE_DATA_CACHE_TTL_S=0 always refetches.
  return c && age_s(*c, now_) < opts_.cache_ttl_s;
}

bool SnapshotBuilder::needs_fetch(std::initializer_list<ValueKey> keys) const {
  if (opts_.mode == LiveMode::Refresh) return true;
  for (auto k : keys)
    if (!fresh_in_cache(k)) return true;
  return false;
}

LiveValue SnapshotBuilder::resolve(ValueKey k, bool log) {
  const Candidate& c = cand(k);
  if (c.live) return *c.live;
  const auto cached_value = cached(k);
  const bool offline = opts_.mode == LiveMode::CacheOnly || opts_.mode == LiveMode::StaticOnly;
  std::string why;
  if (offline)
    why = opts_.mode == LiveMode::StaticOnly ? "static defaults requested" : "offline";
  else if (c.errors.empty() && fresh_in_cache(k))
    why = "";
  else
    why =
        "Live " + std::string(subject(k)) + " unavailable (" + fetcher_.clean(join(c.errors)) + ")";
  const std::string& rejected = cache_rejected_[static_cast<std::size_t>(k)];
  if (!rejected.empty()) why += (why.empty() ? "" : "; ") + rejected;

  if (cached_value) {
    const std::int64_t age = age_s(*cached_value, now_);
    LiveValue v = *cached_value;
    v.source = "cache";
    v.stale = cached_value->stale || age >= opts_.cache_ttl_s;
    const std::string from = "cached " + cached_value->source + " value from " +
                             format_utc_human(*parse_utc_iso8601(*cached_value->fetched_at)) +
                             " (age " + format_age(age) + (v.stale ? ", stale" : "") + ")";
    v.note = why.empty() ? from : why + "; using " + from;
    // Logs are deduplicated per fallback, not per value: three prices failing for the same
    // reason are one line.
    if (log && !why.empty())
      log_fallback(why + "; using cached value from " +
                       format_utc_human(*parse_utc_iso8601(*cached_value->fetched_at)),
                   offline);
    return v;
  }
  LiveValue v = static_value(defaults_, k);
  if (!why.empty()) {
    v.note = why + "; using " + v.note;
    if (log)
      log_fallback(why + "; using static defaults (data/network_defaults.yaml)",
                   opts_.mode == LiveMode::StaticOnly);
  }
  return v;
}

void SnapshotBuilder::log_fallback(const std::string& message, bool expected) {
  if (!logged_.insert(message).second) return;
  if (expected)
    spdlog::debug("{}", message);
  else
    spdlog::warn("{}", message);
}

void SnapshotBuilder::save_cache() {
  bool any = false;
  Snapshot merged = cache_ ? *cache_ : Snapshot{};
  for (int i = 0; i < kValueCount; ++i) {
    if (const auto& live = cands_[static_cast<std::size_t>(i)].live) {
      merged.values[static_cast<std::size_t>(i)] = live;
      any = true;
    }
  }
  if (!any || opts_.cache_dir.empty()) return;
  merged.created_utc = format_utc_iso8601(now_);
  try {
    save_cached_snapshot(opts_.cache_dir, merged);
  } catch (const std::exception& e) {
    spdlog::warn("cannot write the live data cache: {}", fetcher_.clean(e.what()));
  }
}

Snapshot build_snapshot(const LiveOptions& opts) { return SnapshotBuilder(opts).build(); }

std::vector<std::string> not_live_values(const Snapshot& s, const std::vector<ValueKey>& keys) {
  std::vector<std::string> out;
  for (const ValueKey key : keys) {
    if (!s.has(key)) {
      out.push_back(std::string(value_key_name(key)) + ": missing from the snapshot");
      continue;
    }
    const LiveValue& v = s.at(key);
    if (v.source != "static" && !v.stale) continue;
    out.push_back(std::string(value_key_name(key)) + ": " +
                  (v.source == "static" ? "static default" : "stale") +
                  (v.note.empty() ? std::string() : " (" + v.note + ")"));
  }
  return out;
}

std::vector<ValueKey> start_value_keys() {
  // fee_btc_per_block is always the static median (no live source for it): not checked.
  return {ValueKey::PriceUsd, ValueKey::NetworkHashrateThs, ValueKey::Difficulty, ValueKey::Height};
}

void fill_start_conditions(hashsim::scenario::StartConditions& start, const LiveOptions& opts,
                           bool require_live) {
  using hashsim::scenario::StartSource;
  if (start.source == StartSource::Scenario) return;
  LiveOptions o = opts;
  if (start.source == StartSource::Static)
    o.mode = LiveMode::StaticOnly;
  else if (start.source == StartSource::Cached)
    o.mode = LiveMode::CacheOnly;
  const Snapshot s = build_snapshot(o);
  if (require_live) {
    const auto bad = not_live_values(s, start_value_keys());
    if (!bad.empty()) {
      std::string msg = std::to_string(bad.size()) + " start value(s) not live (start.source " +
                        start_source_name(start.source) + "):";
      for (const auto& b : bad) msg += "\n  " + b;
      throw NotLiveError(msg);
    }
  }
  const NetworkDefaults d = load_network_defaults(o.defaults_file);

  const auto set = [&](double& field, double value, const char* name) {
    if (field != 0.0 && field != value)
      spdlog::warn(
          "start.{} = {} in the scenario is replaced by the {} value {} (start.source = {})", name,
          fmt_number(field), start_source_name(start.source), fmt_number(value),
          start_source_name(start.source));
    field = value;
  };
  set(start.price_usd, s.at(ValueKey::PriceUsd).value, "price_usd");
  set(start.network_hashrate_ths, s.at(ValueKey::NetworkHashrateThs).value, "network_hashrate_ths");
  set(start.difficulty, s.at(ValueKey::Difficulty).value, "difficulty");
  set(start.height, s.at(ValueKey::Height).value, "height");
  // No free live source gives a fee level worth more than today's noise; the static median is
  // the honest default.
  set(start.fee_btc_per_block, d.fee_btc_per_block.value, "fee_btc_per_block");

  const LiveValue& price = s.at(ValueKey::PriceUsd);
  const auto observed = price.provider_time ? price.provider_time : price.fetched_at;
  start.date =
      observed && observed->size() >= 10 ? observed->substr(0, 10) : s.created_utc.substr(0, 10);
  start.provenance_json = snapshot_to_text(s, -1);
}

}  // namespace hashsim::live
