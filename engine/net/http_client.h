#pragma once
// A small blocking HTTP GET (and POST, for JSON-RPC to a Bitcoin node) over libcurl, with the
// politeness rules the live-data layer owes free public APIs: connect and total timeouts, a capped
// response size, and bounded retries with exponential backoff and jitter on timeouts, 5xx and 429
// (honouring Retry-After).
#include <curl/curl.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hashsim::net {

// Move-only owner of a CURL easy handle.
class CurlEasy {
 public:
  CurlEasy();  // throws hashsim::Error if libcurl cannot allocate a handle
  ~CurlEasy();
  CurlEasy(CurlEasy&& other) noexcept;
  CurlEasy& operator=(CurlEasy&& other) noexcept;
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;
  CURL* get() const { return handle_; }

 private:
  CURL* handle_ = nullptr;
};

// Move-only owner of a curl_slist (request headers).
class CurlHeaders {
 public:
  CurlHeaders() = default;
  ~CurlHeaders();
  CurlHeaders(CurlHeaders&& other) noexcept;
  CurlHeaders& operator=(CurlHeaders&& other) noexcept;
  CurlHeaders(const CurlHeaders&) = delete;
  CurlHeaders& operator=(const CurlHeaders&) = delete;
  void append(const std::string& header);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; may hold secrets
  std::string user_agent;
  long connect_timeout_ms = 3000;
  long total_timeout_ms = 8000;
  std::vector<std::string> secrets;      // redacted from every message about this request
  std::optional<std::string> post_body;  // set: POST this body (Content-Type from `headers`)
  std::string basic_auth;                // "user:password" for HTTP basic auth (secret); "" = none
  std::size_t max_body_bytes = 1 << 20;  // larger responses fail ("response larger than ...")
  bool accept_compressed = true;  // send Accept-Encoding (gzip, br, ...); off for a local node
};

enum class HttpOutcome { Received, Timeout, NetworkError, LimitReached };

struct HttpResponse {
  HttpOutcome outcome = HttpOutcome::NetworkError;
  long status = 0;  // HTTP status when outcome == Received
  std::string body;
  std::string content_type;  // lower-cased, "" if absent
  std::optional<long> retry_after_s;
  double latency_ms = 0.0;
  std::string error;  // redacted curl error for Timeout/NetworkError
};

// One attempt: a GET, or a POST when request.post_body is set. Never throws for network trouble;
// the outcome says what happened.
HttpResponse http_request(const HttpRequest& request);

struct RetryPolicy {
  int max_attempts = 3;      // including the first
  long base_delay_ms = 500;  // delay before retry k is base * 2^(k-1), jittered
  long max_delay_ms = 4000;
  long max_total_ms = 15000;  // never start an attempt or wait past this budget
};

// Timeouts, 5xx and 429 are worth another try; a 4xx or a refused connection is not.
bool is_retryable(const HttpResponse& response);

// Delay before retry number `retry` (1-based). jitter01 in [0,1) scales the exponential delay into
// [50%, 100%] so that many clients do not retry in lockstep; a Retry-After from the server wins
// when it asks for longer.
long backoff_delay_ms(int retry, const RetryPolicy& policy, std::optional<long> retry_after_s,
                      double jitter01);

struct FetchResult {
  HttpResponse response;  // the last attempt
  int attempts = 0;
  std::vector<std::string> attempt_log;  // one redacted line per attempt, for debug logs
};

struct FetchHooks {
  // Called before each attempt; returning false stops (daily call budget exhausted).
  std::function<bool()> may_call;
  std::function<void(std::chrono::milliseconds)> sleep;  // tests may shorten waits
};

// Retries http_request (GET or POST: only use it for idempotent requests).
FetchResult http_request_with_retry(const HttpRequest& request, const RetryPolicy& policy,
                                    const FetchHooks& hooks = {});

// "hashsim/<version>": the User-Agent sent unless the caller sets one (LIVE_DATA_USER_AGENT).
std::string default_user_agent();

// "HTTP 503", "timeout", "connection failed" — short, for user-facing notes; HttpResponse::error
// has the (redacted) detail for logs.
std::string describe_failure(const HttpResponse& response);

}  // namespace hashsim::net
