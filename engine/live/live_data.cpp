#include "engine/live/live_data.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <set>

#include "engine/live/cache.h"
#include "engine/live/network_defaults.h"
#include "engine/live/parsers.h"
#include "engine/live/redact.h"
#include "engine/live/timestamps.h"
#include "engine/util/error.h"

namespace hashsim::live {

namespace {

struct ProviderCall {
  std::string label;   // human name in messages: "CoinGecko"
  std::string url;
  bool want_json = true;
  bool send_coingecko_key = false;
};

struct CallResult {
  bool ok = false;
  std::string body;
  std::string error;   // short, redacted: "timeout", "HTTP 503", ...
  std::string detail;  // curl's redacted explanation, when there is one
  long status = 0;
  double latency_ms = 0.0;
  std::int64_t fetched_at = 0;
};

// Per value: a live result, or the reasons there is none.
struct Candidate {
  std::optional<LiveValue> live;
  std::vector<std::string> errors;  // "CoinGecko: timeout"
};

using SteadyClock = std::chrono::steady_clock;

// Calls from several threads at once (one per provider); the call budget and the flags are shared.
class Fetcher {
 public:
  // quiet: failures are logged at debug only (a health check reports them in its own table).
  // Every call ends by `deadline` (retries and backoff included).
  Fetcher(const LiveOptions& opts, CallBudget* budget, SteadyClock::time_point deadline, bool quiet = false)
      : opts_(opts), budget_(budget), secrets_(opts.secrets()), deadline_(deadline), quiet_(quiet) {}

  CallResult call(const ProviderCall& p, const RetryPolicy& policy) {
    const std::string url = redact(p.url, secrets_);
    CallResult r;
    const long left_ms = remaining_ms();
    if (left_ms <= 0) {
      r.fetched_at = now_unix_s();
      r.error = deadline_text();
      spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn, "{}: GET {} not sent: {}", p.label, url, r.error);
      return r;
    }
    HttpRequest req;
    req.url = p.url;
    req.user_agent = opts_.user_agent.empty() ? default_user_agent() : opts_.user_agent;
    req.connect_timeout_ms = std::min(opts_.connect_timeout_ms, left_ms);
    req.total_timeout_ms = std::min(opts_.total_timeout_ms, left_ms);
    req.secrets = secrets_;
    req.headers.push_back(std::string("Accept: ") + (p.want_json ? "application/json" : "text/plain, */*"));
    if (p.send_coingecko_key && !opts_.coingecko_api_key.empty())
      req.headers.push_back("x-cg-demo-api-key: " + opts_.coingecko_api_key);
    RetryPolicy bounded = policy;
    bounded.max_total_ms = std::min(policy.max_total_ms, left_ms);
    FetchHooks hooks;
    if (budget_)
      hooks.may_call = [this] {
        std::lock_guard lock(budget_mutex_);
        return budget_->try_consume();
      };

    const FetchResult f = http_get_with_retry(req, bounded, hooks);
    r.fetched_at = now_unix_s();
    r.status = f.response.status;
    r.latency_ms = f.response.latency_ms;
    if (f.response.outcome == HttpOutcome::LimitReached) {
      limit_reached_ = true;
      r.error = "daily call limit reached";
      return r;
    }
    std::string attempts;
    for (const auto& line : f.attempt_log) attempts += (attempts.empty() ? "" : "; ") + line;
    if (f.response.outcome != HttpOutcome::Received || f.response.status != 200) {
      r.error = describe_failure(f.response);
      r.detail = f.response.error;
      // The note carries the real reason (a refused redirect, an oversized body), not only the log.
      if (f.response.outcome == HttpOutcome::NetworkError && !r.detail.empty()) r.error = r.detail;
      if (f.response.outcome == HttpOutcome::Timeout && remaining_ms() <= 0) r.error = "timeout (" + deadline_text() + ")";
      const std::string detail = f.response.error.empty() ? "" : " (" + f.response.error + ")";
      spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn, "{}: GET {} failed: {}{} [{}]", p.label, url,
                  describe_failure(f.response), detail, redact(attempts, secrets_));
      return r;
    }
    if (auto bad = check_content_type(f.response.content_type, p.want_json); !bad.empty()) {
      r.error = bad;
      spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn, "{}: GET {} -> HTTP 200 in {:.0f} ms but {}",
                  p.label, url, r.latency_ms, bad);
      return r;
    }
    spdlog::debug("{}: GET {} -> HTTP 200 in {:.0f} ms ({} attempt(s))", p.label, url, r.latency_ms, f.attempts);
    r.ok = true;
    r.body = f.response.body;
    return r;
  }

  // Logs a rejected response once with the reason (the body is not echoed: it may be large or
  // carry things we do not want in logs).
  void rejected(const ProviderCall& p, const std::string& reason) const {
    spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn, "{}: GET {} -> rejected: {}", p.label,
                redact(p.url, secrets_), redact(reason, secrets_));
  }
  std::string clean(const std::string& s) const { return redact(s, secrets_); }
  bool limit_reached() const { return limit_reached_; }

 private:
  long remaining_ms() const {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - SteadyClock::now()).count());
  }
  std::string deadline_text() const {
    return "refresh deadline of " + std::to_string(opts_.refresh_deadline_ms) + " ms reached (LIVE_DATA_DEADLINE_MS)";
  }

  const LiveOptions& opts_;
  CallBudget* budget_;
  std::mutex budget_mutex_;
  std::vector<std::string> secrets_;
  SteadyClock::time_point deadline_;
  bool quiet_;
  std::atomic<bool> limit_reached_{false};
};

SteadyClock::time_point deadline_from(const LiveOptions& opts) {
  return SteadyClock::now() + std::chrono::milliseconds(std::max(1L, opts.refresh_deadline_ms));
}

// Runs the tasks at once, one thread each, and waits for all (exceptions are rethrown).
void run_concurrently(const std::vector<std::function<void()>>& tasks) {
  std::vector<std::future<void>> running;
  running.reserve(tasks.size());
  for (const auto& t : tasks) running.push_back(std::async(std::launch::async, t));
  for (auto& f : running) f.wait();
  for (auto& f : running) f.get();
}

// "CoinGecko: price_usd = ..." -> "price_usd = ..." (the log line names the provider already).
std::string without_label(const std::string& error, const std::string& label) {
  return error.rfind(label + ": ", 0) == 0 ? error.substr(label.size() + 2) : error;
}

// A provider timestamp more than the allowed clock skew ahead of now: the reason, else "".
std::string future_reason(std::int64_t t, std::int64_t now, const LiveOptions& opts, const std::string& what) {
  if (t - now <= opts.max_clock_skew_s) return "";
  return what + " " + format_utc_iso8601(t) + " is " + format_age(t - now) + " in the future (more than the " +
         std::to_string(opts.max_clock_skew_s) + " s clock skew allowed); not trusted";
}

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

std::string fmt_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

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
    out.push_back(std::string(value_key_name(key)) + ": " + (v.source == "static" ? "static default" : "stale") +
                  (v.note.empty() ? std::string() : " (" + v.note + ")"));
  }
  return out;
}

std::vector<ValueKey> start_value_keys() {
  // fee_btc_per_block is always the static median (no live source for it): not checked.
  return {ValueKey::PriceUsd, ValueKey::NetworkHashrateThs, ValueKey::Difficulty, ValueKey::Height};
}

void fill_start_conditions(hashsim::scenario::StartConditions& start, const LiveOptions& opts, bool require_live) {
  using hashsim::scenario::StartSource;
  if (start.source == StartSource::Scenario) return;
  LiveOptions o = opts;
  if (start.source == StartSource::Static) o.mode = LiveMode::StaticOnly;
  else if (start.source == StartSource::Cached) o.mode = LiveMode::CacheOnly;
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

std::vector<ProbeResult> probe_providers(const LiveOptions& opts) {
  // The same rules as a refresh: one deadline for all probes (run at once), plausibility bounds
  // and staleness of provider timestamps. A probe is "up" only if the value could be used live.
  Fetcher fetcher(opts, nullptr, deadline_from(opts), /*quiet=*/true);
  const NetworkDefaults defaults = load_network_defaults(opts.defaults_file);
  const std::int64_t now = now_unix_s();
  RetryPolicy once = opts.retry;
  once.max_attempts = 1;
  using Parse = std::function<std::string(const std::string&)>;
  struct Probe {
    ProviderCall call;
    Parse parse;
  };
  // Throws the reason a value could not be used live.
  const auto need = [&](const ParsedValue& v, ValueKey k) {
    if (!v.ok()) throw Error(v.error);
    if (auto why = check_plausible(defaults, k, *v.value, now); !why.empty()) throw Error(why);
    return fmt_number(*v.value);
  };
  // Staleness of a provider timestamp, as a refresh judges it: "" when fresh.
  const auto stale_reason = [&](std::int64_t t, std::int64_t max_age_s, const std::string& what) {
    if (auto future = future_reason(t, now, opts, what); !future.empty()) return future;
    if (now - t > max_age_s)
      return what + " " + format_utc_iso8601(t) + " is " + format_age(now - t) + " old (limit " + format_age(max_age_s) + ")";
    return std::string();
  };
  const Endpoints& ep = opts.endpoints;
  const std::vector<Probe> probes = {
      {{"CoinGecko", ep.coingecko + "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd,gbp,eur&include_last_updated_at=true", true, true},
       [&](const std::string& b) {
         const auto q = parse_coingecko_simple_price(b);
         std::string s = "price_usd=" + need(q.usd, ValueKey::PriceUsd) + " price_gbp=" + need(q.gbp, ValueKey::PriceGbp) +
                         " price_eur=" + need(q.eur, ValueKey::PriceEur);
         if (q.last_updated_unix_s) {
           if (auto why = stale_reason(*q.last_updated_unix_s, opts.max_price_age_s, "provider timestamp"); !why.empty())
             throw Error("stale: " + why);
           s += " at " + format_utc_iso8601(*q.last_updated_unix_s);
         }
         return s;
       }},
      {{"Coinbase", ep.coinbase + "/v2/prices/BTC-USD/spot", true, false},
       [&](const std::string& b) { return "price_usd=" + need(parse_coinbase_spot(b), ValueKey::PriceUsd); }},
      {{"blockchain.info", ep.blockchain_info + "/q/getdifficulty", false, false},
       [&](const std::string& b) {
         return "difficulty=" + need(parse_plain_number(b, kDifficultyBounds, "difficulty"), ValueKey::Difficulty);
       }},
      {{"blockchain.info", ep.blockchain_info + "/q/hashrate", false, false},
       [&](const std::string& b) {
         const Bounds ghs{kHashrateThsBounds.lo * 1e3, kHashrateThsBounds.hi * 1e3};
         ParsedValue v = parse_plain_number(b, ghs, "network_hashrate_ghs");
         if (v.ok()) *v.value /= 1e3;
         return "network_hashrate_ths=" + need(v, ValueKey::NetworkHashrateThs);
       }},
      {{"mempool.space", ep.mempool_space + "/api/blocks/tip/height", false, false},
       [&](const std::string& b) { return "height=" + need(parse_plain_integer(b, kHeightBounds, "height"), ValueKey::Height); }},
      {{"Frankfurter", ep.frankfurter + "/latest?from=USD&to=GBP,EUR", true, false},
       [&](const std::string& b) {
         const auto r = parse_frankfurter_latest(b);
         std::string s = "fx_usd_gbp=" + need(r.gbp, ValueKey::FxUsdGbp) + " fx_usd_eur=" + need(r.eur, ValueKey::FxUsdEur);
         if (!r.date.empty()) {
           if (auto why = stale_reason(*parse_utc_iso8601(r.date), opts.max_fx_age_s, "provider date"); !why.empty())
             throw Error("stale: " + why);
           s += " on " + r.date;
         }
         return s;
       }},
  };
  std::vector<ProbeResult> out(probes.size());
  std::vector<std::function<void()>> tasks;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    tasks.push_back([&, i] {
      const Probe& p = probes[i];
      ProbeResult& pr = out[i];
      pr.provider = p.call.label;
      pr.endpoint = fetcher.clean(p.call.url);
      const CallResult r = fetcher.call(p.call, once);
      pr.http_status = r.status;
      pr.latency_ms = r.latency_ms;
      if (!r.ok) {
        pr.state = "DOWN";
        pr.error = r.detail.empty() || r.error == r.detail ? r.error : r.error + ": " + r.detail;
        return;
      }
      try {
        pr.value = p.parse(r.body);
        pr.ok = true;
        pr.state = "up";
      } catch (const Error& e) {
        pr.error = fetcher.clean(e.what());
        pr.state = pr.error.rfind("stale:", 0) == 0 ? "STALE" : "BAD";
      }
    });
  }
  run_concurrently(tasks);
  return out;
}

}  // namespace hashsim::live
