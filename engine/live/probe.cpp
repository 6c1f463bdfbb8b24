#include "engine/live/live_data.h"
// probe_providers: the health check of `hashsim live --check`.

#include <functional>

#include "engine/live/fetcher.h"
#include "engine/live/network_defaults.h"
#include "engine/live/parsers.h"
#include "engine/live/timestamps.h"
#include "engine/util/error.h"

namespace hashsim::live {

std::vector<ProbeResult> probe_providers(const LiveOptions& opts) {
  // The same rules as a refresh: one deadline for all probes (run at once), plausibility bounds
  // and staleness of provider timestamps. A probe is "up" only if the value could be used live.
  Fetcher fetcher(opts, nullptr, deadline_from(opts), /*quiet=*/true);
  const NetworkDefaults defaults = load_network_defaults(opts.defaults_file);
  const std::int64_t now = now_unix_s();
  net::RetryPolicy once = opts.retry;
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
      return what + " " + format_utc_iso8601(t) + " is " + format_age(now - t) + " old (limit " +
             format_age(max_age_s) + ")";
    return std::string();
  };
  const Endpoints& ep = opts.endpoints;
  const std::vector<Probe> probes = {
      {{"CoinGecko",
        ep.coingecko + "/api/v3/simple/"
                       "price?ids=bitcoin&vs_currencies=usd,gbp,eur&include_last_updated_at=true",
        true, true},
       [&](const std::string& b) {
         const auto q = parse_coingecko_simple_price(b);
         std::string s = "price_usd=" + need(q.usd, ValueKey::PriceUsd) +
                         " price_gbp=" + need(q.gbp, ValueKey::PriceGbp) +
                         " price_eur=" + need(q.eur, ValueKey::PriceEur);
         if (q.last_updated_unix_s) {
           if (auto why =
                   stale_reason(*q.last_updated_unix_s, opts.max_price_age_s, "provider timestamp");
               !why.empty())
             throw Error("stale: " + why);
           s += " at " + format_utc_iso8601(*q.last_updated_unix_s);
         }
         return s;
       }},
      {{"Coinbase", ep.coinbase + "/v2/prices/BTC-USD/spot", true, false},
       [&](const std::string& b) {
         return "price_usd=" + need(parse_coinbase_spot(b), ValueKey::PriceUsd);
       }},
      {{"blockchain.info", ep.blockchain_info + "/q/getdifficulty", false, false},
       [&](const std::string& b) {
         return "difficulty=" +
                need(parse_plain_number(b, kDifficultyBounds, "difficulty"), ValueKey::Difficulty);
       }},
      {{"blockchain.info", ep.blockchain_info + "/q/hashrate", false, false},
       [&](const std::string& b) {
         const Bounds ghs{kHashrateThsBounds.lo * 1e3, kHashrateThsBounds.hi * 1e3};
         ParsedValue v = parse_plain_number(b, ghs, "network_hashrate_ghs");
         if (v.ok()) *v.value /= 1e3;
         return "network_hashrate_ths=" + need(v, ValueKey::NetworkHashrateThs);
       }},
      {{"mempool.space", ep.mempool_space + "/api/blocks/tip/height", false, false},
       [&](const std::string& b) {
         return "height=" + need(parse_plain_integer(b, kHeightBounds, "height"), ValueKey::Height);
       }},
      {{"Frankfurter", ep.frankfurter + "/latest?from=USD&to=GBP,EUR", true, false},
       [&](const std::string& b) {
         const auto r = parse_frankfurter_latest(b);
         std::string s = "fx_usd_gbp=" + need(r.gbp, ValueKey::FxUsdGbp) +
                         " fx_usd_eur=" + need(r.eur, ValueKey::FxUsdEur);
         if (!r.date.empty()) {
           if (auto why =
                   stale_reason(*parse_utc_iso8601(r.date), opts.max_fx_age_s, "provider date");
               !why.empty())
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
