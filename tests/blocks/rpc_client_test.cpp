// JSON-RPC client against the loopback fake node: batches, auth, faults.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/blocks/rpc_client.h"
#include "engine/util/error.h"
#include "tests/blocks/fake_node.h"
#include "tests/engine/test_basics.h"

namespace hashsim::blocks {
namespace {

using hashsim::test_support::error_of;
using testing::FakeNode;

RpcOptions fast(const FakeNode& node) {
  RpcOptions o;
  o.url = node.url();
  o.connect_timeout_ms = 500;
  o.total_timeout_ms = 2000;
  o.retry = {2, 5, 10, 2000};
  o.user_agent = "hashsim-test";
  return o;
}

TEST(RpcClient, BatchIsOnePostWithResultsInCallOrder) {
  FakeNode node(testing::synthetic_chain(100, 50));
  RpcClient rpc(fast(node));
  std::vector<RpcCall> calls;
  for (int h = 140; h >= 100; h -= 10) calls.push_back({"getblockhash", {h}});
  calls.push_back({"getblockcount", nlohmann::json::array()});
  const auto r = rpc.batch(calls);
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0], testing::fake_hash(140, "main"));
  EXPECT_EQ(r[4], testing::fake_hash(100, "main"));
  EXPECT_EQ(r[5], 149);
  EXPECT_EQ(node.posts(), 1);
  EXPECT_EQ(node.rpc_calls(), 6);
}

TEST(RpcClient, RpcErrorObjectNamesMethodCodeAndMessage) {
  FakeNode node(testing::synthetic_chain(100, 50));
  RpcClient rpc(fast(node));
  const std::string e = error_of([&] {
    rpc.batch({{"getblockhash", {120}}, {"getblockhash", {999}}});
  });
  EXPECT_NE(e.find("getblockhash[999]"), std::string::npos) << e;
  EXPECT_NE(e.find("-8"), std::string::npos) << e;
  EXPECT_NE(e.find("Block height out of range"), std::string::npos) << e;
  EXPECT_NE(error_of([&] { rpc.call("nosuchmethod"); }).find("Method not found"),
            std::string::npos);
}

TEST(RpcClient, Http401IsAnAuthFailureAndNeverShowsThePassword) {
  FakeNode node(testing::synthetic_chain(100, 5));
  node.set_auth("alice", "s3cret-pw");
  RpcOptions o = fast(node);
  o.user = "alice";
  o.password = "wrong-pw";
  const std::string e = error_of([&] { RpcClient(o).call("getblockcount"); });
  EXPECT_NE(e.find("HTTP 401"), std::string::npos) << e;
  EXPECT_NE(e.find("authentication failed"), std::string::npos) << e;
  EXPECT_EQ(e.find("wrong-pw"), std::string::npos) << e;
  o.password = "s3cret-pw";
  EXPECT_EQ(RpcClient(o).call("getblockcount"), 104);
}

TEST(RpcClient, CookieFileAuth) {
  FakeNode node(testing::synthetic_chain(100, 5));
  node.set_auth("__cookie__", "0123abcd");
  const auto dir =
      std::filesystem::temp_directory_path() / ("hashsim_cookie_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / ".cookie") << "__cookie__:0123abcd"; }
  const EnvLookup env = [&](const std::string& k) -> std::optional<std::string> {
    if (k == "BITCOIN_RPC_URL") return node.url();
    if (k == "BITCOIN_RPC_COOKIE") return (dir / ".cookie").string();
    if (k == "BITCOIN_RPC_PASSWORD") return "ignored-when-cookie";
    return std::nullopt;
  };
  RpcOptions o = rpc_options_from_env("", "", env);
  EXPECT_EQ(o.user, "__cookie__");
  o.retry = {1, 1, 1, 1000};
  EXPECT_EQ(RpcClient(o).call("getblockcount"), 104);
  const std::string e =
      error_of([&] { rpc_options_from_env("", (dir / "missing").string(), env); });
  EXPECT_NE(e.find("cannot be read"), std::string::npos) << e;
  std::filesystem::remove_all(dir);
}

TEST(RpcClient, UserWithoutPasswordIsRefused) {
  const EnvLookup env = [](const std::string& k) -> std::optional<std::string> {
    if (k == "BITCOIN_RPC_USER") return "bob";
    return std::nullopt;
  };
  EXPECT_THROW(rpc_options_from_env("", "", env), Error);
}

TEST(RpcClient, FaultsAreRefusedWithReasons) {
  FakeNode node(testing::synthetic_chain(100, 5));
  RpcOptions o = fast(node);
  o.retry = {1, 1, 1, 1000};  // no retries: one fault, one answer
  RpcClient rpc(o);
  node.queue_fault({500, "<html>Internal Server Error</html>", "text/html"});
  EXPECT_NE(error_of([&] { rpc.call("getblockcount"); }).find("not valid JSON"), std::string::npos);
  node.queue_fault(
      {200, R"([{"result":104,"error":null,"id":0)", "application/json"});  // truncated
  EXPECT_NE(error_of([&] { rpc.call("getblockcount"); }).find("malformed or truncated"),
            std::string::npos);
  node.queue_fault(
      {200, R"({"result":104,"error":null,"id":0})", "application/json"});  // not an array
  EXPECT_NE(error_of([&] { rpc.call("getblockcount"); }).find("expected a JSON array"),
            std::string::npos);
  node.queue_fault(
      {200, R"([{"result":104,"error":null,"id":7}])", "application/json"});  // wrong id
  EXPECT_NE(error_of([&] { rpc.call("getblockcount"); }).find("unknown or repeated"),
            std::string::npos);
  node.queue_fault({503, "", "text/plain"});
  EXPECT_NE(error_of([&] { rpc.call("getblockcount"); }).find("HTTP 503"), std::string::npos);
  EXPECT_EQ(rpc.call("getblockcount"), 104);  // and the next call is fine
}

TEST(RpcClient, A500IsRetried) {
  FakeNode node(testing::synthetic_chain(100, 5));
  RpcClient rpc(fast(node));  // two attempts
  node.queue_fault({500, "", "text/plain"});
  EXPECT_EQ(rpc.call("getblockcount"), 104);
  EXPECT_EQ(node.posts(), 2);
}

TEST(RpcClient, CredentialsInTheUrlAreUsedAndNeverShown) {
  FakeNode node(testing::synthetic_chain(100, 5));
  node.set_auth("carol", "url-secret-9");
  RpcOptions o = fast(node);
  o.url = "http://carol:url-secret-9@" + node.url().substr(7);
  EXPECT_EQ(RpcClient(o).call("getblockcount"), 104);
  o.url = "http://carol:url-secret-9@127.0.0.1:9/";
  o.retry = {1, 1, 1, 1000};
  const std::string e = error_of([&] { RpcClient(o).call("getblockcount"); });
  EXPECT_EQ(e.find("url-secret-9"), std::string::npos) << e;
  EXPECT_NE(e.find("[REDACTED]@127.0.0.1:9"), std::string::npos) << e;
}

TEST(RpcClient, ConnectionRefusedSaysSo) {
  RpcOptions o;
  o.url = "http://127.0.0.1:9/";
  o.retry = {1, 1, 1, 1000};
  const std::string e = error_of([&] { RpcClient(o).call("getblockcount"); });
  EXPECT_NE(e.find("connection failed"), std::string::npos) << e;
}

}  // namespace
}  // namespace hashsim::blocks
