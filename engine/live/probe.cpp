#include "engine/live/live_data.h"
// probe_providers: the health check of `hashsim live --check`.

#include <functional>
#include <utility>

#include "engine/live/fetcher.h"
#include "engine/live/network_defaults.h"
#include "engine/live/parsers.h"
#include "engine/live/timestamps.h"
#include "engine/util/error.h"

namespace hashsim::live {

namespace {

// A provider's call and the parse of its reply into the probe's value text.
struct Probe {
  ProviderCall call;
  std::function<std::string(const std::string&)> parse;
};

// The rules a refresh applies to a value: plausibility bounds and staleness of provider
// timestamps.
class ProbeRules {
 public:
  ProbeRules(const LiveOptions& opts, NetworkDefaults defaults, std::int64_t now)
      : opts_(opts), defaults_(std::move(defaults)), now_(now) {}

  // The value as text; throws the reason it could not be used live.
  std::string need(const ParsedValue& v, ValueKey k) const {
    if (!v.ok()) throw Error(v.error);
    if (auto why = check_plausible(defaults_, k, *v.value, now_); !why.empty()) throw Error(why);
    return fmt_number(*v.value);
  }
  // Staleness of a provider timestamp, as a refresh judges it: "" when fresh.
  std::string stale_reason(std::int64_t t, std::int64_t max_age_s, const std::string& what) const {
    if (auto future = future_reason(t, now_, opts_, what); !future.empty()) return future;
    if (now_ - t > max_age_s)
      return what + " " + format_utc_iso8601(t) + " is " + format_age(now_ - t) + " old (limit " +
             format_age(max_age_s) + ")";
    return std::string();
  }
  // Throws "stale: <why>" when the timestamp is stale.
  void require_fresh(std::int64_t t, std::int64_t max_age_s, const std::string& what) const {
    if (auto why = stale_reason(t, max_age_s, what); !why.empty()) throw Error("stale: " + why);
  }

 private:
  const LiveOptions& opts_;
  NetworkDefaults defaults_;
  std::int64_t now_;
};

// One probe per provider value a refresh reads (`rules` must outlive the probes).
std::vector<Probe> provider_probes(const LiveOptions& opts, const ProbeRules& rules) {
  const Endpoints& ep = opts.endpoints;
  return {
      {{"CoinGecko",
        ep.coingecko + "/api/v3/simple/"
                       "price?ids=bitcoin&vs_currencies=usd,gbp,eur&include_last_updated_at=true",
        true, true},
       [&rules, &opts](const std::string& b) {
         const auto q = parse_coingecko_simple_price(b);
         std::string s = "price_usd=" + rules.need(q.usd, ValueKey::PriceUsd) +
                         " price_gbp=" + rules.need(q.gbp, ValueKey::PriceGbp) +
                         " price_eur=" + rules.need(q.eur, ValueKey::PriceEur);
         if (q.last_updated_unix_s) {
           rules.require_fresh(*q.last_updated_unix_s, opts.max_price_age_s, "provider timestamp");
           s += " at " + format_utc_iso8601(*q.last_updated_unix_s);
         }
         return s;
       }},
      {{"Coinbase", ep.coinbase + "/v2/prices/BTC-USD/spot", true, false},
       [&rules](const std::string& b) {
         return "price_usd=" + rules.need(parse_coinbase_spot(b), ValueKey::PriceUsd);
       }},
      {{"blockchain.info", ep.blockchain_info + "/q/getdifficulty", false, false},
       [&rules](const std::string& b) {
         return "difficulty=" + rules.need(parse_plain_number(b, kDifficultyBounds, "difficulty"),
                                           ValueKey::Difficulty);
       }},
      {{"blockchain.info", ep.blockchain_info + "/q/hashrate", false, false},
       [&rules](const std::string& b) {
         const Bounds ghs{kHashrateThsBounds.lo * 1e3, kHashrateThsBounds.hi * 1e3};
         ParsedValue v = parse_plain_number(b, ghs, "network_hashrate_ghs");
         if (v.ok()) *v.value /= 1e3;
         return "network_hashrate_ths=" + rules.need(v, ValueKey::NetworkHashrateThs);
       }},
      {{"mempool.space", ep.mempool_space + "/api/blocks/tip/height", false, false},
       [&rules](const std::string& b) {
         return "height=" +
                rules.need(parse_plain_integer(b, kHeightBounds, "height"), ValueKey::Height);
       }},
      {{"Frankfurter", ep.frankfurter + "/latest?from=USD&to=GBP,EUR", true, false},
       [&rules, &opts](const std::string& b) {
         const auto r = parse_frankfurter_latest(b);
         std::string s = "fx_usd_gbp=" + rules.need(r.gbp, ValueKey::FxUsdGbp) +
                         " fx_usd_eur=" + rules.need(r.eur, ValueKey::FxUsdEur);
         if (!r.date.empty()) {
           rules.require_fresh(*parse_utc_iso8601(r.date), opts.max_fx_age_s, "provider date");
           s += " on " + r.date;
         }
         return s;
       }},
  };
}

// One probe, once: DOWN (no reply), BAD (a reply not usable live), STALE or up.
ProbeResult run_probe(const Probe& p, Fetcher& fetcher, const net::RetryPolicy& once) {
  ProbeResult pr;
  pr.provider = p.call.label;
  pr.endpoint = fetcher.clean(p.call.url);
  const CallResult r = fetcher.call(p.call, once);
  pr.http_status = r.status;
  pr.latency_ms = r.latency_ms;
  if (!r.ok) {
    pr.state = "DOWN";
    pr.error = r.detail.empty() || r.error == r.detail ? r.error : r.error + ": " + r.detail;
    return pr;
  }
  try {
    pr.value = p.parse(r.body);
    pr.ok = true;
    pr.state = "up";
  } catch (const Error& e) {
    pr.error = fetcher.clean(e.what());
    pr.state = pr.error.rfind("stale:", 0) == 0 ? "STALE" : "BAD";
  }
  return pr;
}

}  // namespace

std::vector<ProbeResult> probe_providers(const LiveOptions& opts) {
  // The same rules as a refresh: one deadline for all probes (run at once), plausibility bounds
  // and staleness of provider timestamps. A probe is "up" only if the value could be used live.
  Fetcher fetcher(opts, nullptr, deadline_from(opts), /*quiet=*/true);
  const ProbeRules rules(opts, load_network_defaults(opts.defaults_file), now_unix_s());
  net::RetryPolicy once = opts.retry;
  once.max_attempts = 1;
  const std::vector<Probe> probes = provider_probes(opts, rules);
  std::vector<ProbeResult> out(probes.size());
  std::vector<std::function<void()>> tasks;
  for (std::size_t i = 0; i < probes.size(); ++i)
    tasks.push_back([&, i] { out[i] = run_probe(probes[i], fetcher, once); });
  run_concurrently(tasks);
  return out;
}

}  // namespace hashsim::live
