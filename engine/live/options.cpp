#include "engine/live/options.h"

#include <charconv>
#include <cstdlib>

#include "engine/util/error.h"

namespace hashsim::live {

namespace {
std::int64_t env_integer(const EnvLookup& env, const std::string& name, std::int64_t fallback,
                         std::int64_t lo, std::int64_t hi) {
  const auto text = env(name);
  if (!text || text->empty()) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < lo || v > hi)
    throw Error("environment variable " + name + " = '" + *text + "' is not an integer in [" +
                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}
}  // namespace

std::vector<std::string> LiveOptions::secrets() const {
  std::vector<std::string> s;
  if (!coingecko_api_key.empty()) s.push_back(coingecko_api_key);
  return s;
}

std::filesystem::path default_cache_dir(const EnvLookup& env) {
  if (auto d = env("HASHSIM_CACHE_DIR"); d && !d->empty()) return *d;
  if (auto d = env("XDG_CACHE_HOME"); d && !d->empty())
    return std::filesystem::path(*d) / "hashsim";
  if (auto d = env("HOME"); d && !d->empty())
    return std::filesystem::path(*d) / ".cache" / "hashsim";
  return {};
}

LiveOptions live_options_from_env(const EnvLookup& env) {
  LiveOptions o;
  o.cache_dir = default_cache_dir(env);
  o.cache_ttl_s = env_integer(env, "LIVE_DATA_CACHE_TTL_S", o.cache_ttl_s, 0, 366LL * 86400);
  o.connect_timeout_ms = static_cast<long>(
      env_integer(env, "LIVE_DATA_CONNECT_TIMEOUT_MS", o.connect_timeout_ms, 1, 120'000));
  o.total_timeout_ms =
      static_cast<long>(env_integer(env, "LIVE_DATA_TIMEOUT_MS", o.total_timeout_ms, 1, 600'000));
  o.retry.max_attempts =
      static_cast<int>(env_integer(env, "LIVE_DATA_MAX_ATTEMPTS", o.retry.max_attempts, 1, 10));
  o.retry.max_total_ms = static_cast<long>(
      env_integer(env, "LIVE_DATA_RETRY_BUDGET_MS", o.retry.max_total_ms, 1, 600'000));
  o.refresh_deadline_ms = static_cast<long>(
      env_integer(env, "LIVE_DATA_DEADLINE_MS", o.refresh_deadline_ms, 1, 600'000));
  o.daily_call_limit =
      static_cast<int>(env_integer(env, "LIVE_DATA_DAILY_CALL_LIMIT", 0, 0, 1'000'000));
  if (auto ua = env("LIVE_DATA_USER_AGENT"); ua && !ua->empty())
    o.user_agent = *ua;
  else
    o.user_agent = default_user_agent();
  if (auto key = env("COINGECKO_API_KEY")) o.coingecko_api_key = *key;
  if (auto f = env("LIVE_DATA_DEFAULTS_FILE"); f && !f->empty()) o.defaults_file = *f;
  if (auto v = env("HASHSIM_OFFLINE"); v && !v->empty() && *v != "0") o.mode = LiveMode::CacheOnly;
  const auto url = [&](const char* name, std::string& target) {
    if (auto u = env(name); u && !u->empty()) target = *u;
    target = without_trailing_slash(target);
  };
  url("LIVE_DATA_COINGECKO_URL", o.endpoints.coingecko);
  url("LIVE_DATA_COINBASE_URL", o.endpoints.coinbase);
  url("LIVE_DATA_BLOCKCHAIN_INFO_URL", o.endpoints.blockchain_info);
  url("LIVE_DATA_MEMPOOL_URL", o.endpoints.mempool_space);
  url("LIVE_DATA_FRANKFURTER_URL", o.endpoints.frankfurter);
  return o;
}

}  // namespace hashsim::live
