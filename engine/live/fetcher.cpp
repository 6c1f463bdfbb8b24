#include "engine/live/fetcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <future>

#include "engine/live/parsers.h"
#include "engine/live/timestamps.h"

namespace hashsim::live {

CallResult Fetcher::call(const ProviderCall& p, const net::RetryPolicy& policy) {
  const std::string url = net::redact(p.url, secrets_);
  CallResult r;
  const long left_ms = remaining_ms();
  if (left_ms <= 0) {
    r.fetched_at = now_unix_s();
    r.error = deadline_text();
    spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn, "{}: GET {} not sent: {}",
                p.label, url, r.error);
    return r;
  }
  net::HttpRequest req;
  req.url = p.url;
  req.user_agent = opts_.user_agent.empty() ? default_user_agent() : opts_.user_agent;
  req.connect_timeout_ms = std::min(opts_.connect_timeout_ms, left_ms);
  req.total_timeout_ms = std::min(opts_.total_timeout_ms, left_ms);
  req.secrets = secrets_;
  req.headers.push_back(std::string("Accept: ") +
                        (p.want_json ? "application/json" : "text/plain, */*"));
  if (p.send_coingecko_key && !opts_.coingecko_api_key.empty())
    req.headers.push_back("x-cg-demo-api-key: " + opts_.coingecko_api_key);
  net::RetryPolicy bounded = policy;
  bounded.max_total_ms = std::min(policy.max_total_ms, left_ms);
  net::FetchHooks hooks;
  if (budget_)
    hooks.may_call = [this] {
      std::lock_guard lock(budget_mutex_);
      return budget_->try_consume();
    };

  const net::FetchResult f = net::http_request_with_retry(req, bounded, hooks);
  r.fetched_at = now_unix_s();
  r.status = f.response.status;
  r.latency_ms = f.response.latency_ms;
  if (f.response.outcome == net::HttpOutcome::LimitReached) {
    limit_reached_ = true;
    r.error = "daily call limit reached";
    return r;
  }
  std::string attempts;
  for (const auto& line : f.attempt_log) attempts += (attempts.empty() ? "" : "; ") + line;
  if (f.response.outcome != net::HttpOutcome::Received || f.response.status != 200) {
    r.error = net::describe_failure(f.response);
    r.detail = f.response.error;
    // The note carries the real reason (a refused redirect, an oversized body), not only the log.
    if (f.response.outcome == net::HttpOutcome::NetworkError && !r.detail.empty())
      r.error = r.detail;
    if (f.response.outcome == net::HttpOutcome::Timeout && remaining_ms() <= 0)
      r.error = "timeout (" + deadline_text() + ")";
    const std::string detail = f.response.error.empty() ? "" : " (" + f.response.error + ")";
    spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn, "{}: GET {} failed: {}{} [{}]",
                p.label, url, net::describe_failure(f.response), detail,
                net::redact(attempts, secrets_));
    return r;
  }
  if (auto bad = check_content_type(f.response.content_type, p.want_json); !bad.empty()) {
    r.error = bad;
    spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn,
                "{}: GET {} -> HTTP 200 in {:.0f} ms but {}", p.label, url, r.latency_ms, bad);
    return r;
  }
  spdlog::debug("{}: GET {} -> HTTP 200 in {:.0f} ms ({} attempt(s))", p.label, url, r.latency_ms,
                f.attempts);
  r.ok = true;
  r.body = f.response.body;
  return r;
}

void Fetcher::rejected(const ProviderCall& p, const std::string& reason) const {
  spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn, "{}: GET {} -> rejected: {}",
              p.label, net::redact(p.url, secrets_), net::redact(reason, secrets_));
}

SteadyClock::time_point deadline_from(const LiveOptions& opts) {
  return SteadyClock::now() + std::chrono::milliseconds(std::max(1L, opts.refresh_deadline_ms));
}

void run_concurrently(const std::vector<std::function<void()>>& tasks) {
  std::vector<std::future<void>> running;
  running.reserve(tasks.size());
  for (const auto& t : tasks) running.push_back(std::async(std::launch::async, t));
  for (auto& f : running) f.wait();
  for (auto& f : running) f.get();
}

std::string without_label(const std::string& error, const std::string& label) {
  return error.rfind(label + ": ", 0) == 0 ? error.substr(label.size() + 2) : error;
}

std::string future_reason(std::int64_t t, std::int64_t now, const LiveOptions& opts,
                          const std::string& what) {
  if (t - now <= opts.max_clock_skew_s) return "";
  return what + " " + format_utc_iso8601(t) + " is " + format_age(t - now) +
         " in the future (more than the " + std::to_string(opts.max_clock_skew_s) +
         " s clock skew allowed); not trusted";
}

std::string fmt_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace hashsim::live
