#include "engine/live/live_data.h"
// build_snapshot and fill_start_conditions: the providers of each value and the fallback chain
// (live provider -> cached value -> static default). Requests: fetcher.h; health check: probe.cpp.

#include <spdlog/spdlog.h>

#include <array>
#include <functional>
#include <limits>
#include <optional>
#include <set>

#include "engine/live/cache.h"
#include "engine/live/fetcher.h"
#include "engine/live/network_defaults.h"
#include "engine/live/parsers.h"
#include "engine/live/timestamps.h"
#include "engine/util/error.h"

namespace hashsim::live {

namespace {

// Per value: a live result, or the reasons there is none.
struct Candidate {
  std::optional<LiveValue> live;
  std::vector<std::string> errors;  // "CoinGecko: timeout"
};

LiveValue provider_value(double v, const std::string& source, std::optional<std::string> provider_time,
                         std::int64_t fetched_at, bool stale, std::string note) {
  LiveValue lv;
  lv.value = v;
  lv.source = source;
  lv.provider_time = std::move(provider_time);
  lv.fetched_at = format_utc_iso8601(fetched_at);
  lv.stale = stale;
  lv.note = std::move(note);
  return lv;
}

std::int64_t age_s(const LiveValue& v, std::int64_t now) {
  const auto t = v.fetched_at ? parse_utc_iso8601(*v.fetched_at) : std::nullopt;
  return t ? now - *t : std::numeric_limits<std::int64_t>::max();
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

// The subject of "Live <what> unavailable".
const char* subject(ValueKey k) {
  switch (k) {
    case ValueKey::PriceUsd: return "price";
    case ValueKey::PriceGbp: return "price (GBP)";
    case ValueKey::PriceEur: return "price (EUR)";
    case ValueKey::Difficulty: return "difficulty";
    case ValueKey::NetworkHashrateThs: return "network hashrate";
    case ValueKey::Height: return "block height";
    case ValueKey::FxUsdGbp: return "FX USD->GBP";
    case ValueKey::FxUsdEur: return "FX USD->EUR";
    case ValueKey::Count: break;
  }
  return "value";
}

// A lower tip height than the cached one by at most this many blocks (one day) is a provider that
// lags behind: the cached height stands. A larger drop means one of the two is wrong; the fresh
// value has just passed the plausibility bounds while the cached one cannot be checked again, so
// the fresh one wins (with a note) rather than one bad value blocking every later real height.
constexpr double kHeightLagToleranceBlocks = 144.0;

class SnapshotBuilder {
 public:
  explicit SnapshotBuilder(const LiveOptions& opts)
      : opts_(opts),
        defaults_(load_network_defaults(opts.defaults_file)),
        now_(now_unix_s()),
        budget_(opts.cache_dir, opts.daily_call_limit),
        fetcher_(opts, &budget_, deadline_from(opts)) {
    if (opts_.mode != LiveMode::StaticOnly) load_cache();
  }

  Snapshot build() {
    const bool network = opts_.mode == LiveMode::Auto || opts_.mode == LiveMode::Refresh;
    if (network) {
      // Every provider at once, under one deadline for the whole refresh.
      std::vector<std::function<void()>> tasks;
      if (needs_fetch({ValueKey::FxUsdGbp, ValueKey::FxUsdEur})) tasks.push_back([this] { fetch_fx(); });
      const bool price = needs_fetch({ValueKey::PriceUsd, ValueKey::PriceGbp, ValueKey::PriceEur});
      if (price) tasks.push_back([this] { fetch_price(); });
      if (needs_fetch({ValueKey::Difficulty})) tasks.push_back([this] { fetch_difficulty(); });
      if (needs_fetch({ValueKey::NetworkHashrateThs})) tasks.push_back([this] { fetch_hashrate(); });
      if (needs_fetch({ValueKey::Height})) tasks.push_back([this] { fetch_height(); });
      run_concurrently(tasks);
      if (price) derive_fiat_prices();
      if (fetcher_.limit_reached())
        spdlog::warn("live data limit reached ({} calls today, LIVE_DATA_DAILY_CALL_LIMIT={}), using cached data",
                     budget_.used_today(), budget_.daily_limit());
    }
    Snapshot out;
    out.created_utc = format_utc_iso8601(now_);
    for (int i = 0; i < kValueCount; ++i) out.set(static_cast<ValueKey>(i), resolve(static_cast<ValueKey>(i)));
    save_cache();
    return out;
  }

 private:
  Candidate& cand(ValueKey k) { return cands_[static_cast<std::size_t>(k)]; }
  std::optional<LiveValue> cached(ValueKey k) const {
    if (!cache_) return std::nullopt;
    return cache_->values[static_cast<std::size_t>(k)];
  }

  // The cache is checked on read exactly as a provider's answer is on fetch: a value outside the
  // plausible range, or fetched "in the future", is dropped (and said so in the value's note).
  void load_cache() {
    cache_ = load_cached_snapshot(opts_.cache_dir);
    if (!cache_) return;
    for (int i = 0; i < kValueCount; ++i) {
      const auto k = static_cast<ValueKey>(i);
      auto& v = cache_->values[static_cast<std::size_t>(i)];
      if (!v) continue;
      std::string why = check_plausible(defaults_, k, v->value, now_);
      if (why.empty()) why = future_reason(*parse_utc_iso8601(*v->fetched_at), now_, opts_, "fetched_at");
      if (why.empty()) continue;
      cache_rejected_[static_cast<std::size_t>(i)] = "cached value rejected: " + why;
      spdlog::warn("live data cache {}: ignoring {}: {}", (opts_.cache_dir / kSnapshotCacheFile).string(),
                   value_key_name(k), why);
      v.reset();
    }
  }

  bool fresh_in_cache(ValueKey k) const {
    const auto c = cached(k);
    // Strictly less than the TTL: LIVE_DATA_CACHE_TTL_S=0 always refetches.
    return c && age_s(*c, now_) < opts_.cache_ttl_s;
  }
  bool needs_fetch(std::initializer_list<ValueKey> keys) const {
    if (opts_.mode == LiveMode::Refresh) return true;
    for (auto k : keys)
      if (!fresh_in_cache(k)) return true;
    return false;
  }

  void fail_all(std::initializer_list<ValueKey> keys, const std::string& error) {
    for (auto k : keys) cand(k).errors.push_back(error);
  }

  // A parsed value is accepted only inside the plausible range (network_defaults.h).
  void accept(ValueKey k, ParsedValue p, const std::string& label, const std::function<LiveValue(double)>& make) {
    if (p.ok()) {
      if (auto why = check_plausible(defaults_, k, *p.value, now_); !why.empty()) {
        p.error = why;
        p.value.reset();
      }
    }
    if (p.ok()) cand(k).live = make(*p.value);
    else cand(k).errors.push_back(label + ": " + p.error);
  }

  void fetch_fx() {
    const ProviderCall p{"Frankfurter", opts_.endpoints.frankfurter + "/latest?from=USD&to=GBP,EUR", true, false};
    const CallResult r = fetcher_.call(p, opts_.retry);
    const auto keys = {ValueKey::FxUsdGbp, ValueKey::FxUsdEur};
    if (!r.ok) return fail_all(keys, p.label + ": " + r.error);
    try {
      const FrankfurterRates rates = parse_frankfurter_latest(r.body);
      std::optional<std::string> ptime;
      bool stale = false;
      std::string note = "ECB reference rate via Frankfurter";
      if (!rates.date.empty()) {
        const std::int64_t t = *parse_utc_iso8601(rates.date);
        const std::int64_t age = now_ - t;
        if (auto future = future_reason(t, now_, opts_, "provider date"); !future.empty()) {
          stale = true;
          note += "; " + future;
        } else {
          ptime = rates.date;
          if (age > opts_.max_fx_age_s) {
            stale = true;
            note += "; provider date " + rates.date + " is " + format_age(age) + " old";
          }
        }
      }
      const auto make = [&](double v) { return provider_value(v, "frankfurter", ptime, r.fetched_at, stale, note); };
      accept(ValueKey::FxUsdGbp, rates.gbp, p.label, make);
      accept(ValueKey::FxUsdEur, rates.eur, p.label, make);
      for (auto k : keys)
        if (!cand(k).live) fetcher_.rejected(p, without_label(cand(k).errors.back(), p.label));
    } catch (const Error& e) {
      fetcher_.rejected(p, e.what());
      fail_all(keys, p.label + ": " + e.what());
    }
  }

  // The FX rate the price conversion uses: live if we have it, else whatever the chain resolves.
  LiveValue fx_for(ValueKey k) {
    if (cand(k).live) return *cand(k).live;
    return resolve(k, /*log=*/false);
  }

  void fetch_price() {
    const ProviderCall cg{"CoinGecko",
                          opts_.endpoints.coingecko +
                              "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd,gbp,eur&include_last_updated_at=true",
                          true, true};
    const CallResult r = fetcher_.call(cg, opts_.retry);
    const auto keys = {ValueKey::PriceUsd, ValueKey::PriceGbp, ValueKey::PriceEur};
    if (!r.ok) {
      fail_all(keys, cg.label + ": " + r.error);
    } else {
      try {
        const CoinGeckoPrice q = parse_coingecko_simple_price(r.body);
        std::optional<std::string> ptime;
        bool stale = false;
        std::string note = "CoinGecko simple price";
        if (q.last_updated_unix_s) {
          const std::int64_t age = now_ - *q.last_updated_unix_s;
          if (auto future = future_reason(*q.last_updated_unix_s, now_, opts_, "provider timestamp"); !future.empty()) {
            // Not believed: no provider time (a run then starts today, not on that date), stale.
            stale = true;
            note += "; " + future;
          } else {
            ptime = format_utc_iso8601(*q.last_updated_unix_s);
            if (age > opts_.max_price_age_s) {
              stale = true;
              note += "; provider timestamp " + *ptime + " is " + format_age(age) + " old";
            }
          }
        } else {
          note += "; no provider timestamp";
        }
        const auto make = [&](double v) { return provider_value(v, "coingecko", ptime, r.fetched_at, stale, note); };
        accept(ValueKey::PriceUsd, q.usd, cg.label, make);
        accept(ValueKey::PriceGbp, q.gbp, cg.label, make);
        accept(ValueKey::PriceEur, q.eur, cg.label, make);
        for (auto k : keys)
          if (!cand(k).live) fetcher_.rejected(cg, without_label(cand(k).errors.back(), cg.label));
      } catch (const Error& e) {
        fetcher_.rejected(cg, e.what());
        fail_all(keys, cg.label + ": " + e.what());
      }
    }

    if (!cand(ValueKey::PriceUsd).live) {
      const ProviderCall cb{"Coinbase", opts_.endpoints.coinbase + "/v2/prices/BTC-USD/spot", true, false};
      const CallResult rb = fetcher_.call(cb, opts_.retry);
      if (!rb.ok) {
        cand(ValueKey::PriceUsd).errors.push_back(cb.label + ": " + rb.error);
      } else {
        try {
          const ParsedValue usd = parse_coinbase_spot(rb.body);
          const std::string fallback = join(cand(ValueKey::PriceUsd).errors);
          // Coinbase spot carries no timestamp of its own.
          accept(ValueKey::PriceUsd, usd, cb.label, [&](double v) {
            return provider_value(v, "coinbase", std::nullopt, rb.fetched_at, false,
                                  "Coinbase spot (fallback: " + fallback + ")");
          });
          if (!cand(ValueKey::PriceUsd).live) fetcher_.rejected(cb, without_label(cand(ValueKey::PriceUsd).errors.back(), cb.label));
        } catch (const Error& e) {
          fetcher_.rejected(cb, e.what());
          cand(ValueKey::PriceUsd).errors.push_back(cb.label + ": " + e.what());
        }
      }
    }
  }

  // A fiat price the provider did not quote is derived from the live USD price and the FX rate,
  // rather than mixing a live USD price with a stale cached GBP one. Runs after the FX fetch.
  void derive_fiat_prices() {
    const auto& usd = cand(ValueKey::PriceUsd).live;
    if (!usd) return;
    for (auto [price, fx] : {std::pair{ValueKey::PriceGbp, ValueKey::FxUsdGbp}, std::pair{ValueKey::PriceEur, ValueKey::FxUsdEur}}) {
      if (cand(price).live) continue;
      const LiveValue rate = fx_for(fx);
      LiveValue v = *usd;
      v.value = usd->value * rate.value;
      v.source = "derived";
      v.stale = usd->stale || rate.stale;
      v.note = std::string("derived: ") + usd->source + " price_usd x " + value_key_name(fx) + " (" + rate.source +
               ")" + (cand(price).errors.empty() ? "" : "; " + join(cand(price).errors));
      cand(price).live = v;
    }
  }

  void fetch_plain(ValueKey k, const ProviderCall& p, const std::string& source,
                   const std::function<ParsedValue(const std::string&)>& parse, double scale, const std::string& note) {
    const CallResult r = fetcher_.call(p, opts_.retry);
    if (!r.ok) return fail_all({k}, p.label + ": " + r.error);
    ParsedValue v = parse(r.body);
    if (v.ok()) *v.value *= scale;
    std::string extra;
    if (v.ok() && k == ValueKey::Height) {
      // A tip a little below what we saw before is a lagging provider; see kHeightLagToleranceBlocks.
      if (const auto c = cached(k); c && *v.value < c->value) {
        if (c->value - *v.value <= kHeightLagToleranceBlocks) {
          v.error = "height " + std::to_string(static_cast<long long>(*v.value)) + " is below the cached height " +
                    std::to_string(static_cast<long long>(c->value)) + " (a lagging provider)";
          v.value.reset();
        } else {
          extra = "; replaces the cached height " + std::to_string(static_cast<long long>(c->value)) + ", " +
                  std::to_string(static_cast<long long>(c->value - *v.value)) +
                  " blocks higher (more than a lagging provider explains; the cached value was wrong)";
        }
      }
    }
    accept(k, v, p.label,
           [&](double x) { return provider_value(x, source, std::nullopt, r.fetched_at, false, note + extra); });
    if (!cand(k).live) fetcher_.rejected(p, without_label(cand(k).errors.back(), p.label));
  }

  void fetch_difficulty() {
    fetch_plain(ValueKey::Difficulty, {"blockchain.info", opts_.endpoints.blockchain_info + "/q/getdifficulty", false, false},
                "blockchain.info",
                [](const std::string& b) { return parse_plain_number(b, kDifficultyBounds, "difficulty"); }, 1.0,
                "blockchain.info query API getdifficulty");
  }
  void fetch_hashrate() {
    // /q/hashrate answers in GH/s; bounds are checked in GH/s, the value is stored in TH/s.
    const Bounds ghs{kHashrateThsBounds.lo * 1e3, kHashrateThsBounds.hi * 1e3};
    fetch_plain(ValueKey::NetworkHashrateThs, {"blockchain.info", opts_.endpoints.blockchain_info + "/q/hashrate", false, false},
                "blockchain.info",
                [ghs](const std::string& b) { return parse_plain_number(b, ghs, "network_hashrate_ghs"); }, 1e-3,
                "blockchain.info query API hashrate (GH/s / 1000)");
  }
  void fetch_height() {
    fetch_plain(ValueKey::Height, {"mempool.space", opts_.endpoints.mempool_space + "/api/blocks/tip/height", false, false},
                "mempool.space",
                [](const std::string& b) { return parse_plain_integer(b, kHeightBounds, "height"); }, 1.0,
                "mempool.space tip height");
  }

  LiveValue resolve(ValueKey k, bool log = true) {
    const Candidate& c = cand(k);
    if (c.live) return *c.live;
    const auto cached_value = cached(k);
    const bool offline = opts_.mode == LiveMode::CacheOnly || opts_.mode == LiveMode::StaticOnly;
    std::string why;
    if (offline) why = opts_.mode == LiveMode::StaticOnly ? "static defaults requested" : "offline";
    else if (c.errors.empty() && fresh_in_cache(k)) why = "";
    else why = "Live " + std::string(subject(k)) + " unavailable (" + fetcher_.clean(join(c.errors)) + ")";
    const std::string& rejected = cache_rejected_[static_cast<std::size_t>(k)];
    if (!rejected.empty()) why += (why.empty() ? "" : "; ") + rejected;

    if (cached_value) {
      const std::int64_t age = age_s(*cached_value, now_);
      LiveValue v = *cached_value;
      v.source = "cache";
      v.stale = cached_value->stale || age >= opts_.cache_ttl_s;
      const std::string from = "cached " + cached_value->source + " value from " +
                               format_utc_human(*parse_utc_iso8601(*cached_value->fetched_at)) + " (age " +
                               format_age(age) + (v.stale ? ", stale" : "") + ")";
      v.note = why.empty() ? from : why + "; using " + from;
      // Logs are deduplicated per fallback, not per value: three prices failing for the same
      // reason are one line.
      if (log && !why.empty())
        log_fallback(why + "; using cached value from " + format_utc_human(*parse_utc_iso8601(*cached_value->fetched_at)),
                     offline);
      return v;
    }
    LiveValue v = static_value(defaults_, k);
    if (!why.empty()) {
      v.note = why + "; using " + v.note;
      if (log) log_fallback(why + "; using static defaults (data/network_defaults.yaml)", opts_.mode == LiveMode::StaticOnly);
    }
    return v;
  }

  void log_fallback(const std::string& message, bool expected) {
    if (!logged_.insert(message).second) return;
    if (expected) spdlog::debug("{}", message);
    else spdlog::warn("{}", message);
  }

  void save_cache() {
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

}  // namespace

Snapshot build_snapshot(const LiveOptions& opts) { return SnapshotBuilder(opts).build(); }

void fill_start_conditions(hashsim::scenario::StartConditions& start, const LiveOptions& opts) {
  using hashsim::scenario::StartSource;
  if (start.source == StartSource::Scenario) return;
  LiveOptions o = opts;
  if (start.source == StartSource::Static) o.mode = LiveMode::StaticOnly;
  else if (start.source == StartSource::Cached) o.mode = LiveMode::CacheOnly;
  const Snapshot s = build_snapshot(o);
  const NetworkDefaults d = load_network_defaults(o.defaults_file);

  const auto set = [&](double& field, double value, const char* name) {
    if (field != 0.0 && field != value)
      spdlog::warn("start.{} = {} in the scenario is replaced by the {} value {} (start.source = {})", name,
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
  start.date = observed && observed->size() >= 10 ? observed->substr(0, 10) : s.created_utc.substr(0, 10);
  start.provenance_json = snapshot_to_text(s, -1);
}

}  // namespace hashsim::live
