#pragma once
// Internal to engine/live: one provider request as the live-data layer makes it (the refresh
// deadline, the daily call budget, redaction of secrets, Accept and API-key headers, content-type
// check), shared by the snapshot refresh (live_data.cpp) and the health check (probe.cpp).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "engine/live/cache.h"
#include "engine/live/options.h"
#include "engine/net/http_client.h"
#include "engine/net/redact.h"

namespace hashsim::live {

struct ProviderCall {
  std::string label;  // human name in messages: "CoinGecko"
  std::string url;
  bool want_json = true;
  bool send_coingecko_key = false;
};

struct CallResult {
  bool ok = false;
  std::string body;
  std::string error;   // short, redacted: "timeout", "HTTP 503", ...
  std::string detail;  // curl's redacted explanation, when there is one
  long status = 0;
  double latency_ms = 0.0;
  std::int64_t fetched_at = 0;
};

using SteadyClock = std::chrono::steady_clock;

// Calls from several threads at once (one per provider); the call budget and the flags are shared.
class Fetcher {
 public:
  // quiet: failures are logged at debug only (a health check reports them in its own table).
  // Every call ends by `deadline` (retries and backoff included).
  Fetcher(const LiveOptions& opts, CallBudget* budget, SteadyClock::time_point deadline,
          bool quiet = false)
      : opts_(opts),
        budget_(budget),
        secrets_(opts.secrets()),
        deadline_(deadline),
        quiet_(quiet) {}

  // One provider request under the deadline and the call budget; never throws for network trouble.
  CallResult call(const ProviderCall& p, const net::RetryPolicy& policy);
  // Logs a rejected response once with the reason (the body is not echoed: it may be large or
  // carry things we do not want in logs).
  void rejected(const ProviderCall& p, const std::string& reason) const;
  std::string clean(const std::string& s) const { return net::redact(s, secrets_); }
  bool limit_reached() const { return limit_reached_; }

 private:
  long remaining_ms() const {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - SteadyClock::now())
            .count());
  }
  std::string deadline_text() const {
    return "refresh deadline of " + std::to_string(opts_.refresh_deadline_ms) +
           " ms reached (LIVE_DATA_DEADLINE_MS)";
  }

  const LiveOptions& opts_;
  CallBudget* budget_;
  std::mutex budget_mutex_;
  std::vector<std::string> secrets_;
  SteadyClock::time_point deadline_;
  bool quiet_;
  std::atomic<bool> limit_reached_{false};
};

// Now plus the refresh deadline (LIVE_DATA_DEADLINE_MS).
SteadyClock::time_point deadline_from(const LiveOptions& opts);

// Runs the tasks at once, one thread each, and waits for all (exceptions are rethrown).
void run_concurrently(const std::vector<std::function<void()>>& tasks);

// "CoinGecko: price_usd = ..." -> "price_usd = ..." (the log line names the provider already).
std::string without_label(const std::string& error, const std::string& label);

// A provider timestamp more than the allowed clock skew ahead of now: the reason, else "".
std::string future_reason(std::int64_t t, std::int64_t now, const LiveOptions& opts,
                          const std::string& what);

// A value as it appears in messages: %.10g.
std::string fmt_number(double v);

}  // namespace hashsim::live
