#include "tests/live/fake_providers.h"

#include <chrono>
#include <stdexcept>

#include "engine/live/timestamps.h"
#include "engine/util/atomic_file.h"

namespace hashsim::live::testing {

namespace {
std::string expand(std::string body) {
  const auto replace_all = [&](const std::string& from, const std::string& to) {
    for (auto pos = body.find(from); pos != std::string::npos;
         pos = body.find(from, pos + to.size()))
      body.replace(pos, from.size(), to);
  };
  const auto now = now_unix_s();
  replace_all("{{NOW_UNIX}}", std::to_string(now));
  replace_all("{{TODAY}}", format_utc_iso8601(now).substr(0, 10));
  return body;
}
}  // namespace

std::string fixture(const std::string& name) {
  return read_file(std::string(HASHSIM_SOURCE_DIR) + "/tests/live/fixtures/" + name);
}

FakeProviders::FakeProviders() {
  replies_[kCoinGeckoPath] = {
      200, fixture("coingecko_simple_price.json"), "application/json", 0, {}};
  replies_[kCoinbasePath] = {
      200, fixture("coinbase_spot.json"), "application/json; charset=utf-8", 0, {}};
  replies_[kDifficultyPath] = {
      200, fixture("blockchain_getdifficulty.txt"), "text/plain; charset=UTF-8", 0, {}};
  replies_[kHashratePath] = {
      200, fixture("blockchain_hashrate.txt"), "text/plain; charset=UTF-8", 0, {}};
  replies_[kHeightPath] = {200, fixture("mempool_tip_height.txt"), "text/plain", 0, {}};
  replies_[kFrankfurterPath] = {200, fixture("frankfurter_latest.json"), "application/json", 0, {}};

  server_.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    Reply r;
    {
      std::lock_guard lock(mutex_);
      ++hits_[req.path];
      last_headers_[req.path] = req.headers;
      auto q = queued_.find(req.path);
      if (q != queued_.end() && !q->second.empty()) {
        r = q->second.front();
        q->second.pop_front();
      } else if (auto it = replies_.find(req.path); it != replies_.end()) {
        r = it->second;
      } else {
        r = {404, "not found", "text/plain", 0, {}};
      }
    }
    if (r.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(r.delay_ms));
    res.status = r.status;
    for (const auto& [k, v] : r.headers) res.set_header(k, v);
    res.set_content(expand(r.body), r.content_type.c_str());
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("loopback test server could not bind");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeProviders::~FakeProviders() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void FakeProviders::set(const std::string& path, Reply reply) {
  std::lock_guard lock(mutex_);
  replies_[path] = std::move(reply);
}

void FakeProviders::queue(const std::string& path, Reply reply) {
  std::lock_guard lock(mutex_);
  queued_[path].push_back(std::move(reply));
}

void FakeProviders::fail_everything(int status) {
  std::lock_guard lock(mutex_);
  for (auto& [path, reply] : replies_)
    reply = {status, "{\"error\":\"unavailable\"}", "application/json", 0, {}};
}

int FakeProviders::hits(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = hits_.find(path);
  return it == hits_.end() ? 0 : it->second;
}

int FakeProviders::total_hits() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto& [path, count] : hits_) n += count;
  return n;
}

std::string FakeProviders::last_header(const std::string& path, const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = last_headers_.find(path);
  if (it == last_headers_.end()) return "";
  auto h = it->second.find(name);
  return h == it->second.end() ? "" : h->second;
}

LiveOptions test_options(const FakeProviders& server, const std::string& cache_dir) {
  LiveOptions o;
  const std::string base = server.base_url();
  o.endpoints = {base, base, base, base, base};
  o.cache_dir = cache_dir;
  o.connect_timeout_ms = 500;
  o.total_timeout_ms = 1000;
  o.retry = {3, 10, 40, 3000};
  o.user_agent = "hashsim-test/1.0 (+ops@example.invalid)";
  return o;
}

}  // namespace hashsim::live::testing
