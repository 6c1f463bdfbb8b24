#include "engine/sim/simulate_file.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "engine/io/results_file.h"
#include "engine/live/live_data.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"

namespace hashsim::sim {

void apply_start_sources(std::vector<scenario::Scenario>& list, bool require_live) {
  std::map<scenario::StartSource, scenario::StartConditions> filled;
  std::optional<live::LiveOptions> opts;
  if (require_live)
    for (const auto& s : list)
      if (s.start.source == scenario::StartSource::Scenario)
        throw live::NotLiveError(
            "scenario '" + s.name + "' (" + s.file.string() +
            ") takes its start values from the scenario file (start.source: scenario), not "
            "from live data; set start.source: live in it");
  for (auto& s : list) {
    if (s.start.source == scenario::StartSource::Scenario) continue;
    auto it = filled.find(s.start.source);
    if (it == filled.end()) {
      if (!opts) opts = live::live_options_from_env();
      scenario::StartConditions start = s.start;
      live::fill_start_conditions(start, *opts, require_live);
      it = filled.emplace(s.start.source, start).first;
    }
    s.start = it->second;
  }
}

namespace {
// MPI: rank 0 resolves start sources (one provider round for the whole job) and sends the values
// to every rank, so all ranks simulate from the same start.
void append_field(std::string& out, const std::string& v) {
  const std::uint64_t n = v.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out += v;
}
std::string read_field(const std::string& in, std::size_t& pos) {
  std::uint64_t n = 0;
  if (pos + sizeof n > in.size()) throw Error("internal: truncated start conditions from rank 0");
  std::memcpy(&n, in.data() + pos, sizeof n);
  pos += sizeof n;
  if (pos + n > in.size()) throw Error("internal: truncated start conditions from rank 0");
  std::string v = in.substr(pos, n);
  pos += n;
  return v;
}
void broadcast_starts(std::vector<scenario::Scenario>& list) {
  std::string bytes;
  for (const auto& s : list) {
    const auto& st = s.start;
    const double values[] = {
        st.price_usd, st.network_hashrate_ths, st.difficulty,
        st.height,    st.fee_btc_per_block,    static_cast<double>(static_cast<int>(st.source))};
    append_field(bytes, std::string(reinterpret_cast<const char*>(values), sizeof values));
    append_field(bytes, st.date);
    append_field(bytes, st.provenance_json);
  }
  shard_broadcast(bytes);
  std::size_t pos = 0;
  for (auto& s : list) {
    auto& st = s.start;
    double values[6];
    const std::string v = read_field(bytes, pos);
    if (v.size() != sizeof values) throw Error("internal: bad start conditions from rank 0");
    std::memcpy(values, v.data(), sizeof values);
    st.price_usd = values[0];
    st.network_hashrate_ths = values[1];
    st.difficulty = values[2];
    st.height = values[3];
    st.fee_btc_per_block = values[4];
    st.source = static_cast<scenario::StartSource>(static_cast<int>(values[5]));
    st.date = read_field(bytes, pos);
    st.provenance_json = read_field(bytes, pos);
  }
}
}  // namespace

void simulate_to_file(std::vector<scenario::Scenario> list, const std::filesystem::path& output,
                      const std::string& command_line, const SimulateFileOptions& options) {
  const Shard world = options.run.shard;
  if (world.size > 1 && options.overwrite == Overwrite::kResume)
    throw OptionError(
        "{resume} does not work under mpirun (the partial file's blocks are not sharded); "
        "run again without {resume}");
  if (world.rank == 0) apply_start_sources(list, options.require_live);
  if (world.size > 1) broadcast_starts(list);
  if (world.rank != 0) {
    // Ranks > 0 simulate their blocks of every scenario, in the same order as rank 0 writes them.
    for (const auto& s : list) run_scenario_shard(s, options.run);
    return;
  }
  io::ResultsFile file(output, command_line, options.overwrite);
  if (file.resumed() && options.verbosity >= 0)
    std::fprintf(stderr, "resuming %s.partial\n", output.c_str());
  for (const auto& s : list) {
    io::ScenarioWriter& w = file.begin_scenario(s, output_specs(s));
    RunOptions o = options.run;
    o.progress_label = s.name;
    const auto st = run_scenario(s, w, o);
    if (options.verbosity > 0)
      std::fprintf(stderr, "%s: %llu paths x %d days in %.2f s (%.0f path-days/s)\n",
                   s.name.c_str(), static_cast<unsigned long long>(st.paths), s.horizon_days,
                   st.seconds, static_cast<double>(st.paths) * s.horizon_days / st.seconds);
  }
  file.commit();
}

}  // namespace hashsim::sim
