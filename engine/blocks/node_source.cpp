#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "engine/blocks/block_source.h"
#include "engine/chain/consensus.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"

namespace hashsim::blocks {

namespace {
using nlohmann::json;

std::int64_t get_int(const json& o, const char* key, const std::string& what) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_number_integer())
    throw Error(what + ": field '" + key + "' missing or not an integer in '" +
                o.dump().substr(0, 200) + "'");
  return o[key].get<std::int64_t>();
}
std::string get_string(const json& o, const char* key, const std::string& what) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_string())
    throw Error(what + ": field '" + key + "' missing or not a string in '" +
                o.dump().substr(0, 200) + "'");
  return o[key].get<std::string>();
}
double get_number(const json& o, const char* key, const std::string& what) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_number())
    throw Error(what + ": field '" + key + "' missing or not a number in '" +
                o.dump().substr(0, 200) + "'");
  return o[key].get<double>();
}

class NodeSource final : public BlockSource {
 public:
  NodeSource(RpcOptions o, HashrateFrom h) : rpc_(std::move(o)), hashrate_from_(h) {}
  std::string name() const override { return "node"; }

  ChainInfo check(const std::string& expected_chain) override {
    const json info = rpc_.call("getblockchaininfo");
    const std::string what = "getblockchaininfo";
    ChainInfo c;
    c.chain = get_string(info, "chain", what);
    c.tip_height = get_int(info, "blocks", what);
    if (c.chain != expected_chain)
      throw OptionError("node is on chain '" + c.chain + "', not '" + expected_chain +
                        "' ({chain}); point {rpc_url} at a " + expected_chain + " node");
    if (info.contains("initialblockdownload") && info["initialblockdownload"].is_boolean() &&
        info["initialblockdownload"].get<bool>()) {
      std::string progress;
      if (info.contains("verificationprogress") && info["verificationprogress"].is_number()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " (%.1f%% verified)",
                      100.0 * info["verificationprogress"].get<double>());
        progress = buf;
      }
      throw Error("node still syncing (initialblockdownload: true, " +
                  std::to_string(c.tip_height) + " blocks" + progress +
                  "); try again when it has caught up");
    }
    return c;
  }

  std::vector<std::string> hashes(std::int64_t from, std::int64_t to) override {
    std::vector<RpcCall> calls;
    for (std::int64_t h = from; h <= to; ++h) calls.push_back({"getblockhash", json::array({h})});
    std::vector<std::string> out;
    for (const auto& r : rpc_.batch(calls)) {
      if (!r.is_string())
        throw Error("getblockhash: result is not a string: '" + r.dump().substr(0, 100) + "'");
      out.push_back(r.get<std::string>());
    }
    return out;
  }

  Batch fetch(std::int64_t from, std::int64_t to, std::int64_t prev) override {
    // The node runs a batch's calls one after the other; a reorg in between would mix two chains.
    // The getblockhash calls at the end of the batch see any such switch: then ask again.
    for (int attempt = 1;; ++attempt) {
      Checked c = fetch_once(from, to, prev);
      if (c.consistent) return std::move(c.batch);
      if (attempt == 3)
        throw Error("the node's chain changed during three batches in a row at heights " +
                    std::to_string(from) + ".." + std::to_string(to) + "; try again later");
    }
  }

 private:
  struct Checked {
    Batch batch;
    bool consistent = true;
  };

  Checked fetch_once(std::int64_t from, std::int64_t to, std::int64_t prev) {
    static const json kStats = json::array({"blockhash", "height", "subsidy", "time", "totalfee"});
    std::vector<RpcCall> calls;
    const bool nethashps = hashrate_from_ == HashrateFrom::NetworkHashps;
    const auto n = static_cast<std::size_t>(to - from + 1);
    calls.reserve(n * 3 + 1);
    for (std::int64_t h = from; h <= to; ++h) {
      calls.push_back({"getblockstats", json::array({h, kStats})});
      if (nethashps) calls.push_back({"getnetworkhashps", json::array({120, h})});
    }
    for (std::int64_t h = from; h <= to; ++h) calls.push_back({"getblockhash", json::array({h})});
    if (prev >= 0) calls.push_back({"getblockhash", json::array({prev})});
    const std::vector<json> res = rpc_.batch(calls);
    Checked c;
    Batch& b = c.batch;
    const std::size_t per = nethashps ? 2 : 1;
    for (std::int64_t h = from; h <= to; ++h) {
      const std::size_t k = static_cast<std::size_t>(h - from) * per;
      const json& s = res[k];
      const std::string what = "getblockstats " + std::to_string(h);
      BlockRecord r;
      r.height = get_int(s, "height", what);
      if (r.height != h) throw Error(what + ": node answered height " + std::to_string(r.height));
      r.hash = get_string(s, "blockhash", what);
      r.time_unix = get_int(s, "time", what);
      r.subsidy_sat = get_int(s, "subsidy", what);
      r.fee_sat = get_int(s, "totalfee", what);
      if (nethashps) {
        if (!res[k + 1].is_number())
          throw Error("getnetworkhashps 120 " + std::to_string(h) + ": result is not a number: '" +
                      res[k + 1].dump().substr(0, 100) + "'");
        r.network_hashrate_ths = res[k + 1].get<double>() / 1e12;
      }
      const json& hash_again = res[n * per + static_cast<std::size_t>(h - from)];
      if (!hash_again.is_string() || hash_again.get<std::string>() != r.hash) c.consistent = false;
      b.blocks.push_back(std::move(r));
    }
    if (prev >= 0) {
      if (!res.back().is_string()) throw Error("getblockhash: result is not a string");
      b.prev_hash = res.back().get<std::string>();
    }
    if (!c.consistent) {
      spdlog::warn("the node's chain changed during the batch {}..{}; asking again", from, to);
      return c;
    }
    if (!nethashps) {
      std::vector<RpcCall> hdr;
      for (const auto& r : b.blocks) hdr.push_back({"getblockheader", json::array({r.hash, true})});
      const std::vector<json> headers = rpc_.batch(hdr);
      for (std::size_t i = 0; i < headers.size(); ++i) {
        const std::string what = "getblockheader " + b.blocks[i].hash;
        if (get_int(headers[i], "height", what) != b.blocks[i].height)
          throw Error(
              what +
              ": height differs from getblockstats (reorg while syncing?); run the sync again");
        b.blocks[i].network_hashrate_ths =
            chain::hashrate_at_target_pace_ths(get_number(headers[i], "difficulty", what));
      }
    }
    return c;
  }

  RpcClient rpc_;
  HashrateFrom hashrate_from_;
};
}  // namespace

std::unique_ptr<BlockSource> make_node_source(RpcOptions options, HashrateFrom hashrate_from) {
  return std::make_unique<NodeSource>(std::move(options), hashrate_from);
}

}  // namespace hashsim::blocks
