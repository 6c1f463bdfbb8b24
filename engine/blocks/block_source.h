#pragma once
// Where blocks come from: a Bitcoin Core node over JSON-RPC (batched) or the mempool.space REST
// API. Both answer the same three questions the sync needs.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/blocks/ledger_store.h"
#include "engine/blocks/rpc_client.h"

namespace hashsim::blocks {

enum class HashrateFrom {
  NetworkHashps,  // node: getnetworkhashps(120, height), H/s / 1e12
  Difficulty,     // difficulty (getblockheader / mempool block) * 2^32 / 600 / 1e12
};

struct ChainInfo {
  std::string chain;  // "main", "test", "signet", "regtest"
  std::int64_t tip_height = 0;
};

class BlockSource {
 public:
  virtual ~BlockSource() = default;
  virtual std::string name() const = 0;
  // Checks the source is usable (right chain, not syncing) and returns the tip. Throws Error.
  virtual ChainInfo check(const std::string& expected_chain) = 0;
  // Hashes of the blocks at heights [from, to] of the source's best chain.
  virtual std::vector<std::string> hashes(std::int64_t from, std::int64_t to) = 0;
  // Blocks at heights [from, to]; `prev_hash_check`, when >= 0, asks the source to return the
  // hash at that height too (in the same round trip where it can), for the reorg check.
  struct Batch {
    std::vector<BlockRecord> blocks;
    std::string prev_hash;  // hash at prev_hash_check, "" when not asked
  };
  virtual Batch fetch(std::int64_t from, std::int64_t to, std::int64_t prev_hash_check) = 0;
};

// Bitcoin Core. Per batch one POST of getblockstats(h, [blockhash, height, subsidy, time,
// totalfee]) and getnetworkhashps(120, h) per height, then getblockhash(h) per height (a hash that
// differs from getblockstats' means the chain switched during the batch: the batch is asked again,
// up to 3 times) and getblockhash(prev) for the reorg check; with HashrateFrom::Difficulty a second
// POST of getblockheader(hash) per block.
std::unique_ptr<BlockSource> make_node_source(RpcOptions options, HashrateFrom hashrate_from);

// mempool.space REST: /api/blocks/tip/height, /api/block-height/:h (hash as text), /api/block/:hash
// (id, height, timestamp, difficulty, extras.totalFees, extras.reward). Subsidy = reward -
// totalFees; hashrate from difficulty. Only the main chain of the instance at base_url.
std::unique_ptr<BlockSource> make_mempool_source(const std::string& base_url,
                                                 const net::RetryPolicy& retry,
                                                 const std::string& user_agent);

}  // namespace hashsim::blocks
