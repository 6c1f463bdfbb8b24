#include <nlohmann/json.hpp>

#include <cctype>
#include <string>

#include "engine/blocks/block_source.h"
#include "engine/chain/consensus.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"

namespace hashsim::blocks {

namespace {
using nlohmann::json;

class MempoolSource final : public BlockSource {
 public:
  MempoolSource(std::string base, net::RetryPolicy retry, std::string ua)
      : base_(std::move(base)), retry_(retry), ua_(std::move(ua)) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }
  std::string name() const override { return "mempool"; }

  ChainInfo check(const std::string& expected_chain) override {
    // The API has no chain field: the instance's URL decides (mempool.space/testnet4/api, ...).
    if (expected_chain != "main")
      throw OptionError("{source} mempool follows the main chain of its base URL only; {chain} " +
                        expected_chain + " needs a node");
    const std::string text = get("/api/blocks/tip/height");
    return {"main", parse_height(text, "/api/blocks/tip/height")};
  }

  std::vector<std::string> hashes(std::int64_t from, std::int64_t to) override {
    std::vector<std::string> out;
    for (std::int64_t h = from; h <= to; ++h) out.push_back(hash_at(h));
    return out;
  }

  Batch fetch(std::int64_t from, std::int64_t to, std::int64_t prev) override {
    Batch b;
    if (prev >= 0) b.prev_hash = hash_at(prev);
    for (std::int64_t h = from; h <= to; ++h) {
      const std::string hash = hash_at(h);
      const std::string path = "/api/block/" + hash;
      json j;
      try {
        j = json::parse(get(path));
      } catch (const json::exception&) {
        throw Error("mempool " + path + ": reply is not valid JSON (malformed or truncated)");
      }
      const auto num = [&](const json& o, const char* key) -> const json& {
        if (!o.is_object() || !o.contains(key) || !o[key].is_number())
          throw Error("mempool " + path + ": field '" + key + "' missing or not a number");
        return o[key];
      };
      if (!j.is_object() || !j.contains("extras") || !j["extras"].is_object())
        throw Error("mempool " + path +
                    ": no 'extras' object (an instance without extras cannot give fees)");
      BlockRecord r;
      r.height = num(j, "height").get<std::int64_t>();
      if (r.height != h)
        throw Error("mempool " + path + ": height " + std::to_string(r.height) + ", expected " +
                    std::to_string(h));
      if (!j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>() != hash)
        throw Error("mempool " + path + ": id differs from the requested hash");
      r.hash = hash;
      r.time_unix = num(j, "timestamp").get<std::int64_t>();
      r.fee_sat = num(j["extras"], "totalFees").get<std::int64_t>();
      const std::int64_t reward = num(j["extras"], "reward").get<std::int64_t>();
      r.subsidy_sat = reward - r.fee_sat;  // extras.reward = coinbase outputs = subsidy + fees
      r.network_hashrate_ths =
          chain::hashrate_at_target_pace_ths(num(j, "difficulty").get<double>());
      b.blocks.push_back(std::move(r));
    }
    return b;
  }

 private:
  std::string get(const std::string& path) {
    net::HttpRequest req;
    req.url = base_ + path;
    req.user_agent = ua_;
    req.total_timeout_ms = 15000;
    const net::FetchResult fr = net::http_request_with_retry(req, retry_);
    const auto& r = fr.response;
    if (r.outcome != net::HttpOutcome::Received || r.status != 200)
      throw Error(
          "mempool " + req.url + ": " + net::describe_failure(r) +
          (r.outcome == net::HttpOutcome::Received ? " '" + r.body.substr(0, 100) + "'" : ""));
    return r.body;
  }
  std::int64_t parse_height(const std::string& text, const std::string& path) {
    if (text.empty() || text.size() > 12)
      throw Error("mempool " + path + ": expected a block height, got '" + text.substr(0, 40) +
                  "'");
    for (char c : text)
      if (!std::isdigit(static_cast<unsigned char>(c)))
        throw Error("mempool " + path + ": expected a block height, got '" + text + "'");
    return std::stoll(text);
  }
  std::string hash_at(std::int64_t h) {
    const std::string path = "/api/block-height/" + std::to_string(h);
    std::string text = get(path);
    if (text.size() != 64)
      throw Error("mempool " + path + ": expected a 64-hex block hash, got '" + text.substr(0, 80) +
                  "'");
    for (char c : text)
      if (!std::isxdigit(static_cast<unsigned char>(c)))
        throw Error("mempool " + path + ": not a hex block hash");
    return text;
  }

  std::string base_;
  net::RetryPolicy retry_;
  std::string ua_;
};
}  // namespace

std::unique_ptr<BlockSource> make_mempool_source(const std::string& base_url,
                                                 const net::RetryPolicy& retry,
                                                 const std::string& user_agent) {
  return std::make_unique<MempoolSource>(base_url, retry, user_agent);
}

}  // namespace hashsim::blocks
