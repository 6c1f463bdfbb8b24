// `hashsim live` (today's network snapshot with sources and ages) and `hashsim health` (probe
// each live-data provider).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "engine/live/live_data.h"
#include "engine/live/timestamps.h"
#include "engine/util/error.h"
#include "tools/hashsim/command.h"

namespace hashsim::cli {

namespace {
struct LiveFlags {
  bool refresh = false;
  bool offline = false;
  bool json = false;
  bool require_live = false;
  std::string cache_dir;
  std::string defaults_file;
  std::optional<std::int64_t> ttl_s;
  std::optional<long> timeout_ms;
  std::optional<long> deadline_ms;
};

live::LiveOptions options_from(const LiveFlags& f, const GlobalOptions& g) {
  if (g.verbosity > 0) spdlog::set_level(spdlog::level::debug);
  live::LiveOptions o = live::live_options_from_env();
  if (f.refresh) o.mode = live::LiveMode::Refresh;
  if (f.offline) o.mode = live::LiveMode::CacheOnly;
  if (!f.cache_dir.empty()) o.cache_dir = f.cache_dir;
  if (!f.defaults_file.empty()) o.defaults_file = f.defaults_file;
  if (f.ttl_s) o.cache_ttl_s = *f.ttl_s;
  if (f.timeout_ms) o.total_timeout_ms = *f.timeout_ms;
  if (f.deadline_ms) o.refresh_deadline_ms = *f.deadline_ms;
  return o;
}

std::string age_text(const live::LiveValue& v, std::int64_t now) {
  if (v.source == "static") return "as of " + v.provider_time.value_or("?").substr(0, 10);
  if (!v.fetched_at) return "?";
  const auto t = live::parse_utc_iso8601(*v.fetched_at);
  return t ? live::format_age(now - *t) : "?";
}

void print_snapshot(const live::Snapshot& s) {
  const std::int64_t now = live::now_unix_s();
  std::printf("network snapshot %s\n", s.created_utc.c_str());
  std::printf("%-22s %18s  %-16s %-16s %-5s %s\n", "value", "", "source", "age", "stale", "note");
  for (int i = 0; i < live::kValueCount; ++i) {
    const auto key = static_cast<live::ValueKey>(i);
    if (!s.has(key)) continue;
    const live::LiveValue& v = s.at(key);
    std::printf("%-22s %18.10g  %-16s %-16s %-5s %s\n", live::value_key_name(key), v.value,
                v.source.c_str(), age_text(v, now).c_str(), v.stale ? "yes" : "no", v.note.c_str());
  }
}

void add_common(CLI::App* cmd, LiveFlags& f) {
  cmd->add_flag("--json", f.json, "Print JSON instead of a table");
  cmd->add_option("--timeout-ms", f.timeout_ms,
                  "Total timeout per request (default $LIVE_DATA_TIMEOUT_MS or 8000)")
      ->check(CLI::Range(1L, 600'000L));
  cmd->add_option("--deadline-ms", f.deadline_ms,
                  "One deadline for all providers together, fetched at once (default "
                  "$LIVE_DATA_DEADLINE_MS or 10000)")
      ->check(CLI::Range(1L, 600'000L));
}

// --require-live: every value of the snapshot must be live (live::not_live_values).
void require_live(const live::Snapshot& s) {
  std::vector<live::ValueKey> keys;
  for (int i = 0; i < live::kValueCount; ++i)
    if (s.has(static_cast<live::ValueKey>(i))) keys.push_back(static_cast<live::ValueKey>(i));
  const auto bad = live::not_live_values(s, keys);
  std::string text;
  for (const auto& b : bad) text += "\n  " + b;
  if (!bad.empty())
    throw Error("--require-live: " + std::to_string(bad.size()) + " value(s) not live:" + text);
}
}  // namespace

void register_live_commands(CLI::App& app, GlobalOptions& global) {
  auto lf = std::make_shared<LiveFlags>();
  CLI::App* live_cmd =
      app.add_subcommand("live",
                         "Show today's network snapshot (price, difficulty, hashrate, height, FX) "
                         "with the source and age of every value");
  live_cmd->add_flag("--refresh", lf->refresh,
                     "Fetch from the providers even if the cache is fresh");
  live_cmd->add_flag("--offline", lf->offline,
                     "Never touch the network: cached values, then static defaults");
  live_cmd->add_option("--cache-dir", lf->cache_dir,
                       "Cache directory (default $HASHSIM_CACHE_DIR, "
                       "$XDG_CACHE_HOME/hashsim or ~/.cache/hashsim)");
  live_cmd
      ->add_option("--defaults", lf->defaults_file,
                   "Static defaults YAML (default: the built-in "
                   "data/network_defaults.yaml)")
      ->check(CLI::ExistingFile);
  live_cmd
      ->add_option("--ttl", lf->ttl_s,
                   "Cache time-to-live in seconds (default $LIVE_DATA_CACHE_TTL_S or 86400)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{366} * 86400));
  live_cmd->add_flag(
      "--require-live", lf->require_live,
      "Exit 1 unless every value is live (from a provider within the cache TTL, not stale)");
  add_common(live_cmd, *lf);
  live_cmd->callback([lf, &global] {
    if (lf->refresh && lf->offline) throw Error("--refresh and --offline contradict each other");
    const live::Snapshot s = live::build_snapshot(options_from(*lf, global));
    if (lf->json)
      std::cout << live::snapshot_to_text(s) << "\n";
    else
      print_snapshot(s);
    std::fflush(stdout);
    if (lf->require_live) require_live(s);
  });

  auto hf = std::make_shared<LiveFlags>();
  CLI::App* health =
      app.add_subcommand("health",
                         "Probe each live-data provider once: status, latency, parsed "
                         "value or error; an implausible (BAD) or stale (STALE) answer counts as "
                         "down (exit 1 if any is)");
  add_common(health, *hf);
  health->callback([hf, &global] {
    const auto results = live::probe_providers(options_from(*hf, global));
    int down = 0;
    nlohmann::json j = nlohmann::json::array();
    if (!hf->json)
      std::printf("%-16s %-5s %5s %9s  %s\n", "provider", "state", "HTTP", "ms", "value or error");
    for (const auto& r : results) {
      if (!r.ok) ++down;
      if (hf->json) {
        j.push_back({{"provider", r.provider},
                     {"endpoint", r.endpoint},
                     {"ok", r.ok},
                     {"state", r.state},
                     {"http_status", r.http_status},
                     {"latency_ms", r.latency_ms},
                     {"value", r.value},
                     {"error", r.error}});
      } else {
        std::printf("%-16s %-5s %5ld %9.0f  %s\n", r.provider.c_str(), r.state.c_str(),
                    r.http_status, r.latency_ms,
                    (r.ok ? r.value : r.error + " [" + r.endpoint + "]").c_str());
      }
    }
    if (hf->json) std::cout << j.dump(2) << "\n";
    std::fflush(stdout);
    if (down > 0)
      throw Error(std::to_string(down) + " of " + std::to_string(results.size()) +
                  " provider endpoints are down or unusable");
  });
}

}  // namespace hashsim::cli
