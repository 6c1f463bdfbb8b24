#include "engine/blocks/rpc_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/net/redact.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"

namespace hashsim::blocks {

namespace {
std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string snippet(const std::string& body) {
  std::string s = body.substr(0, 120);
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return body.size() > 120 ? s + "..." : s;
}
}  // namespace

RpcOptions rpc_options_from_env(const std::string& url_flag, const std::string& cookie_flag,
                                const EnvLookup& env) {
  RpcOptions o;
  o.url = !url_flag.empty() ? url_flag : env("BITCOIN_RPC_URL").value_or("http://127.0.0.1:8332/");
  o.user_agent = net::default_user_agent();
  std::string cookie = cookie_flag;
  if (cookie.empty()) cookie = env("BITCOIN_RPC_COOKIE").value_or("");
  if (!cookie.empty()) {
    std::string text;
    try {
      text = trim(read_file(cookie));
    } catch (const std::exception&) {
      throw Error("RPC cookie file " + cookie +
                  " cannot be read (is the node running, and is the path its datadir's .cookie?)");
    }
    const auto colon = text.find(':');
    if (colon == std::string::npos || colon == 0)
      throw Error("RPC cookie file " + cookie + " is not of the form user:password");
    o.user = text.substr(0, colon);
    o.password = text.substr(colon + 1);
    return o;
  }
  o.user = env("BITCOIN_RPC_USER").value_or("");
  o.password = env("BITCOIN_RPC_PASSWORD").value_or("");
  if (o.user.empty() != o.password.empty())
    throw Error(
        "set both BITCOIN_RPC_USER and BITCOIN_RPC_PASSWORD, or neither (or use a cookie file)");
  return o;
}

RpcClient::RpcClient(RpcOptions options) : options_(std::move(options)) {
  // Credentials inside the URL (http://user:password@host/) are secrets too.
  const auto scheme_end = options_.url.find("://");
  const auto at = options_.url.find('@');
  const auto slash = options_.url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (scheme_end != std::string::npos && at != std::string::npos &&
      (slash == std::string::npos || at < slash))
    url_userinfo_ = options_.url.substr(scheme_end + 3, at - scheme_end - 3);
  if (options_.url.rfind("http://", 0) != 0 && options_.url.rfind("https://", 0) != 0)
    throw Error("RPC URL '" + redact(options_.url) + "' must start with http:// or https://");
}

std::string RpcClient::redact(const std::string& text) const {
  return net::redact(text, {url_userinfo_, options_.password,
                            options_.user.empty() ? "" : options_.user + ":" + options_.password});
}

nlohmann::json RpcClient::call(const std::string& method, nlohmann::json params) {
  return batch({RpcCall{method, std::move(params)}}).front();
}

namespace {
// Bitcoin Core's RPC_IN_WARMUP: the node is up but still loading (block index, wallet, ...).
constexpr int kRpcInWarmup = -28;

class WarmupError : public Error {
 public:
  using Error::Error;
};

bool is_warmup(const nlohmann::json& error) {
  return error.is_object() && error.contains("code") && error["code"].is_number_integer() &&
         error["code"].get<int>() == kRpcInWarmup;
}

// A JSON-RPC 1.0 batch: call i has id i.
nlohmann::json batch_request(const std::vector<RpcCall>& calls) {
  nlohmann::json req = nlohmann::json::array();
  for (std::size_t i = 0; i < calls.size(); ++i)
    req.push_back(
        {{"jsonrpc", "1.0"}, {"id", i}, {"method", calls[i].method}, {"params", calls[i].params}});
  return req;
}

// Throws when no HTTP reply came, or the node refused the credentials.
void check_reply_received(const net::FetchResult& fr, const std::string& where,
                          const RpcClient& rpc) {
  const net::HttpResponse& r = fr.response;
  if (r.outcome != net::HttpOutcome::Received)
    throw Error(where + ": " + net::describe_failure(r) +
                (r.error.empty() ? "" : " (" + rpc.redact(r.error) + ")") + " after " +
                std::to_string(fr.attempts) + " attempts; is the node running and the URL right?");
  if (r.status == 401 || r.status == 403)
    throw OptionError(
        where + ": HTTP " + std::to_string(r.status) +
        ": authentication failed; check {rpc_cookie} / BITCOIN_RPC_COOKIE or BITCOIN_RPC_USER and "
        "BITCOIN_RPC_PASSWORD (the node's rpcauth)");
}

// The reply body as a JSON array of one element per call; throws the node's error for a failed
// request as a whole, and for any other body.
nlohmann::json parse_batch_reply(const net::HttpResponse& r, std::size_t n_calls,
                                 const std::string& where, const RpcClient& rpc) {
  nlohmann::json reply;
  try {
    reply = nlohmann::json::parse(r.body);
  } catch (const nlohmann::json::exception&) {
    throw Error(where + ": HTTP " + std::to_string(r.status) +
                ", reply is not valid JSON (malformed or truncated): '" +
                rpc.redact(snippet(r.body)) + "'");
  }
  // A node answers a failed single request with HTTP 500 and an error object; report that error.
  if (reply.is_object() && reply.contains("error") && !reply["error"].is_null()) {
    if (is_warmup(reply["error"]))
      throw WarmupError(where + ": node is starting (" + rpc.redact(reply["error"].dump()) + ")");
    throw Error(where + ": node error " + rpc.redact(reply["error"].dump()));
  }
  if (r.status != 200)
    throw Error(where + ": HTTP " + std::to_string(r.status) + ": '" + rpc.redact(snippet(r.body)) +
                "'");
  if (!reply.is_array() || reply.size() != n_calls)
    throw Error(where + ": expected a JSON array of " + std::to_string(n_calls) + " replies, got " +
                (reply.is_array() ? "an array of " + std::to_string(reply.size())
                                  : std::string(reply.type_name())));
  return reply;
}

// Throws a call's error object: a WarmupError while the node is starting.
[[noreturn]] void throw_call_error(const nlohmann::json& e, const RpcCall& call,
                                   const RpcClient& rpc) {
  const std::string msg = e.is_object() && e.contains("message") && e["message"].is_string()
                              ? e["message"].get<std::string>()
                              : e.dump();
  const std::string code = e.is_object() && e.contains("code") ? e["code"].dump() : "?";
  if (is_warmup(e))
    throw WarmupError("RPC " + call.method + ": node is starting (error " + code + ": " +
                      rpc.redact(msg) + ")");
  throw Error("RPC " + call.method + rpc.redact(call.params.dump()) + " failed: node error " +
              code + ": " + rpc.redact(msg));
}

// Each call's result, placed by the reply element's id (the node may answer in any order).
std::vector<nlohmann::json> results_by_id(nlohmann::json& reply, const std::vector<RpcCall>& calls,
                                          const std::string& where, const RpcClient& rpc) {
  std::vector<nlohmann::json> out(calls.size());
  std::vector<bool> seen(calls.size(), false);
  for (auto& item : reply) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_number_unsigned() ||
        !item.contains("result"))
      throw Error(where + ": reply element without a numeric id and a result: '" +
                  rpc.redact(snippet(item.dump())) + "'");
    const auto id = item["id"].get<std::size_t>();
    if (id >= calls.size() || seen[id])
      throw Error(where + ": reply id " + std::to_string(id) + " unknown or repeated");
    seen[id] = true;
    if (item.contains("error") && !item["error"].is_null())
      throw_call_error(item["error"], calls[id], rpc);
    out[id] = std::move(item["result"]);
  }
  return out;
}
}  // namespace

std::vector<nlohmann::json> RpcClient::batch(const std::vector<RpcCall>& calls) {
  // A node that is starting answers -28 ("Loading block index...") to every call: wait for it with
  // growing pauses (1, 2, 4, 8, then 10 s) up to options_.max_warmup_wait_ms in all, then give up.
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 1;; ++attempt) {
    try {
      return batch_once(calls);
    } catch (const WarmupError& e) {
      const long waited_ms =
          static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count());
      const long pause_ms =
          std::min<long>(options_.warmup_poll_ms << std::min(attempt - 1, 4), 10000);
      if (waited_ms + pause_ms > options_.max_warmup_wait_ms)
        throw Error(std::string(e.what()) + "; still starting after " +
                    std::to_string(waited_ms / 1000) +
                    " s of waiting; try again when the node has finished loading");
      spdlog::info("{}; waiting {:.1f} s", e.what(), static_cast<double>(pause_ms) / 1000.0);
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    }
  }
}

std::vector<nlohmann::json> RpcClient::batch_once(const std::vector<RpcCall>& calls) {
  if (calls.empty()) return {};
  net::HttpRequest http;
  http.url = options_.url;
  // "Expect:" off: no 100-continue round trip before each batch body.
  http.headers = {"Content-Type: application/json", "Expect:"};
  http.user_agent = options_.user_agent;
  http.connect_timeout_ms = options_.connect_timeout_ms;
  http.total_timeout_ms = options_.total_timeout_ms;
  http.post_body = batch_request(calls).dump();
  http.max_body_bytes = options_.max_reply_bytes;
  http.accept_compressed =
      false;  // bitcoind never compresses; compressing a batch costs more than it saves
  if (!options_.user.empty()) http.basic_auth = options_.user + ":" + options_.password;
  http.secrets = {options_.password, http.basic_auth, url_userinfo_};
  ++posts_;
  const net::FetchResult fr = net::http_request_with_retry(http, options_.retry);
  const std::string where =
      "RPC " + redact(options_.url) + " (" + calls.front().method +
      (calls.size() > 1 ? " and " + std::to_string(calls.size() - 1) + " more calls" : "") + ")";
  check_reply_received(fr, where, *this);
  nlohmann::json reply = parse_batch_reply(fr.response, calls.size(), where, *this);
  return results_by_id(reply, calls, where, *this);
}

}  // namespace hashsim::blocks
