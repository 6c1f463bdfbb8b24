#include "engine/scenario/scenario.h"

#include <cmath>

#include "agents/agents_config.h"
#include "engine/util/yaml_reader.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"

namespace hashsim::scenario {

namespace {
constexpr const char* kSeriesNames[] = {
    "price_usd", "fee_btc_per_block",        "network_hashrate_ths",    "difficulty", "height",
    "blocks",    "hashprice_btc_per_th_day", "hashprice_usd_per_th_day"};
constexpr const char* kSeriesUnits[] = {
    "USD/BTC", "BTC/block",  "TH/s",           "1",
    "blocks",  "blocks/day", "BTC/(TH/s)/day", "USD/(TH/s)/day"};

market::ReplaySpec read_replay(YamlMap& m, const std::filesystem::path& scenario_file,
                               const std::string& default_column) {
  market::ReplaySpec r;
  const std::string file = m.text("file");
  std::filesystem::path p(file);
  if (p.is_relative()) p = scenario_file.parent_path() / p;
  if (!regular_file_exists(p))
    m.fail("file", "= " + shorten(file) + ": cannot read file " + shorten(p.string()));
  r.file = p;
  r.value_column = m.text("column", default_column);
  r.day_column = m.text("day_column", "day");
  r.path_column = m.text("path_column", "");
  r.scale = m.number("scale", 1e-12, 1e12, 1.0);
  return r;
}
}  // namespace

const char* series_name(Series s) { return kSeriesNames[static_cast<int>(s)]; }
const char* series_unit(Series s) { return kSeriesUnits[static_cast<int>(s)]; }
std::vector<std::string> all_series_names() {
  return std::vector<std::string>(std::begin(kSeriesNames), std::end(kSeriesNames));
}

std::string name_problem(const std::string& name) {
  // Shown escaped and cut (shorten): a raw newline or control character in the message would
  // break the one-line "file:line: key ..." error format.
  const std::string shown = "= '" + shorten(name) + "'";
  if (name.empty()) return "must not be empty (it names the results file)";
  if (name.size() > 200) return shown + " is longer than 200 characters";
  if (name.front() == '.') return shown + " must not start with '.' (it names the results file)";
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u <= 0x20 || u == 0x7f)
      return shown +
             " must be a name without spaces, control characters, '/' or '\\' (it names the "
             "results file)";
  }
  return "";
}

const char* start_source_name(StartSource s) {
  switch (s) {
    case StartSource::Scenario:
      return "scenario";
    case StartSource::Static:
      return "static";
    case StartSource::Live:
      return "live";
    case StartSource::Cached:
      return "cached";
  }
  return "?";
}

bool Scenario::records(Series s) const {
  for (auto r : record.series)
    if (r == s) return true;
  return false;
}

Scenario parse_scenario(const std::string& yaml_text, const std::filesystem::path& file,
                        const Overrides& ov) {
  return build_scenario(parse_yaml(yaml_text, file.string()), yaml_text, file, ov);
}

namespace {
// The `replay:` map of a price, fees or network section: a series read from a CSV.
market::ReplaySpec read_replay_section(YamlMap& section, const std::filesystem::path& file,
                                       const char* column) {
  YamlMap r = section.map("replay", true);
  market::ReplaySpec spec = read_replay(r, file, column);
  r.finish();
  return spec;
}

// start: the day-0 state of the network (or where to take it from).
StartConditions read_start(YamlMap& top) {
  StartConditions start{};
  YamlMap st = top.map("start", true);
  const std::string src =
      st.choice("source", {"scenario", "static", "live", "cached"}, std::string("scenario"));
  start.source = src == "scenario" ? StartSource::Scenario
                 : src == "static" ? StartSource::Static
                 : src == "live"   ? StartSource::Live
                                   : StartSource::Cached;
  // With a snapshot source the numbers come from the snapshot. Numbers given here anyway are
  // still read and must be valid (rejecting them outright would surprise someone switching
  // sources), but the snapshot's values win.
  const bool need = start.source == StartSource::Scenario;
  auto opt = [&](double v) { return need ? std::optional<double>() : std::optional<double>(v); };
  // An absent date under a snapshot source stays empty (the snapshot supplies it); "" is not a
  // valid date for YamlMap::date's own check, so it cannot be passed as a fallback.
  start.date = need || st.has("date") ? st.date("date") : std::string();
  start.price_usd = st.number("price_usd", 0.01, 1e9, opt(0.0));
  start.network_hashrate_ths = st.number("network_hashrate_ths", 1.0, 1e15, opt(0.0));
  start.difficulty = st.number("difficulty", 1.0, 1e20, opt(0.0));
  start.height = static_cast<double>(
      st.integer("height", 0, 20'000'000, need ? std::optional<std::int64_t>() : 0));
  start.fee_btc_per_block = st.number("fee_btc_per_block", 1e-8, 100.0, opt(0.0));
  st.finish();
  return start;
}

// price: GBM (+ jumps) or a replayed series.
PriceConfig read_price(YamlMap& top, const std::filesystem::path& file) {
  PriceConfig price{};
  YamlMap pm = top.map("price", true);
  const std::string model = pm.choice("model", {"gbm", "replay"});
  if (model == "gbm") {
    price.kind = PriceModelKind::Gbm;
    price.gbm.drift_per_year = pm.number("drift_per_year", -5.0, 5.0);
    price.gbm.vol_per_sqrt_year = pm.number("vol_per_sqrt_year", 0.0, 5.0);
    YamlMap j = pm.map("jumps");
    price.gbm.jumps.intensity_per_year = j.number("intensity_per_year", 0.0, 365.0, 0.0);
    price.gbm.jumps.log_mean = j.number("log_mean", -5.0, 5.0, 0.0);
    price.gbm.jumps.log_sd = j.number("log_sd", 0.0, 5.0, 0.0);
    j.finish();
  } else {
    price.kind = PriceModelKind::Replay;
    price.replay = read_replay_section(pm, file, "price_usd");
  }
  pm.finish();
  return price;
}

// fees: lognormal AR(1) or a replayed series.
FeeConfig read_fees(YamlMap& top, const std::filesystem::path& file) {
  FeeConfig fees{};
  YamlMap fm = top.map("fees", true);
  const std::string model = fm.choice("model", {"lognormal", "replay"});
  if (model == "lognormal") {
    fees.kind = FeeModelKind::Lognormal;
    fees.lognormal.median_btc_per_block = fm.number("median_btc_per_block", 1e-8, 100.0);
    fees.lognormal.log_sd = fm.number("log_sd", 0.0, 5.0);
    fees.lognormal.ar1_phi = fm.number("ar1_phi", 0.0, 0.999, 0.0);
  } else {
    fees.kind = FeeModelKind::Replay;
    fees.replay = read_replay_section(fm, file, "fee_btc_per_block");
  }
  fm.finish();
  return fees;
}

// chain: block arrivals, difficulty adjustment, halvings.
chain::ChainOptions read_chain(YamlMap& top) {
  chain::ChainOptions options{};
  YamlMap cm = top.map("chain");
  const std::string arrivals =
      cm.choice("block_arrivals", {"expected", "poisson"}, std::string("expected"));
  options.arrivals =
      arrivals == "poisson" ? chain::BlockArrivals::Poisson : chain::BlockArrivals::Expected;
  options.difficulty_adjustment = cm.boolean("difficulty_adjustment", true);
  options.halvings = cm.boolean("halvings", true);
  cm.finish();
  return options;
}

// network: exogenous log-GBM hashrate, a replayed series, or the miner agents.
NetworkConfig read_network(YamlMap& top, const std::filesystem::path& file) {
  NetworkConfig network{};
  YamlMap nm = top.map("network");
  const std::string model =
      nm.choice("model", {"exogenous", "replay", "agents"}, std::string("exogenous"));
  if (model == "agents") {
    network.kind = NetworkModelKind::Agents;
  } else if (model == "exogenous") {
    network.kind = NetworkModelKind::Exogenous;
    network.growth_per_year = nm.number("growth_per_year", -5.0, 5.0, 0.0);
    network.vol_per_sqrt_year = nm.number("vol_per_sqrt_year", 0.0, 5.0, 0.0);
  } else {
    network.kind = NetworkModelKind::Replay;
    network.replay = read_replay_section(nm, file, "network_hashrate_ths");
  }
  nm.finish();
  return network;
}

// record: the per-path series written, every k days, compression.
RecordConfig read_record(YamlMap& top) {
  RecordConfig record{};
  YamlMap rm = top.map("record");
  const auto names = all_series_names();
  const auto chosen = rm.text_list("series", names, names);
  for (const auto& n : chosen) {
    for (int i = 0; i < kSeriesCount; ++i)
      if (n == names[static_cast<std::size_t>(i)]) record.series.push_back(static_cast<Series>(i));
  }
  record.every_days = static_cast<int>(rm.integer("every_days", 1, 3650, 1));
  record.compression = static_cast<int>(rm.integer("compression", 0, 9, 0));
  rm.finish();
  return record;
}

// Command-line overrides (paths, days, seed), checked against the same limits as the file.
void apply_overrides(Scenario& s, const Overrides& ov) {
  if (ov.paths) {
    if (*ov.paths < 1 || *ov.paths > kMaxPaths)
      throw OptionError("{paths} " + std::to_string(*ov.paths) + " is not in [1, " +
                        std::to_string(kMaxPaths) + "]");
    s.paths = *ov.paths;
  }
  if (ov.days) {
    if (*ov.days < 1 || *ov.days > kMaxHorizonDays)
      throw OptionError("{days} " + std::to_string(*ov.days) + " is not in [1, " +
                        std::to_string(kMaxHorizonDays) + "]");
    s.horizon_days = *ov.days;
  }
  if (ov.seed) s.seed = *ov.seed;
}

Scenario build(const YAML::Node& root, const std::string& yaml_text,
               const std::filesystem::path& file, const Overrides& ov,
               std::shared_ptr<const KeyOrigins> origins) {
  const std::string fname = file.string();
  if (!root || root.IsNull()) throw Error(fname + ": the scenario file is empty");
  YamlMap top(root, fname, "", 0, std::move(origins));

  Scenario s;
  s.file = file;
  s.yaml_text = yaml_text;
  s.name = top.text("name");
  if (const std::string why = name_problem(s.name); !why.empty()) top.fail("name", why);
  s.description = top.text("description", "");
  s.horizon_days = static_cast<int>(top.integer("horizon_days", 1, kMaxHorizonDays));
  s.paths = top.integer("paths", 1, kMaxPaths);
  s.seed = static_cast<std::uint64_t>(top.integer("seed", 0, INT64_MAX));

  s.start = read_start(top);
  s.price = read_price(top, file);
  s.fees = read_fees(top, file);
  s.chain = read_chain(top);
  s.network = read_network(top, file);
  if (s.network.kind == NetworkModelKind::Agents) {
    YamlMap am = top.map("agents", true);
    s.agents = agents::parse_agents_config(am, file);
    if (s.agents->profile == agents::RuleProfile::Reference2021 &&
        s.price.kind != PriceModelKind::Replay)
      top.fail("price",
               "must be model: replay under the reference-2021 profile (it replays the published "
               "paths)");
  } else if (top.has("agents")) {
    top.fail("agents", "is only used with network.model: agents");
  }
  s.record = read_record(top);
  top.finish();

  apply_overrides(s, ov);
  return s;
}
}  // namespace

Scenario build_scenario(const YAML::Node& root, const std::string& yaml_text,
                        const std::filesystem::path& file, const Overrides& ov,
                        std::shared_ptr<const KeyOrigins> origins) {
  try {
    return build(root, yaml_text, file, ov, std::move(origins));
  } catch (const YAML::Exception& e) {
    // Every read goes through YamlMap, so this is a bug; still name the file rather than leak
    // yaml-cpp's words alone.
    throw Error(file.string() + ": cannot read the scenario: " + shorten(e.what()));
  }
}

Scenario load_scenario(const std::filesystem::path& file, const Overrides& overrides) {
  if (!regular_file_exists(file))
    throw Error(file.string() + ": cannot read scenario file (not found or not a regular file)");
  return parse_scenario(read_file(file), file, overrides);
}

}  // namespace hashsim::scenario
