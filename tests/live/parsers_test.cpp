// Strict provider parsers: documented shapes accepted; malformed JSON, wrong types, missing
// fields and absurd values rejected per value with a reason, never a crash or a silent zero.
#include <gtest/gtest.h>

#include "engine/live/parsers.h"
#include "engine/util/error.h"
#include "tests/live/fake_providers.h"

namespace hashsim::live {
namespace {

using testing::fixture;

std::string with_now(std::string body) {
  const auto pos = body.find("{{NOW_UNIX}}");
  if (pos != std::string::npos) body.replace(pos, 12, "1783692120");
  return body;
}

TEST(CoinGeckoParser, ParsesDocumentedShape) {
  const auto q = parse_coingecko_simple_price(with_now(fixture("coingecko_simple_price.json")));
  ASSERT_TRUE(q.usd.ok() && q.gbp.ok() && q.eur.ok());
  EXPECT_DOUBLE_EQ(*q.usd.value, 64128.49);
  EXPECT_DOUBLE_EQ(*q.gbp.value, 47985.03);
  EXPECT_DOUBLE_EQ(*q.eur.value, 56549.43);
  EXPECT_EQ(q.last_updated_unix_s, 1783692120);
}

TEST(CoinGeckoParser, TruncatedJsonIsRejectedWithReason) {
  try {
    parse_coingecko_simple_price(fixture("coingecko_truncated.json"));
    FAIL() << "truncated JSON accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos) << e.what();
  }
}

TEST(CoinGeckoParser, WrongTypesAndAbsurdValuesAreRejectedPerValue) {
  const auto q = parse_coingecko_simple_price(with_now(fixture("coingecko_wrong_types.json")));
  EXPECT_FALSE(q.usd.ok());
  EXPECT_NE(q.usd.error.find("not a number"), std::string::npos) << q.usd.error;
  ASSERT_TRUE(q.gbp.ok());  // a bad USD field does not take GBP down
  EXPECT_FALSE(q.eur.ok());
  EXPECT_NE(q.eur.error.find("outside the plausible range"), std::string::npos) << q.eur.error;
}

TEST(CoinGeckoParser, MissingFieldsAndWrongDocumentShape) {
  const auto q = parse_coingecko_simple_price(R"({"bitcoin":{"usd":1000}})");
  EXPECT_TRUE(q.usd.ok());
  EXPECT_NE(q.gbp.error.find("missing"), std::string::npos);
  EXPECT_FALSE(q.last_updated_unix_s.has_value());
  EXPECT_THROW(parse_coingecko_simple_price(R"({"ethereum":{"usd":1}})"), Error);
  EXPECT_THROW(parse_coingecko_simple_price(R"([1,2,3])"), Error);
  EXPECT_THROW(parse_coingecko_simple_price(""), Error);
  EXPECT_FALSE(parse_coingecko_simple_price(R"({"bitcoin":{"usd":0}})").usd.ok());  // price <= 0
}

TEST(CoinbaseParser, ParsesSpotAndRejectsOtherPairs) {
  const auto p = parse_coinbase_spot(fixture("coinbase_spot.json"));
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(*p.value, 64130.12);
  EXPECT_FALSE(parse_coinbase_spot(fixture("coinbase_spot_wrong_pair.json")).ok());
  EXPECT_FALSE(
      parse_coinbase_spot(R"({"data":{"amount":64130.12,"base":"BTC","currency":"USD"}})").ok());
  EXPECT_FALSE(
      parse_coinbase_spot(R"({"data":{"amount":"-1","base":"BTC","currency":"USD"}})").ok());
  EXPECT_FALSE(
      parse_coinbase_spot(R"({"data":{"amount":"12abc","base":"BTC","currency":"USD"}})").ok());
  EXPECT_THROW(parse_coinbase_spot(R"({"errors":[{"id":"not_found"}]})"), Error);
}

TEST(PlainParsers, AcceptNumbersWithWhitespaceOnly) {
  auto d = parse_plain_number(" 126411437451912.2\n", kDifficultyBounds, "difficulty");
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(*d.value, 126411437451912.2);
  for (const char* bad : {"", "abc", "<html>502</html>", "nan", "inf", "-5", "1e300", "12 34"})
    EXPECT_FALSE(parse_plain_number(bad, kDifficultyBounds, "difficulty").ok()) << bad;
  auto h = parse_plain_integer("957491\n", kHeightBounds, "height");
  ASSERT_TRUE(h.ok());
  EXPECT_DOUBLE_EQ(*h.value, 957491.0);
  EXPECT_FALSE(parse_plain_integer("957491.5", kHeightBounds, "height").ok());
  EXPECT_FALSE(parse_plain_integer("-1", kHeightBounds, "height").ok());
}

TEST(FrankfurterParser, ParsesRatesAndDate) {
  const auto r = parse_frankfurter_latest(
      R"({"amount":1.0,"base":"USD","date":"2026-07-10","rates":{"GBP":0.79,"EUR":0.92}})");
  ASSERT_TRUE(r.gbp.ok() && r.eur.ok());
  EXPECT_DOUBLE_EQ(*r.gbp.value, 0.79);
  EXPECT_DOUBLE_EQ(*r.eur.value, 0.92);
  EXPECT_EQ(r.date, "2026-07-10");
}

TEST(FrankfurterParser, RejectsWrongBaseAndMissingRates) {
  EXPECT_THROW(
      parse_frankfurter_latest(R"({"base":"EUR","date":"2026-07-10","rates":{"GBP":0.8}})"), Error);
  EXPECT_THROW(parse_frankfurter_latest(R"({"base":"USD","date":"2026-07-10"})"), Error);
  const auto r =
      parse_frankfurter_latest(R"({"base":"USD","date":"bogus","rates":{"GBP":0.8,"EUR":"x"}})");
  EXPECT_TRUE(r.gbp.ok());
  EXPECT_FALSE(r.eur.ok());
  EXPECT_TRUE(r.date.empty());
}

TEST(ContentType, HtmlIsNeverData) {
  EXPECT_EQ(check_content_type("application/json; charset=utf-8", true), "");
  EXPECT_EQ(check_content_type("", true), "");
  EXPECT_NE(check_content_type("text/html", true), "");
  EXPECT_NE(check_content_type("text/plain", true), "");
  EXPECT_EQ(check_content_type("text/plain; charset=utf-8", false), "");
  EXPECT_NE(check_content_type("text/html; charset=utf-8", false), "");
}

}  // namespace
}  // namespace hashsim::live
