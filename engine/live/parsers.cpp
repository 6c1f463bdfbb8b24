#include "engine/live/parsers.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "engine/util/dates.h"
#include "engine/util/error.h"

namespace hashsim::live {

namespace {
using nlohmann::json;

json parse_json_object(const std::string& body) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error& e) {
    // Byte position only: echoing the body could leak whatever the server put there.
    throw Error("malformed JSON (parse error at byte " + std::to_string(e.byte) + ")");
  }
  if (!j.is_object()) throw Error("expected a JSON object, got " + std::string(j.type_name()));
  return j;
}

std::string format_value(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

ParsedValue number_field(const json& obj, const char* key, Bounds b, const std::string& what) {
  ParsedValue p;
  if (!obj.contains(key)) {
    p.error = what + ": field \"" + key + "\" missing";
    return p;
  }
  const json& v = obj.at(key);
  if (!v.is_number()) {
    p.error = what + ": field \"" + key + "\" is " + v.type_name() + ", not a number";
    return p;
  }
  const double x = v.get<double>();
  p.error = check_bounds(x, b, what);
  if (p.error.empty()) p.value = x;
  return p;
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}
}  // namespace

std::string check_bounds(double v, Bounds b, const std::string& what) {
  if (!std::isfinite(v)) return what + " is not a finite number";
  if (v < b.lo || v > b.hi)
    return what + " = " + format_value(v) + " is outside the plausible range [" +
           format_value(b.lo) + ", " + format_value(b.hi) + "]";
  return "";
}

std::string check_content_type(const std::string& content_type, bool want_json) {
  if (content_type.empty()) return "";
  const bool is_json = content_type.find("json") != std::string::npos;
  const bool is_text = content_type.rfind("text/plain", 0) == 0;
  if (is_json || (!want_json && is_text)) return "";
  return "unexpected content type \"" + content_type + "\" (wanted " +
         (want_json ? "JSON" : "plain text") + ")";
}

CoinGeckoPrice parse_coingecko_simple_price(const std::string& body) {
  const json j = parse_json_object(body);
  if (!j.contains("bitcoin") || !j.at("bitcoin").is_object())
    throw Error("no \"bitcoin\" object in the response");
  const json& btc = j.at("bitcoin");
  CoinGeckoPrice out;
  out.usd = number_field(btc, "usd", kPriceBounds, "price_usd");
  out.gbp = number_field(btc, "gbp", kPriceBounds, "price_gbp");
  out.eur = number_field(btc, "eur", kPriceBounds, "price_eur");
  if (btc.contains("last_updated_at") && btc.at("last_updated_at").is_number_integer()) {
    const auto t = btc.at("last_updated_at").get<std::int64_t>();
    if (t > 1'230'768'000)
      out.last_updated_unix_s = t;  // not before 2009: a bogus stamp is no stamp
  }
  return out;
}

ParsedValue parse_coinbase_spot(const std::string& body) {
  const json j = parse_json_object(body);
  if (!j.contains("data") || !j.at("data").is_object())
    throw Error("no \"data\" object in the response");
  const json& d = j.at("data");
  ParsedValue p;
  const auto text_field = [&](const char* key) -> std::optional<std::string> {
    if (!d.contains(key) || !d.at(key).is_string()) return std::nullopt;
    return d.at(key).get<std::string>();
  };
  if (text_field("base") != std::optional<std::string>("BTC") ||
      text_field("currency") != std::optional<std::string>("USD")) {
    p.error = "price_usd: response is not a BTC-USD quote";
    return p;
  }
  // Coinbase sends the amount as a decimal string to avoid binary rounding.
  const auto amount = text_field("amount");
  if (!amount) {
    p.error = "price_usd: field \"amount\" missing or not a string";
    return p;
  }
  return parse_plain_number(*amount, kPriceBounds, "price_usd");
}

ParsedValue parse_plain_number(const std::string& body, Bounds bounds, const std::string& what) {
  ParsedValue p;
  const std::string t = trim(body);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
    p.error = what + ": response is not a plain number";
    return p;
  }
  p.error = check_bounds(v, bounds, what);
  if (p.error.empty()) p.value = v;
  return p;
}

ParsedValue parse_plain_integer(const std::string& body, Bounds bounds, const std::string& what) {
  ParsedValue p;
  const std::string t = trim(body);
  long long v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
    p.error = what + ": response is not a plain integer";
    return p;
  }
  p.error = check_bounds(static_cast<double>(v), bounds, what);
  if (p.error.empty()) p.value = static_cast<double>(v);
  return p;
}

FrankfurterRates parse_frankfurter_latest(const std::string& body) {
  const json j = parse_json_object(body);
  if (!j.contains("base") || j.at("base") != "USD") throw Error("rates are not based on USD");
  if (!j.contains("rates") || !j.at("rates").is_object())
    throw Error("no \"rates\" object in the response");
  FrankfurterRates out;
  if (j.contains("date") && j.at("date").is_string()) {
    out.date = j.at("date").get<std::string>();
    try {
      parse_iso_date(out.date);
    } catch (const Error&) {
      out.date.clear();
    }
  }
  out.gbp = number_field(j.at("rates"), "GBP", kFxBounds, "fx_usd_gbp");
  out.eur = number_field(j.at("rates"), "EUR", kFxBounds, "fx_usd_eur");
  return out;
}

}  // namespace hashsim::live
