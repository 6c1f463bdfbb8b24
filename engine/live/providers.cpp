#include "engine/live/snapshot_builder.h"
// The providers of each live value: CoinGecko (prices; Coinbase spot as the USD fallback),
// Frankfurter (ECB FX), blockchain.info (difficulty, hashrate), mempool.space (tip height); how
// each answer is parsed, bounded and dated. The fallback chain is in live_data.cpp.

#include "engine/live/timestamps.h"
#include "engine/util/error.h"

namespace hashsim::live {

namespace {
LiveValue provider_value(double v, const std::string& source,
                         std::optional<std::string> provider_time, std::int64_t fetched_at,
                         bool stale, std::string note) {
  LiveValue lv;
  lv.value = v;
  lv.source = source;
  lv.provider_time = std::move(provider_time);
  lv.fetched_at = format_utc_iso8601(fetched_at);
  lv.stale = stale;
  lv.note = std::move(note);
  return lv;
}
}  // namespace

void SnapshotBuilder::fail_all(std::initializer_list<ValueKey> keys, const std::string& error) {
  for (auto k : keys) cand(k).errors.push_back(error);
}

// A parsed value is accepted only inside the plausible range (network_defaults.h).
void SnapshotBuilder::accept(ValueKey k, ParsedValue p, const std::string& label,
                             const std::function<LiveValue(double)>& make) {
  if (p.ok()) {
    if (auto why = check_plausible(defaults_, k, *p.value, now_); !why.empty()) {
      p.error = why;
      p.value.reset();
    }
  }
  if (p.ok())
    cand(k).live = make(*p.value);
  else
    cand(k).errors.push_back(label + ": " + p.error);
}

void SnapshotBuilder::fetch_fx() {
  const ProviderCall p{"Frankfurter", opts_.endpoints.frankfurter + "/latest?from=USD&to=GBP,EUR",
                       true, false};
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
    const auto make = [&](double v) {
      return provider_value(v, "frankfurter", ptime, r.fetched_at, stale, note);
    };
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
LiveValue SnapshotBuilder::fx_for(ValueKey k) {
  if (cand(k).live) return *cand(k).live;
  return resolve(k, /*log=*/false);
}

void SnapshotBuilder::fetch_price() {
  const ProviderCall cg{
      "CoinGecko",
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
        if (auto future = future_reason(*q.last_updated_unix_s, now_, opts_, "provider timestamp");
            !future.empty()) {
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
      const auto make = [&](double v) {
        return provider_value(v, "coingecko", ptime, r.fetched_at, stale, note);
      };
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
    const ProviderCall cb{"Coinbase", opts_.endpoints.coinbase + "/v2/prices/BTC-USD/spot", true,
                          false};
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
        if (!cand(ValueKey::PriceUsd).live)
          fetcher_.rejected(cb, without_label(cand(ValueKey::PriceUsd).errors.back(), cb.label));
      } catch (const Error& e) {
        fetcher_.rejected(cb, e.what());
        cand(ValueKey::PriceUsd).errors.push_back(cb.label + ": " + e.what());
      }
    }
  }
}

// A fiat price the provider did not quote is derived from the live USD price and the FX rate,
// rather than mixing a live USD price with a stale cached GBP one. Runs after the FX fetch.
void SnapshotBuilder::derive_fiat_prices() {
  const auto& usd = cand(ValueKey::PriceUsd).live;
  if (!usd) return;
  for (auto [price, fx] : {std::pair{ValueKey::PriceGbp, ValueKey::FxUsdGbp},
                           std::pair{ValueKey::PriceEur, ValueKey::FxUsdEur}}) {
    if (cand(price).live) continue;
    const LiveValue rate = fx_for(fx);
    LiveValue v = *usd;
    v.value = usd->value * rate.value;
    v.source = "derived";
    v.stale = usd->stale || rate.stale;
    v.note = std::string("derived: ") + usd->source + " price_usd x " + value_key_name(fx) + " (" +
             rate.source + ")" +
             (cand(price).errors.empty() ? "" : "; " + join(cand(price).errors));
    cand(price).live = v;
  }
}

void SnapshotBuilder::fetch_plain(ValueKey k, const ProviderCall& p, const std::string& source,
                                  const std::function<ParsedValue(const std::string&)>& parse,
                                  double scale, const std::string& note) {
  const CallResult r = fetcher_.call(p, opts_.retry);
  if (!r.ok) return fail_all({k}, p.label + ": " + r.error);
  ParsedValue v = parse(r.body);
  if (v.ok()) *v.value *= scale;
  std::string extra;
  if (v.ok() && k == ValueKey::Height) {
    // A tip a little below what we saw before is a lagging provider; see kHeightLagToleranceBlocks.
    if (const auto c = cached(k); c && *v.value < c->value) {
      if (c->value - *v.value <= kHeightLagToleranceBlocks) {
        v.error = "height " + std::to_string(static_cast<long long>(*v.value)) +
                  " is below the cached height " +
                  std::to_string(static_cast<long long>(c->value)) + " (a lagging provider)";
        v.value.reset();
      } else {
        extra =
            "; replaces the cached height " + std::to_string(static_cast<long long>(c->value)) +
            ", " + std::to_string(static_cast<long long>(c->value - *v.value)) +
            " blocks higher (more than a lagging provider explains; the cached value was wrong)";
      }
    }
  }
  accept(k, v, p.label, [&](double x) {
    return provider_value(x, source, std::nullopt, r.fetched_at, false, note + extra);
  });
  if (!cand(k).live) fetcher_.rejected(p, without_label(cand(k).errors.back(), p.label));
}

void SnapshotBuilder::fetch_difficulty() {
  fetch_plain(
      ValueKey::Difficulty,
      {"blockchain.info", opts_.endpoints.blockchain_info + "/q/getdifficulty", false, false},
      "blockchain.info",
      [](const std::string& b) { return parse_plain_number(b, kDifficultyBounds, "difficulty"); },
      1.0, "blockchain.info query API getdifficulty");
}

void SnapshotBuilder::fetch_hashrate() {
  // /q/hashrate answers in GH/s; bounds are checked in GH/s, the value is stored in TH/s.
  const Bounds ghs{kHashrateThsBounds.lo * 1e3, kHashrateThsBounds.hi * 1e3};
  fetch_plain(
      ValueKey::NetworkHashrateThs,
      {"blockchain.info", opts_.endpoints.blockchain_info + "/q/hashrate", false, false},
      "blockchain.info",
      [ghs](const std::string& b) { return parse_plain_number(b, ghs, "network_hashrate_ghs"); },
      1e-3, "blockchain.info query API hashrate (GH/s / 1000)");
}

void SnapshotBuilder::fetch_height() {
  fetch_plain(
      ValueKey::Height,
      {"mempool.space", opts_.endpoints.mempool_space + "/api/blocks/tip/height", false, false},
      "mempool.space",
      [](const std::string& b) { return parse_plain_integer(b, kHeightBounds, "height"); }, 1.0,
      "mempool.space tip height");
}

}  // namespace hashsim::live
