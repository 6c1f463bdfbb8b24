// HTTP client politeness against the loopback server: bounded retries with backoff on 5xx, 429
// (Retry-After honoured) and timeouts; no retry on other 4xx; User-Agent and headers sent.
#include <gtest/gtest.h>

#include <chrono>

#include "engine/net/http_client.h"
#include "tests/live/fake_providers.h"

namespace hashsim::live {
namespace {
using namespace hashsim::net;

using testing::FakeProviders;
using testing::Reply;

HttpRequest request_to(const FakeProviders& s, const std::string& path) {
  HttpRequest r;
  r.url = s.base_url() + path;
  r.user_agent = "hashsim-test/1.0";
  r.connect_timeout_ms = 500;
  r.total_timeout_ms = 1000;
  return r;
}

TEST(Backoff, ExponentialJitteredCappedAndRetryAfterWins) {
  const RetryPolicy p{5, 100, 350, 10'000};
  EXPECT_EQ(backoff_delay_ms(1, p, std::nullopt, 0.0), 50);  // 100 * [0.5, 1]
  EXPECT_EQ(backoff_delay_ms(1, p, std::nullopt, 1.0), 100);
  EXPECT_EQ(backoff_delay_ms(2, p, std::nullopt, 1.0), 200);
  EXPECT_EQ(backoff_delay_ms(3, p, std::nullopt, 1.0), 350);  // capped
  EXPECT_EQ(backoff_delay_ms(9, p, std::nullopt, 0.0), 175);
  EXPECT_EQ(backoff_delay_ms(1, p, 2L, 0.5), 2000);  // server asked for longer
}

TEST(HttpClient, RetriesServerErrorsThenSucceeds) {
  FakeProviders s;
  s.queue(testing::kHeightPath, {500, "oops", "text/plain", 0, {}});
  s.queue(testing::kHeightPath, {502, "oops", "text/plain", 0, {}});
  const FetchResult f =
      http_request_with_retry(request_to(s, testing::kHeightPath), {3, 5, 20, 2000});
  EXPECT_EQ(f.attempts, 3);
  EXPECT_EQ(f.response.status, 200);
  EXPECT_EQ(f.response.body, "957491");
  EXPECT_EQ(s.hits(testing::kHeightPath), 3);
}

TEST(HttpClient, RetriesOnlyRetryableStatusesAndAtMostMaxAttempts) {
  struct Case {
    int status;
    int attempts;
  };
  for (const Case c : {Case{503, 4}, Case{500, 4}, Case{429, 4}, Case{404, 1}, Case{403, 1}}) {
    FakeProviders s;
    s.set(testing::kHeightPath, {c.status, "no", "text/plain", 0, {}});
    const FetchResult f =
        http_request_with_retry(request_to(s, testing::kHeightPath), {4, 1, 5, 2000});
    EXPECT_EQ(f.attempts, c.attempts) << c.status;
    EXPECT_EQ(f.response.status, c.status);
    EXPECT_EQ(describe_failure(f.response), "HTTP " + std::to_string(c.status));
    EXPECT_EQ(s.hits(testing::kHeightPath), c.attempts) << c.status;
  }
}

TEST(HttpClient, HonoursRetryAfterOn429) {
  FakeProviders s;
  s.queue(testing::kHeightPath, {429, "slow down", "text/plain", 0, {{"Retry-After", "1"}}});
  const auto t0 = std::chrono::steady_clock::now();
  const FetchResult f =
      http_request_with_retry(request_to(s, testing::kHeightPath), {3, 5, 20, 5000});
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(f.attempts, 2);
  EXPECT_EQ(f.response.status, 200);
  EXPECT_GE(waited, std::chrono::milliseconds(950));
}

TEST(HttpClient, RetryAfterBeyondTheBudgetGivesUpAtOnce) {
  FakeProviders s;
  s.set(testing::kHeightPath, {429, "slow down", "text/plain", 0, {{"Retry-After", "3600"}}});
  const auto t0 = std::chrono::steady_clock::now();
  const FetchResult f =
      http_request_with_retry(request_to(s, testing::kHeightPath), {3, 5, 20, 2000});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500));
  EXPECT_EQ(f.attempts, 1);
  EXPECT_EQ(describe_failure(f.response), "HTTP 429 (Retry-After 3600 s)");
}

TEST(HttpClient, SlowServerTimesOutAndIsRetriedWithinTheBudget) {
  FakeProviders s;
  s.set(testing::kHeightPath, {200, "957491", "text/plain", 400, {}});
  HttpRequest r = request_to(s, testing::kHeightPath);
  r.total_timeout_ms = 100;
  const auto t0 = std::chrono::steady_clock::now();
  const FetchResult f = http_request_with_retry(r, {2, 5, 10, 2000});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
  EXPECT_EQ(f.response.outcome, HttpOutcome::Timeout);
  EXPECT_EQ(describe_failure(f.response), "timeout");
  EXPECT_EQ(f.attempts, 2);
}

TEST(HttpClient, SendsUserAgentAndHeaders) {
  FakeProviders s;
  HttpRequest r = request_to(s, testing::kCoinGeckoPath);
  r.headers.push_back("x-cg-demo-api-key: k-123");
  const HttpResponse resp = http_request(r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.content_type, "application/json");
  EXPECT_EQ(s.last_header(testing::kCoinGeckoPath, "User-Agent"), "hashsim-test/1.0");
  EXPECT_EQ(s.last_header(testing::kCoinGeckoPath, "x-cg-demo-api-key"), "k-123");
}

TEST(HttpClient, DailyLimitStopsBeforeTheRequest) {
  FakeProviders s;
  FetchHooks hooks;
  hooks.may_call = [] { return false; };
  const FetchResult f =
      http_request_with_retry(request_to(s, testing::kHeightPath), {3, 5, 20, 2000}, hooks);
  EXPECT_EQ(f.response.outcome, HttpOutcome::LimitReached);
  EXPECT_EQ(s.total_hits(), 0);
}

TEST(HttpClient, RefusedConnectionIsANetworkErrorNotACrash) {
  HttpRequest r;
  r.url = "http://127.0.0.1:9/q/hashrate";  // discard port: nothing listens
  r.connect_timeout_ms = 300;
  r.total_timeout_ms = 300;
  const FetchResult f = http_request_with_retry(r, {3, 5, 20, 1000});
  EXPECT_NE(f.response.outcome, HttpOutcome::Received);
  EXPECT_EQ(f.attempts, 1);
}

TEST(HttpClient, SameHostRedirectIsFollowedWithItsHeaders) {
  FakeProviders s;
  s.set("/moved", {301, "", "text/plain", 0, {{"Location", s.base_url() + testing::kHeightPath}}});
  HttpRequest r = request_to(s, "/moved");
  r.headers.push_back("x-cg-demo-api-key: k-123");
  const HttpResponse resp = http_request(r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "957491");
  EXPECT_EQ(s.last_header(testing::kHeightPath, "x-cg-demo-api-key"), "k-123");
}

TEST(HttpClient, CrossHostRedirectIsRefusedBeforeAnyHeaderLeaves) {
  FakeProviders s, other;
  s.set(testing::kCoinGeckoPath,
        {302, "", "text/plain", 0, {{"Location", other.base_url() + "/collect"}}});
  HttpRequest r = request_to(s, testing::kCoinGeckoPath);
  r.headers.push_back("x-cg-demo-api-key: k-123");
  r.secrets = {"k-123"};
  const FetchResult f = http_request_with_retry(r, {3, 5, 20, 2000});
  EXPECT_EQ(other.total_hits(), 0);
  EXPECT_EQ(f.response.outcome, HttpOutcome::NetworkError);
  EXPECT_EQ(f.attempts, 1);
  EXPECT_NE(f.response.error.find(
                "redirect (HTTP 302) to another host refused: " + other.base_url() + "/collect"),
            std::string::npos)
      << f.response.error;
}

}  // namespace
}  // namespace hashsim::live
