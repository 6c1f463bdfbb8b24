#pragma once
// Bitcoin Core JSON-RPC over HTTP (libcurl, engine/net/http_client.h). Every call goes out as a
// batch: a JSON array of {"jsonrpc":"1.0","id":k,"method":...,"params":[...]} in one POST, and the
// node answers an array of {"result":...,"error":null|{code,message},"id":k} (HTTP 200 even when
// single calls failed). Replies are matched by id, checked strictly, and any failure becomes a
// hashsim::Error that says what went wrong and what to do about it. Credentials (password, cookie
// contents) never appear in a message or a log line.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/net/http_client.h"
#include "engine/util/env.h"

namespace hashsim::blocks {

struct RpcCall {
  std::string method;
  nlohmann::json params = nlohmann::json::array();
};

struct RpcOptions {
  std::string url;             // e.g. http://127.0.0.1:8332/
  std::string user, password;  // basic auth (secret); empty user = no auth
  long connect_timeout_ms = 3000;
  long total_timeout_ms = 120000;  // a batch of 1000 getblockstats takes a node a while
  net::RetryPolicy retry{3, 500, 4000, 180000};
  std::size_t max_reply_bytes = 256u << 20;
  std::string user_agent;
  // Error -28 (RPC_IN_WARMUP, "Loading block index..."): ask again after warmup_poll_ms, doubling
  // up to 10 s, for at most max_warmup_wait_ms in all.
  long warmup_poll_ms = 1000;
  long max_warmup_wait_ms = 300000;
};

// Auth from, in order: a cookie file (flag, else BITCOIN_RPC_COOKIE), else BITCOIN_RPC_USER and
// BITCOIN_RPC_PASSWORD. The URL from the flag, else BITCOIN_RPC_URL, else http://127.0.0.1:8332/.
// Throws Error when the cookie file cannot be read or is not "user:password" (never quoting it).
RpcOptions rpc_options_from_env(const std::string& url_flag, const std::string& cookie_flag,
                                const EnvLookup& env = process_env);

class RpcClient {
 public:
  explicit RpcClient(RpcOptions options);

  // One POST with every call; results in call order. Throws Error on transport failure, HTTP
  // 401/403 (authentication), other HTTP errors, malformed or truncated JSON, a reply that is not
  // an array of the right size and ids, or any call's error object (method, params, code, message).
  // A node still starting (-28) is waited for, within RpcOptions::max_warmup_wait_ms.
  std::vector<nlohmann::json> batch(const std::vector<RpcCall>& calls);
  nlohmann::json call(const std::string& method, nlohmann::json params = nlohmann::json::array());

  std::size_t posts() const { return posts_; }
  const RpcOptions& options() const { return options_; }
  std::string redact(const std::string& text) const;

 private:
  std::vector<nlohmann::json> batch_once(const std::vector<RpcCall>& calls);
  RpcOptions options_;
  std::string url_userinfo_;  // "user:password" of http://user:password@host/, a secret
  std::size_t posts_ = 0;
};

}  // namespace hashsim::blocks
