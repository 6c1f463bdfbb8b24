#pragma once
// Strict parsers for the providers' documented response formats. Each value is accepted or
// rejected on its own with a reason — a malformed GBP quote must not take the USD one down —
// and nothing is ever turned into a silent zero. Whole-document failures (not JSON, not the
// expected object) throw hashsim::Error with the reason.
#include <cstdint>
#include <optional>
#include <string>

namespace hashsim::live {

struct ParsedValue {
  std::optional<double> value;
  std::string error;  // why value is absent
  bool ok() const { return value.has_value(); }
};

// Plausibility bounds: anything outside is a provider bug, a unit mix-up or a wrong endpoint.
struct Bounds {
  double lo;
  double hi;
};
inline constexpr Bounds kPriceBounds{1.0, 1e8};  // fiat per BTC
inline constexpr Bounds kDifficultyBounds{1.0, 1e18};
inline constexpr Bounds kHashrateThsBounds{1.0, 1e13};  // TH/s
inline constexpr Bounds kHeightBounds{0.0, 20'000'000.0};
inline constexpr Bounds kFxBounds{0.01, 100.0};  // fiat per USD

// Checks that v is finite and inside b; returns the reason it is not, or "".
std::string check_bounds(double v, Bounds b, const std::string& what);

// Content-Type gate: JSON endpoints want "json"; plain-text endpoints accept text/plain or JSON
// (a bare number is valid JSON). An HTML error page is never data. "" (absent) is allowed.
std::string check_content_type(const std::string& content_type, bool want_json);

// CoinGecko /api/v3/simple/price?ids=bitcoin&vs_currencies=usd,gbp,eur&include_last_updated_at=true
//   {"bitcoin":{"usd":64128.49,"gbp":50741.2,"eur":59001.1,"last_updated_at":1783692120}}
struct CoinGeckoPrice {
  ParsedValue usd, gbp, eur;
  std::optional<std::int64_t> last_updated_unix_s;
};
CoinGeckoPrice parse_coingecko_simple_price(const std::string& body);

// Coinbase /v2/prices/BTC-USD/spot: {"data":{"amount":"64128.49","base":"BTC","currency":"USD"}}
ParsedValue parse_coinbase_spot(const std::string& body);

// Plain-text number bodies (blockchain.info /q/getdifficulty, /q/hashrate; mempool.space
// /api/blocks/tip/height). Surrounding whitespace is allowed, anything else is not.
ParsedValue parse_plain_number(const std::string& body, Bounds bounds, const std::string& what);
ParsedValue parse_plain_integer(const std::string& body, Bounds bounds, const std::string& what);

// Frankfurter /latest?from=USD&to=GBP,EUR:
//   {"amount":1.0,"base":"USD","date":"2026-07-10","rates":{"GBP":0.79,"EUR":0.92}}
struct FrankfurterRates {
  ParsedValue gbp, eur;
  std::string date;  // YYYY-MM-DD of the ECB reference rate
};
FrankfurterRates parse_frankfurter_latest(const std::string& body);

}  // namespace hashsim::live
