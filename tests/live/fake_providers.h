#pragma once
// A loopback HTTP server (cpp-httplib on 127.0.0.1, any free port) that plays every live-data
// provider at once from recorded fixtures, with injectable faults. Tests never touch the internet.
#include <httplib.h>

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "engine/live/options.h"

namespace hashsim::live::testing {

std::string fixture(const std::string& name);  // tests/live/fixtures/<name>, placeholders kept

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  int delay_ms = 0;                            // sleep before answering (timeouts)
  std::map<std::string, std::string> headers;  // e.g. Retry-After
};

inline constexpr const char* kCoinGeckoPath = "/api/v3/simple/price";
inline constexpr const char* kCoinbasePath = "/v2/prices/BTC-USD/spot";
inline constexpr const char* kDifficultyPath = "/q/getdifficulty";
inline constexpr const char* kHashratePath = "/q/hashrate";
inline constexpr const char* kHeightPath = "/api/blocks/tip/height";
inline constexpr const char* kFrankfurterPath = "/latest";

class FakeProviders {
 public:
  FakeProviders();  // every path answers its normal fixture
  ~FakeProviders();
  FakeProviders(const FakeProviders&) = delete;
  FakeProviders& operator=(const FakeProviders&) = delete;

  void set(const std::string& path, Reply reply);    // from now on
  void queue(const std::string& path, Reply reply);  // next request only, then back to set()
  void fail_everything(int status);

  int hits(const std::string& path) const;
  int total_hits() const;
  std::string last_header(const std::string& path, const std::string& name) const;
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, Reply> replies_;
  std::map<std::string, std::deque<Reply>> queued_;
  std::map<std::string, int> hits_;
  std::map<std::string, httplib::Headers> last_headers_;
};

// Options aimed at `server`, with a private cache dir and short timeouts and backoffs so the
// whole suite stays fast.
LiveOptions test_options(const FakeProviders& server, const std::string& cache_dir);

}  // namespace hashsim::live::testing
