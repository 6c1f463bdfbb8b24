#pragma once
// A scenario: everything one Monte Carlo run needs, loaded from YAML, validated, then frozen
// and passed by const& (DESIGN.md section 5, "description vs run state").
// Keys, units, ranges and defaults: scenarios/README.md.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/agents_config.h"
#include "engine/chain/chain_state.h"
#include "engine/market/fee_model.h"
#include "engine/market/price_model.h"
#include "engine/market/replay.h"

namespace YAML {
class Node;
}

namespace hashsim {
struct KeyOrigin;  // engine/util/yaml_reader.h
using KeyOrigins = std::map<std::string, KeyOrigin>;
}  // namespace hashsim

namespace hashsim::scenario {

// Per-path daily series the simulation can record (HDF5 /scenarios/<name>/paths/<series>).
enum class Series : int {
  PriceUsd = 0,
  FeeBtcPerBlock,
  NetworkHashrateThs,
  Difficulty,
  Height,
  Blocks,
  HashpriceBtcPerThDay,
  HashpriceUsdPerThDay,
  Count
};
inline constexpr int kSeriesCount = static_cast<int>(Series::Count);
const char* series_name(Series s);
const char* series_unit(Series s);
std::vector<std::string> all_series_names();

enum class StartSource { Scenario, Static, Live, Cached };
const char* start_source_name(StartSource s);

struct StartConditions {
  StartSource source = StartSource::Scenario;
  std::string date;  // YYYY-MM-DD, day 0 of the simulation
  double price_usd = 0.0;
  double network_hashrate_ths = 0.0;
  double difficulty = 0.0;
  double height = 0.0;
  double fee_btc_per_block = 0.0;
  std::string provenance_json;  // filled when values came from a live/static snapshot
};

enum class PriceModelKind { Gbm, Replay };
struct PriceConfig {
  PriceModelKind kind = PriceModelKind::Gbm;
  market::GbmParams gbm{};
  market::ReplaySpec replay{};
};

enum class FeeModelKind { Lognormal, Replay };
struct FeeConfig {
  FeeModelKind kind = FeeModelKind::Lognormal;
  market::FeeParams lognormal{};
  market::ReplaySpec replay{};
};

// Exogenous network hashrate (used when no agent model drives it): log-GBM with annual growth
// and volatility (vol 0: deterministic exponential growth), or replayed from a CSV.
enum class NetworkModelKind { Exogenous, Replay, Agents };
struct NetworkConfig {
  NetworkModelKind kind = NetworkModelKind::Exogenous;
  double growth_per_year = 0.0;  // ln-growth per year of the expected hashrate
  double vol_per_sqrt_year = 0.0;
  market::ReplaySpec replay{};
};

struct RecordConfig {
  std::vector<Series> series;  // per-path daily series written to the file
  int every_days = 1;          // record day 0, k, 2k, ...
  int compression = 0;         // deflate level 0-9 (0: none, fastest)
};

struct Scenario {
  std::string name;
  std::string description;
  std::filesystem::path file;  // where it was loaded from
  std::string yaml_text;       // verbatim, for provenance
  std::string variant;         // sweep grid point, e.g. "price.vol_per_sqrt_year=0.4"

  int horizon_days = 0;
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  StartConditions start{};
  PriceConfig price{};
  FeeConfig fees{};
  chain::ChainOptions chain{};
  NetworkConfig network{};
  RecordConfig record{};
  // Present when network.model is agents: the miner agents drive the network hashrate.
  std::optional<agents::AgentsConfig> agents;

  int recorded_days() const { return (horizon_days + record.every_days - 1) / record.every_days; }
  bool records(Series s) const;
};

struct Overrides {
  std::optional<std::int64_t> paths;
  std::optional<int> days;
  std::optional<std::uint64_t> seed;
};

// Loads and validates a scenario file. Throws hashsim::Error with file:line: key = value ... .
Scenario load_scenario(const std::filesystem::path& file, const Overrides& overrides = {});
// Same from text already in memory (tests, sweeps); `file` is used in messages and to resolve
// relative paths (replay files).
Scenario parse_scenario(const std::string& yaml_text, const std::filesystem::path& file,
                        const Overrides& overrides = {});

// From an already parsed (possibly modified, e.g. by a sweep grid) YAML document. `origins` names
// the file of keys that came from elsewhere (the sweep file's grid), for messages.
Scenario build_scenario(const YAML::Node& root, const std::string& yaml_text,
                        const std::filesystem::path& file, const Overrides& overrides = {},
                        std::shared_ptr<const KeyOrigins> origins = nullptr);

// Scenario and sweep names become file names (results/<name>.h5) and HDF5 group names: why `name`
// is not a usable one ("" when it is). Allowed: non-empty, at most 200 bytes, no '/', whitespace or
// control characters, not starting with '.' (no hidden files, no "." or "..").
std::string name_problem(const std::string& name);

// Limits shared by the loader and the CLI flags.
inline constexpr std::int64_t kMaxPaths = 10'000'000;
inline constexpr int kMaxHorizonDays = 36'500;

}  // namespace hashsim::scenario
