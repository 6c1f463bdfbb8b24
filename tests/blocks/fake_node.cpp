#include "tests/blocks/fake_node.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/chain/consensus.h"
#include "engine/util/error.h"
#include "engine/util/sha256.h"

namespace hashsim::blocks::testing {

namespace {
using nlohmann::json;

struct RpcError {
  int code;
  std::string message;
};

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(t[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(t[((val << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4) out.push_back('=');
  return out;
}
}  // namespace

std::string fake_hash(std::int64_t height, const std::string& branch) {
  return sha256_hex("hashsim fake block " + std::to_string(height) + " " + branch);
}

std::vector<FakeBlock> fixture_chain(const std::string& branch) {
  std::ifstream in(std::string(HASHSIM_SOURCE_DIR) +
                   "/tests/blocks/fixtures/blocks_909458_912457.csv");
  if (!in) throw std::runtime_error("fixture blocks_909458_912457.csv missing");
  std::vector<FakeBlock> out;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::stringstream ss(line);
    std::string f[5];
    for (auto& x : f) std::getline(ss, x, ',');
    FakeBlock b;
    b.height = std::stoll(f[0]);
    b.time_unix = std::stoll(f[1]);
    b.fee_sat = std::stoll(f[2]);
    b.tx_count = std::stoll(f[3]);
    b.difficulty = std::stod(f[4]);
    b.subsidy_sat = chain::block_subsidy_sat(b.height);
    b.hash = fake_hash(b.height, branch);
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<FakeBlock> synthetic_chain(std::int64_t from, std::int64_t n, const std::string& branch,
                                       double difficulty) {
  std::vector<FakeBlock> out;
  out.reserve(static_cast<std::size_t>(n));
  for (std::int64_t h = from; h < from + n; ++h) {
    FakeBlock b;
    b.height = h;
    b.time_unix = 1'700'000'000 + (h - from) * 600;
    b.fee_sat = 1000 * (h % 7);
    b.tx_count = h % 7 == 0 ? 1 : 2000;
    b.subsidy_sat = chain::block_subsidy_sat(h);
    b.difficulty = difficulty;
    b.hash = fake_hash(h, branch);
    out.push_back(std::move(b));
  }
  return out;
}

FakeNode::FakeNode(std::vector<FakeBlock> chain) : chain_(std::move(chain)) {
  if (chain_.empty()) throw std::runtime_error("FakeNode needs at least one block");
  tip_ = chain_.back().height;
  start(0);
}

void FakeNode::start(int port) {
  server_ = std::make_unique<httplib::Server>();
  server_->Post("/", [this](const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mutex_);
    ++posts_;
    if (post_delay_ms_ > 0) {
      const int ms = post_delay_ms_;
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      lock.lock();
    }
    if (serve_queued_fault(res)) return;
    if (!user_.empty()) {
      const std::string expected = "Basic " + base64(user_ + ":" + password_);
      if (req.get_header_value("Authorization") != expected) {
        res.status = 401;  // bitcoind: empty body, WWW-Authenticate header
        res.set_header("WWW-Authenticate", "Basic realm=\"jsonrpc\"");
        return;
      }
    }
    json request;
    try {
      request = json::parse(req.body);
    } catch (const json::exception&) {
      res.status = 500;
      res.set_content(R"({"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null})"
                      "\n",
                      "application/json");
      return;
    }
    if (request.is_array()) {
      json out = json::array();
      for (const auto& r : request) {
        bool error = false;
        out.push_back(dispatch(r, error));
      }
      res.status = 200;
      res.set_content(out.dump() + "\n", "application/json");
    } else {
      bool error = false;
      json out = dispatch(request, error);
      res.status = error ? (out["error"]["code"] == -32601 ? 404 : 500) : 200;
      res.set_content(out.dump() + "\n", "application/json");
    }
  });
  // mempool.space REST, same chain.
  server_->Get(R"(/api/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mutex_);
    if (serve_queued_fault(res)) return;
    const std::string& p = req.path;
    if (p == "/api/blocks/tip/height") {
      res.set_content(std::to_string(tip_), "text/plain");
    } else if (p.rfind("/api/block-height/", 0) == 0) {
      const FakeBlock* b = at(std::stoll(p.substr(18)));
      if (!b) {
        res.status = 404;
        res.set_content("Block not found", "text/plain");
      } else {
        res.set_content(b->hash, "text/plain");
      }
    } else if (p.rfind("/api/block/", 0) == 0) {
      const FakeBlock* b = by_hash(p.substr(11));
      if (!b) {
        res.status = 404;
        res.set_content("Block not found", "text/plain");
        return;
      }
      const json j = {
          {"id", b->hash},
          {"height", b->height},
          {"version", 536870912},
          {"timestamp", b->time_unix},
          {"tx_count", b->tx_count},
          {"size", 1500000},
          {"weight", 3993000},
          {"difficulty", b->difficulty},
          {"extras",
           {{"totalFees", b->fee_sat},
            {"reward", b->fee_sat + (subsidy_override_ >= 0 ? subsidy_override_ : b->subsidy_sat)},
            {"medianFee", 2.0},
            {"pool", {{"id", 1}, {"name", "Unknown"}, {"slug", "unknown"}}}}}};
      res.set_content(j.dump(), "application/json");
    } else {
      res.status = 404;
      res.set_content("not found", "text/plain");
    }
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
  } else {
    // The same port again after a restart; it may take a moment to be free.
    bool bound = false;
    for (int i = 0; i < 200 && !bound; ++i) {
      bound = server_->bind_to_port("127.0.0.1", port);
      if (!bound) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    port_ = bound ? port : -1;
  }
  if (port_ <= 0) throw std::runtime_error("fake node could not bind");
  httplib::Server* server = server_.get();
  thread_ = std::thread([server] { server->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void FakeNode::stop_serving() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void FakeNode::restart(int down_ms, int warmup_replies) {
  stop_serving();
  std::this_thread::sleep_for(std::chrono::milliseconds(down_ms));
  {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < warmup_replies; ++i)
      faults_.push_back(
          {500,
           R"({"result":null,"error":{"code":-28,"message":"Loading block index…"},"id":0})"
           "\n",
           "application/json"});
  }
  start(port_);
}

FakeNode::~FakeNode() { stop_serving(); }

bool FakeNode::serve_queued_fault(httplib::Response& res) {
  if (faults_.empty()) return false;
  const Fault f = faults_.front();
  faults_.pop_front();
  res.status = f.status;
  res.set_content(f.body, f.content_type.c_str());
  return true;
}

void FakeNode::set_tip(std::int64_t h) {
  std::lock_guard lock(mutex_);
  tip_ = h;
}
std::int64_t FakeNode::tip() const {
  std::lock_guard lock(mutex_);
  return tip_;
}
void FakeNode::reorg(std::int64_t fork_height, const std::vector<FakeBlock>& branch) {
  std::lock_guard lock(mutex_);
  reorg_locked(fork_height, branch);
}
void FakeNode::reorg_after_calls(int calls, std::int64_t fork_height,
                                 std::vector<FakeBlock> branch) {
  std::lock_guard lock(mutex_);
  reorg_at_call_ = calls_ + calls;
  pending_fork_ = fork_height;
  pending_branch_ = std::move(branch);
}
void FakeNode::reorg_locked(std::int64_t fork_height, const std::vector<FakeBlock>& branch) {
  const std::int64_t first = chain_.front().height;
  chain_.resize(static_cast<std::size_t>(fork_height - first));
  for (const auto& b : branch)
    if (b.height >= fork_height) chain_.push_back(b);
  tip_ = chain_.back().height;
}
void FakeNode::set_chain_name(const std::string& c) {
  std::lock_guard lock(mutex_);
  chain_name_ = c;
}
void FakeNode::set_ibd(bool s) {
  std::lock_guard lock(mutex_);
  ibd_ = s;
}
void FakeNode::set_auth(const std::string& u, const std::string& p) {
  std::lock_guard lock(mutex_);
  user_ = u;
  password_ = p;
}
void FakeNode::set_subsidy_override(std::int64_t sat) {
  std::lock_guard lock(mutex_);
  subsidy_override_ = sat;
}
void FakeNode::queue_fault(Fault f) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(f));
}
void FakeNode::set_post_delay_ms(int ms) {
  std::lock_guard lock(mutex_);
  post_delay_ms_ = ms;
}
int FakeNode::posts() const {
  std::lock_guard lock(mutex_);
  return posts_;
}
int FakeNode::rpc_calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

const FakeBlock* FakeNode::at(std::int64_t h) const {
  const std::int64_t first = chain_.front().height;
  if (h < first || h > tip_ || h - first >= static_cast<std::int64_t>(chain_.size()))
    return nullptr;
  return &chain_[static_cast<std::size_t>(h - first)];
}

const FakeBlock* FakeNode::by_hash(const std::string& hash) const {
  for (const auto& b : chain_)
    if (b.hash == hash && b.height <= tip_) return &b;
  return nullptr;
}

// Core's GetNetworkHashPS: (chainwork(h) - chainwork(h - n)) / (max time - min time) over the
// blocks h-n..h; with fewer blocks in the fixture, difficulty * 2^32 / 600.
double FakeNode::network_hashps(std::int64_t n, std::int64_t h) const {
  const FakeBlock* top = at(h);
  const FakeBlock* bottom = at(h - n);
  if (!top) return 0.0;
  if (!bottom) return top->difficulty * chain::kHashesPerDifficulty / chain::kTargetBlockTimeS;
  double work = 0.0;
  std::int64_t tmin = top->time_unix, tmax = top->time_unix;
  for (std::int64_t k = h - n; k <= h; ++k) {
    const FakeBlock* b = at(k);
    if (k > h - n) work += b->difficulty * chain::kHashesPerDifficulty;
    tmin = std::min(tmin, b->time_unix);
    tmax = std::max(tmax, b->time_unix);
  }
  return tmax > tmin ? work / static_cast<double>(tmax - tmin) : 0.0;
}

json FakeNode::dispatch(const json& r, bool& error) {
  if (++calls_ == reorg_at_call_ + 1) reorg_locked(pending_fork_, pending_branch_);
  json id = r.contains("id") ? r["id"] : json();
  try {
    if (!r.is_object() || !r.contains("method") || !r["method"].is_string())
      throw RpcError{-32600, "Invalid Request object"};
    const json params = r.contains("params") ? r["params"] : json::array();
    json result = result_of(r["method"].get<std::string>(), params);
    return {{"result", result}, {"error", nullptr}, {"id", id}};
  } catch (const RpcError& e) {
    error = true;
    return {{"result", nullptr}, {"error", {{"code", e.code}, {"message", e.message}}}, {"id", id}};
  }
}

json FakeNode::result_of(const std::string& m, const json& p) {
  const auto int_param = [&](std::size_t i) -> std::int64_t {
    if (!p.is_array() || p.size() <= i || !p[i].is_number_integer())
      throw RpcError{-1, "JSON value is not an integer as expected"};
    return p[i].get<std::int64_t>();
  };
  if (m == "getblockchaininfo") {
    const FakeBlock* t = at(tip_);
    return {{"chain", chain_name_},
            {"blocks", tip_},
            {"headers", tip_},
            {"bestblockhash", t->hash},
            {"difficulty", t->difficulty},
            {"time", t->time_unix},
            {"mediantime", t->time_unix - 3000},
            {"verificationprogress", ibd_ ? 0.42 : 0.9999993},
            {"initialblockdownload", ibd_},
            {"chainwork", "0000000000000000000000000000000000000000d5b0c5d4e1f3a8b9c0d1e2f3"},
            {"size_on_disk", 780000000000LL},
            {"pruned", false},
            {"warnings", json::array()}};
  }
  if (m == "getblockcount") return tip_;
  if (m == "getblockhash") {
    const std::int64_t h = int_param(0);
    const FakeBlock* b = at(h);
    if (!b) throw RpcError{-8, "Block height out of range"};
    return b->hash;
  }
  if (m == "getblockstats") {
    const std::int64_t h = int_param(0);
    const FakeBlock* b = at(h);
    if (!b)
      throw RpcError{-8, "Target block height " + std::to_string(h) + " after current tip " +
                             std::to_string(tip_)};
    const std::int64_t subsidy = subsidy_override_ >= 0 ? subsidy_override_ : b->subsidy_sat;
    const json all = {{"avgfee", b->tx_count > 1 ? b->fee_sat / (b->tx_count - 1) : 0},
                      {"blockhash", b->hash},
                      {"height", b->height},
                      {"ins", b->tx_count * 2},
                      {"subsidy", subsidy},
                      {"time", b->time_unix},
                      {"totalfee", b->fee_sat},
                      {"txs", b->tx_count}};
    if (p.size() < 2) return all;
    json out = json::object();
    for (const auto& k : p[1]) {
      const std::string key = k.get<std::string>();
      if (!all.contains(key)) throw RpcError{-8, "Invalid selected statistic '" + key + "'"};
      out[key] = all[key];
    }
    return out;
  }
  if (m == "getblockheader") {
    if (!p.is_array() || p.empty() || !p[0].is_string())
      throw RpcError{-1, "JSON value is not a string as expected"};
    const FakeBlock* b = by_hash(p[0].get<std::string>());
    if (!b) throw RpcError{-5, "Block not found"};
    json j = {{"hash", b->hash},
              {"confirmations", tip_ - b->height + 1},
              {"height", b->height},
              {"version", 536870912},
              {"versionHex", "20000000"},
              {"merkleroot", fake_hash(b->height, "merkle")},
              {"time", b->time_unix},
              {"mediantime", b->time_unix - 3000},
              {"nonce", 12345},
              {"bits", "17023a04"},
              {"difficulty", b->difficulty},
              {"chainwork", "00000000000000000000000000000000000000000000000000000000deadbeef"},
              {"nTx", b->tx_count}};
    if (const FakeBlock* prev = at(b->height - 1)) j["previousblockhash"] = prev->hash;
    if (const FakeBlock* next = at(b->height + 1)) j["nextblockhash"] = next->hash;
    return j;
  }
  if (m == "getnetworkhashps") {
    const std::int64_t n = p.size() > 0 ? int_param(0) : 120;
    const std::int64_t h = p.size() > 1 ? int_param(1) : tip_;
    if (!at(h)) throw RpcError{-8, "Block does not exist at specified height"};
    return network_hashps(n, h);
  }
  throw RpcError{-32601, "Method not found"};
}

}  // namespace hashsim::blocks::testing
