#include "engine/net/http_client.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "engine/net/redact.h"
#include "engine/util/error.h"
#include "engine/util/version.h"

namespace hashsim::net {

namespace {
struct BodySink {
  std::string* body;
  std::size_t max_bytes;  // provider answers are a few hundred bytes; a node's batch more
};

void ensure_curl_global_init() {
  // curl_global_init is not thread-safe; do it exactly once before any handle exists.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (sink->body->size() + n > sink->max_bytes) return 0;  // makes curl fail with CURLE_WRITE_ERROR
  sink->body->append(data, n);
  return n;
}

constexpr int kMaxRedirects = 3;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "scheme://host:port" of a URL (lower-cased, default port filled in); "" if it does not parse.
std::string origin_of(const std::string& url) {
  CURLU* u = curl_url();
  if (!u) return "";
  std::string out;
  char* scheme = nullptr;
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
    out = lower(scheme) + "://" + lower(host) + ":" + port;
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return out;
}

double jitter() {
  thread_local std::mt19937 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}
}  // namespace

CurlEasy::CurlEasy() {
  ensure_curl_global_init();
  handle_ = curl_easy_init();
  if (!handle_) throw Error("libcurl could not create a handle (out of memory?)");
}
CurlEasy::~CurlEasy() {
  if (handle_) curl_easy_cleanup(handle_);
}
CurlEasy::CurlEasy(CurlEasy&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
CurlEasy& CurlEasy::operator=(CurlEasy&& other) noexcept {
  if (this != &other) {
    if (handle_) curl_easy_cleanup(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

CurlHeaders::~CurlHeaders() {
  if (list_) curl_slist_free_all(list_);
}
CurlHeaders::CurlHeaders(CurlHeaders&& other) noexcept
    : list_(std::exchange(other.list_, nullptr)) {}
CurlHeaders& CurlHeaders::operator=(CurlHeaders&& other) noexcept {
  if (this != &other) {
    if (list_) curl_slist_free_all(list_);
    list_ = std::exchange(other.list_, nullptr);
  }
  return *this;
}
void CurlHeaders::append(const std::string& header) {
  curl_slist* next = curl_slist_append(list_, header.c_str());
  if (!next) throw Error("libcurl could not allocate a request header");
  list_ = next;
}

namespace {
// The request's method, body, credentials, headers, timeouts and body sink on the handle.
void set_request_options(CURL* h, const HttpRequest& request, const CurlHeaders& headers,
                         BodySink& sink, char* errbuf) {
  if (request.post_body) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.post_body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.post_body->size()));
  } else {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  }
  if (!request.basic_auth.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERPWD, request.basic_auth.c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, request.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, request.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, request.total_timeout_ms);
  // Signals cannot be used for timeouts in a multi-threaded program.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  // Redirects are followed by http_request, not by libcurl: libcurl would send our custom headers
  // (an API key) to whatever host a redirect names.
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (request.accept_compressed) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

// A response that failed: no body, the outcome and why.
HttpResponse failed(HttpResponse r, HttpOutcome outcome, std::string error) {
  r.outcome = outcome;
  r.error = std::move(error);
  r.body.clear();
  return r;
}

// Why a transfer failed (secrets redacted); a body cut at the size limit says so.
std::string transfer_error(CURLcode rc, const char* errbuf, const std::string& body,
                           const HttpRequest& request) {
  std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  if (rc == CURLE_WRITE_ERROR && body.size() >= request.max_body_bytes / 2)
    detail = "response larger than " + std::to_string(request.max_body_bytes) + " bytes";
  return redact(detail, request.secrets);
}

// A redirect reply (3xx to a GET): its status and Location.
struct Redirect {
  long status = 0;
  std::string location;
};

std::optional<Redirect> redirect_of(CURL* h, const HttpRequest& request) {
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  char* location = nullptr;
  const bool redirect =
      (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) &&
      !request.post_body && curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
      location;
  if (!redirect) return std::nullopt;
  return Redirect{status, location};
}

// Status, lower-cased content type and Retry-After of the final reply.
void read_reply_headers(CURL* h, HttpResponse& r) {
  r.outcome = HttpOutcome::Received;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  char* ct = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
    r.content_type = lower(ct);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
    r.retry_after_s = static_cast<long>(retry_after);
}
}  // namespace

HttpResponse http_request(const HttpRequest& request) {
  CurlEasy curl;
  CurlHeaders headers;
  for (const auto& h : request.headers) headers.append(h);
  HttpResponse r;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  BodySink sink{&r.body, request.max_body_bytes};
  set_request_options(h, request, headers, sink, errbuf);

  // Only a redirect to the same scheme, host and port is followed (at most kMaxRedirects); any
  // other is refused with the reason.
  const std::string origin = origin_of(request.url);
  std::string url = request.url;
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  for (int hop = 0;; ++hop) {
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    // Every hop shares the request's total timeout.
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     std::max(1L, request.total_timeout_ms - static_cast<long>(elapsed_ms())));
    r.body.clear();
    errbuf[0] = 0;
    const CURLcode rc = curl_easy_perform(h);
    r.latency_ms = elapsed_ms();
    if (rc != CURLE_OK) {
      std::string error = transfer_error(rc, errbuf, r.body, request);  // before r moves
      return failed(
          std::move(r),
          rc == CURLE_OPERATION_TIMEDOUT ? HttpOutcome::Timeout : HttpOutcome::NetworkError,
          std::move(error));
    }
    const std::optional<Redirect> redirect = redirect_of(h, request);
    if (!redirect) break;
    if (origin.empty() || origin_of(redirect->location) != origin)
      return failed(std::move(r), HttpOutcome::NetworkError,
                    redact("redirect (HTTP " + std::to_string(redirect->status) +
                               ") to another host refused: " + redirect->location +
                               " (request headers such as API keys go only to the host asked)",
                           request.secrets));
    if (hop == kMaxRedirects)
      return failed(std::move(r), HttpOutcome::NetworkError,
                    "more than " + std::to_string(kMaxRedirects) + " redirects");
    url = redirect->location;
  }
  read_reply_headers(h, r);
  return r;
}

bool is_retryable(const HttpResponse& r) {
  if (r.outcome == HttpOutcome::Timeout) return true;
  if (r.outcome != HttpOutcome::Received) return false;
  return r.status == 429 || (r.status >= 500 && r.status <= 599);
}

long backoff_delay_ms(int retry, const RetryPolicy& policy, std::optional<long> retry_after_s,
                      double jitter01) {
  const double exp_ms =
      static_cast<double>(policy.base_delay_ms) * std::pow(2.0, std::max(0, retry - 1));
  const double capped = std::min(exp_ms, static_cast<double>(policy.max_delay_ms));
  long delay = static_cast<long>(capped * (0.5 + 0.5 * std::clamp(jitter01, 0.0, 1.0)));
  if (retry_after_s) delay = std::max(delay, *retry_after_s * 1000);
  return delay;
}

std::string describe_failure(const HttpResponse& r) {
  switch (r.outcome) {
    case HttpOutcome::Timeout:
      return "timeout";
    case HttpOutcome::LimitReached:
      return "daily call limit reached";
    case HttpOutcome::NetworkError:
      return "connection failed";  // curl's detail goes to the log
    case HttpOutcome::Received:
      break;
  }
  std::string s = "HTTP " + std::to_string(r.status);
  if (r.status == 429 && r.retry_after_s)
    s += " (Retry-After " + std::to_string(*r.retry_after_s) + " s)";
  return s;
}

FetchResult http_request_with_retry(const HttpRequest& request, const RetryPolicy& policy,
                                    const FetchHooks& hooks) {
  FetchResult out;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  const int attempts = std::max(1, policy.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (hooks.may_call && !hooks.may_call()) {
      out.response = HttpResponse{};
      out.response.outcome = HttpOutcome::LimitReached;
      out.attempt_log.push_back("attempt " + std::to_string(attempt) +
                                ": skipped, daily call limit reached");
      return out;
    }
    HttpRequest req = request;
    // The last attempt must not run past the total budget either.
    const long left_ms = policy.max_total_ms - static_cast<long>(elapsed_ms());
    req.total_timeout_ms = std::max(1L, std::min(request.total_timeout_ms, left_ms));
    req.connect_timeout_ms = std::min(request.connect_timeout_ms, req.total_timeout_ms);
    out.response = http_request(req);
    out.attempts = attempt;
    out.attempt_log.push_back("attempt " + std::to_string(attempt) + ": " +
                              describe_failure(out.response) + " after " +
                              std::to_string(static_cast<long>(out.response.latency_ms)) + " ms");
    if (!is_retryable(out.response) || attempt == attempts) return out;
    const long delay = backoff_delay_ms(attempt, policy, out.response.retry_after_s, jitter());
    if (elapsed_ms() + delay >= policy.max_total_ms) {
      out.attempt_log.push_back("giving up: next retry in " + std::to_string(delay) +
                                " ms would exceed the " + std::to_string(policy.max_total_ms) +
                                " ms budget");
      return out;
    }
    if (hooks.sleep)
      hooks.sleep(std::chrono::milliseconds(delay));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  return out;
}

std::string default_user_agent() { return std::string("hashsim/") + kVersion; }

}  // namespace hashsim::net
