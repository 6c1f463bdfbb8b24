#include "engine/live/live_data.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <limits>
#include <functional>
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

class Fetcher {
 public:
  // quiet: failures are logged at debug only (a health check reports them in its own table).
  Fetcher(const LiveOptions& opts, CallBudget* budget, bool quiet = false)
      : opts_(opts), budget_(budget), secrets_(opts.secrets()), quiet_(quiet) {}

  CallResult call(const ProviderCall& p, const RetryPolicy& policy) {
    HttpRequest req;
    req.url = p.url;
    req.user_agent = opts_.user_agent.empty() ? default_user_agent() : opts_.user_agent;
    req.connect_timeout_ms = opts_.connect_timeout_ms;
    req.total_timeout_ms = opts_.total_timeout_ms;
    req.secrets = secrets_;
    req.headers.push_back(std::string("Accept: ") + (p.want_json ? "application/json" : "text/plain, */*"));
    if (p.send_coingecko_key && !opts_.coingecko_api_key.empty())
      req.headers.push_back("x-cg-demo-api-key: " + opts_.coingecko_api_key);
    FetchHooks hooks;
    if (budget_) hooks.may_call = [this] { return budget_->try_consume(); };

    const FetchResult f = http_get_with_retry(req, policy, hooks);
    const std::string url = redact(p.url, secrets_);
    CallResult r;
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
      const std::string detail = f.response.error.empty() ? "" : " (" + f.response.error + ")";
      spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn, "{}: GET {} failed: {}{} [{}]", p.label, url,
                  r.error, detail, redact(attempts, secrets_));
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
  const LiveOptions& opts_;
  CallBudget* budget_;
  std::vector<std::string> secrets_;
  bool quiet_;
  bool limit_reached_ = false;
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

class SnapshotBuilder {
 public:
  explicit SnapshotBuilder(const LiveOptions& opts)
      : opts_(opts),
        defaults_(load_network_defaults(opts.defaults_file)),
        now_(now_unix_s()),
        budget_(opts.cache_dir, opts.daily_call_limit),
        fetcher_(opts, &budget_) {
    if (opts_.mode != LiveMode::StaticOnly) cache_ = load_cached_snapshot(opts_.cache_dir);
  }

  Snapshot build() {
    const bool network = opts_.mode == LiveMode::Auto || opts_.mode == LiveMode::Refresh;
    if (network) {
      if (needs_fetch({ValueKey::FxUsdGbp, ValueKey::FxUsdEur})) fetch_fx();
      if (needs_fetch({ValueKey::PriceUsd, ValueKey::PriceGbp, ValueKey::PriceEur})) fetch_price();
      if (needs_fetch({ValueKey::Difficulty})) fetch_difficulty();
      if (needs_fetch({ValueKey::NetworkHashrateThs})) fetch_hashrate();
      if (needs_fetch({ValueKey::Height})) fetch_height();
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
  bool fresh_in_cache(ValueKey k) const {
    const auto c = cached(k);
    return c && age_s(*c, now_) <= opts_.cache_ttl_s;
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

  void accept(ValueKey k, const ParsedValue& p, const std::string& label, const std::function<LiveValue(double)>& make) {
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
        ptime = rates.date;
        const std::int64_t age = now_ - *parse_utc_iso8601(rates.date);
        if (age > opts_.max_fx_age_s) {
          stale = true;
          note += "; provider date " + rates.date + " is " + format_age(age) + " old";
        }
      }
      const auto make = [&](double v) { return provider_value(v, "frankfurter", ptime, r.fetched_at, stale, note); };
      accept(ValueKey::FxUsdGbp, rates.gbp, p.label, make);
      accept(ValueKey::FxUsdEur, rates.eur, p.label, make);
      if (!rates.gbp.ok()) fetcher_.rejected(p, rates.gbp.error);
      if (!rates.eur.ok()) fetcher_.rejected(p, rates.eur.error);
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
          ptime = format_utc_iso8601(*q.last_updated_unix_s);
          const std::int64_t age = now_ - *q.last_updated_unix_s;
          if (age > opts_.max_price_age_s) {
            stale = true;
            note += "; provider timestamp " + *ptime + " is " + format_age(age) + " old";
          }
        } else {
          note += "; no provider timestamp";
        }
        const auto make = [&](double v) { return provider_value(v, "coingecko", ptime, r.fetched_at, stale, note); };
        accept(ValueKey::PriceUsd, q.usd, cg.label, make);
        accept(ValueKey::PriceGbp, q.gbp, cg.label, make);
        accept(ValueKey::PriceEur, q.eur, cg.label, make);
        for (const auto* pv : {&q.usd, &q.gbp, &q.eur})
          if (!pv->ok()) fetcher_.rejected(cg, pv->error);
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
          // Coinbase spot carries no timestamp of its own.
          accept(ValueKey::PriceUsd, usd, cb.label, [&](double v) {
            return provider_value(v, "coinbase", std::nullopt, rb.fetched_at, false,
                                  "Coinbase spot (fallback: " + join(cand(ValueKey::PriceUsd).errors) + ")");
          });
          if (!usd.ok()) fetcher_.rejected(cb, usd.error);
        } catch (const Error& e) {
          fetcher_.rejected(cb, e.what());
          cand(ValueKey::PriceUsd).errors.push_back(cb.label + ": " + e.what());
        }
      }
    }

    // A fiat price the provider did not quote is derived from the live USD price and the FX rate,
    // rather than mixing a live USD price with a stale cached GBP one.
    if (const auto& usd = cand(ValueKey::PriceUsd).live) {
      for (auto [price, fx] : {std::pair{ValueKey::PriceGbp, ValueKey::FxUsdGbp}, std::pair{ValueKey::PriceEur, ValueKey::FxUsdEur}}) {
        if (cand(price).live) continue;
        const LiveValue rate = fx_for(fx);
        LiveValue v = *usd;
        v.value = usd->value * rate.value;
        v.stale = usd->stale || rate.stale;
        v.note = std::string("derived: ") + usd->source + " price_usd x " + value_key_name(fx) + " (" + rate.source +
                 ")" + (cand(price).errors.empty() ? "" : "; " + join(cand(price).errors));
        cand(price).live = v;
      }
    }
  }

  void fetch_plain(ValueKey k, const ProviderCall& p, const std::string& source,
                   const std::function<ParsedValue(const std::string&)>& parse, double scale, const std::string& note) {
    const CallResult r = fetcher_.call(p, opts_.retry);
    if (!r.ok) return fail_all({k}, p.label + ": " + r.error);
    ParsedValue v = parse(r.body);
    if (v.ok()) *v.value *= scale;
    if (v.ok() && k == ValueKey::Height) {
      // A tip below what we saw before is a lagging or wrong-chain provider, not a reorg worth trusting.
      if (const auto c = cached(k); c && *v.value < c->value) {
        v.error = "height " + std::to_string(static_cast<long long>(*v.value)) + " is below the cached height " +
                  std::to_string(static_cast<long long>(c->value));
        v.value.reset();
      }
    }
    if (!v.ok()) fetcher_.rejected(p, v.error);
    accept(k, v, p.label, [&](double x) { return provider_value(x, source, std::nullopt, r.fetched_at, false, note); });
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

    if (cached_value) {
      const std::int64_t age = age_s(*cached_value, now_);
      LiveValue v = *cached_value;
      v.source = "cache";
      v.stale = cached_value->stale || age > opts_.cache_ttl_s;
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

std::vector<ProbeResult> probe_providers(const LiveOptions& opts) {
  Fetcher fetcher(opts, nullptr, /*quiet=*/true);
  RetryPolicy once = opts.retry;
  once.max_attempts = 1;
  std::vector<ProbeResult> out;
  const auto probe = [&](const ProviderCall& p, const std::function<std::string(const std::string&)>& parse) {
    ProbeResult pr;
    pr.provider = p.label;
    pr.endpoint = fetcher.clean(p.url);
    const CallResult r = fetcher.call(p, once);
    pr.http_status = r.status;
    pr.latency_ms = r.latency_ms;
    if (!r.ok) {
      pr.error = r.detail.empty() ? r.error : r.error + ": " + r.detail;
    } else {
      try {
        pr.value = parse(r.body);
        pr.ok = true;
      } catch (const Error& e) {
        pr.error = fetcher.clean(e.what());
      }
    }
    out.push_back(pr);
  };
  const auto need = [](const ParsedValue& v) {
    if (!v.ok()) throw Error(v.error);
    return fmt_number(*v.value);
  };
  const Endpoints& e = opts.endpoints;
  probe({"CoinGecko", e.coingecko + "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd,gbp,eur&include_last_updated_at=true", true, true},
        [&](const std::string& b) {
          const auto q = parse_coingecko_simple_price(b);
          std::string s = "price_usd=" + need(q.usd) + " price_gbp=" + need(q.gbp) + " price_eur=" + need(q.eur);
          if (q.last_updated_unix_s) s += " at " + format_utc_iso8601(*q.last_updated_unix_s);
          return s;
        });
  probe({"Coinbase", e.coinbase + "/v2/prices/BTC-USD/spot", true, false},
        [&](const std::string& b) { return "price_usd=" + need(parse_coinbase_spot(b)); });
  probe({"blockchain.info", e.blockchain_info + "/q/getdifficulty", false, false}, [&](const std::string& b) {
    return "difficulty=" + need(parse_plain_number(b, kDifficultyBounds, "difficulty"));
  });
  probe({"blockchain.info", e.blockchain_info + "/q/hashrate", false, false}, [&](const std::string& b) {
    const Bounds ghs{kHashrateThsBounds.lo * 1e3, kHashrateThsBounds.hi * 1e3};
    const auto v = parse_plain_number(b, ghs, "network_hashrate_ghs");
    if (!v.ok()) throw Error(v.error);
    return "network_hashrate_ths=" + fmt_number(*v.value / 1e3);
  });
  probe({"mempool.space", e.mempool_space + "/api/blocks/tip/height", false, false},
        [&](const std::string& b) { return "height=" + need(parse_plain_integer(b, kHeightBounds, "height")); });
  probe({"Frankfurter", e.frankfurter + "/latest?from=USD&to=GBP,EUR", true, false}, [&](const std::string& b) {
    const auto r = parse_frankfurter_latest(b);
    return "fx_usd_gbp=" + need(r.gbp) + " fx_usd_eur=" + need(r.eur) + (r.date.empty() ? "" : " on " + r.date);
  });
  return out;
}

}  // namespace hashsim::live
