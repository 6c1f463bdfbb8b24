#pragma once
// A loopback Bitcoin Core (cpp-httplib on 127.0.0.1, any free port) answering JSON-RPC 1.0 like
// bitcoind does: POST / with one request object or a batch array; replies
// {"result":...,"error":null|{"code":c,"message":m},"id":...}; a batch always HTTP 200, a single
// failed request HTTP 500 (404 for an unknown method); HTTP 401 with an empty body for bad basic
// auth. Methods: getblockchaininfo, getblockcount, getblockhash, getblockstats (only the asked
// stats, like Core), getblockheader, getnetworkhashps (Core's work / time-span over the last
// nblocks). It also serves the mempool.space REST paths from the same chain. Faults are queued.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hashsim::blocks::testing {

struct FakeBlock {
  std::int64_t height = 0;
  std::int64_t time_unix = 0;
  std::int64_t fee_sat = 0;
  std::int64_t subsidy_sat = 0;
  std::int64_t tx_count = 1;
  double difficulty = 1.0;
  std::string hash;
};

// Real blocks 909458..912457 from tests/blocks/fixtures (hashes derived from height and branch).
std::vector<FakeBlock> fixture_chain(const std::string& branch = "main");
// Synthetic blocks [from, from + n): 600 s apart, fee = 1000 * (height % 7) sat, consensus subsidy.
std::vector<FakeBlock> synthetic_chain(std::int64_t from, std::int64_t n,
                                       const std::string& branch = "main",
                                       double difficulty = 1.3e14);
std::string fake_hash(std::int64_t height, const std::string& branch);

struct Fault {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class FakeNode {
 public:
  explicit FakeNode(std::vector<FakeBlock> chain);
  ~FakeNode();
  FakeNode(const FakeNode&) = delete;
  FakeNode& operator=(const FakeNode&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The node's best chain is chain[0 .. tip]; blocks above stay hidden until the tip moves.
  void set_tip(std::int64_t height);
  std::int64_t tip() const;
  // Replaces every block from `fork_height` up with `branch` (a fork the node switched to).
  void reorg(std::int64_t fork_height, const std::vector<FakeBlock>& branch);
  // The same, but in the middle of a batch: right after the node has answered `calls` more calls.
  void reorg_after_calls(int calls, std::int64_t fork_height, std::vector<FakeBlock> branch);
  void set_chain_name(const std::string& chain);
  void set_ibd(bool syncing);
  void set_auth(const std::string& user, const std::string& password);
  void set_subsidy_override(
      std::int64_t sat);           // every getblockstats reports this subsidy (lying node)
  void queue_fault(Fault f);       // next POST/GET answers this instead
  void set_post_delay_ms(int ms);  // a slow node (kill-mid-sync tests)
  // A node restart: refuses connections for down_ms, then comes back on the same port answering
  // the next warmup_replies POSTs with error -28 "Loading block index..." like a starting bitcoind.
  void restart(int down_ms, int warmup_replies);
  int posts() const;
  int rpc_calls() const;
  const std::vector<FakeBlock>& chain() const { return chain_; }

 private:
  bool serve_queued_fault(httplib::Response& res);  // under mutex_
  nlohmann::json dispatch(const nlohmann::json& request, bool& error);
  nlohmann::json result_of(const std::string& method, const nlohmann::json& params);
  const FakeBlock* at(std::int64_t height) const;
  const FakeBlock* by_hash(const std::string& hash) const;
  double network_hashps(std::int64_t nblocks, std::int64_t height) const;

  void start(int port);  // 0: any free port
  void stop_serving();
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<FakeBlock> chain_;  // contiguous heights
  std::int64_t tip_ = 0;
  std::string chain_name_ = "main";
  bool ibd_ = false;
  std::string user_, password_;
  std::int64_t subsidy_override_ = -1;
  std::deque<Fault> faults_;
  int post_delay_ms_ = 0;
  int reorg_at_call_ = -1;
  std::int64_t pending_fork_ = 0;
  std::vector<FakeBlock> pending_branch_;
  void reorg_locked(std::int64_t fork_height, const std::vector<FakeBlock>& branch);
  int posts_ = 0;
  int calls_ = 0;
};

}  // namespace hashsim::blocks::testing
