#include "engine/sim/runner.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "engine/io/hdf5.h"
#include "engine/sim/market_inputs.h"
#include "engine/sim/outputs.h"
#include "engine/sim/path_simulator.h"
#include "engine/util/error.h"

namespace hashsim::sim {

namespace {
struct Block {
  std::uint64_t first_path = 0;
  std::uint64_t n_paths = 0;
  std::vector<std::vector<double>> data;  // per output spec, [n_paths * per_path_size]
};

class Progress {
 public:
  Progress(bool enabled, std::string label, std::uint64_t total)
      : enabled_(enabled && ::isatty(STDERR_FILENO)),
        label_(std::move(label)),
        total_(total),
        start_(std::chrono::steady_clock::now()) {}
  void update(std::uint64_t done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
    std::fprintf(stderr, "\r%s: %llu/%llu paths, %.0f paths/s, ETA %.0f s   ", label_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 rate, eta);
    if (done == total_) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  std::string label_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point start_, last_{};
};
}  // namespace

std::vector<io::OutputSpec> output_specs(const scenario::Scenario& s) {
  if (!s.agents) return make_output_layout(s, 0, 0).specs;
  // Only the agent table is needed for the shapes, not the replayed series that
  // MarketInputs::load would also read.
  const agents::ArchetypeTable t = agents::build_archetype_table(
      *s.agents, s.start.network_hashrate_ths, s.start.date, s.horizon_days);
  return make_output_layout(s, t.size(), t.n_observers).specs;
}

void write_agent_metadata(hid_t group, const agents::ArchetypeTable& t) {
  std::vector<std::string> machine, strategy;
  std::vector<double> tariff, observer, counts;
  for (std::size_t a = 0; a < t.size(); ++a) {
    machine.push_back(t.catalogue.machines[static_cast<std::size_t>(t.machine[a])].name);
    strategy.push_back(agents::strategy_name(t.strategy[a]));
    tariff.push_back(t.tariff_usd_per_kwh[a]);
    observer.push_back(a >= t.n_env ? 1.0 : 0.0);
    counts.push_back(t.network_weight[a]);
  }
  namespace schema = io::schema;
  const std::string prefix = std::string(schema::kAgentsGroup) + "/";
  h5::write_strings(group, prefix + schema::kCoordMachine, machine);
  h5::write_strings(group, prefix + schema::kCoordStrategy, strategy);
  h5::write_vector(group, prefix + schema::kCoordTariff, tariff);
  h5::write_vector(group, prefix + "is_observer", observer);
  h5::write_vector(group, prefix + "counts_in_network", counts);
  h5::write_vector(group, prefix + "initial_machines", t.initial_machines);
  h5::Handle g = h5::open_group(group, schema::kAgentsGroup);
  h5::set_attr(g.get(), schema::kAttrProfile, std::string(agents::profile_name(t.profile)));
  h5::set_attr(g.get(), schema::kAttrCatalogueFile, t.catalogue.file.string());
  h5::set_attr(g.get(), schema::kAttrCatalogueSha256, t.catalogue.sha256);
  h5::set_attr(g.get(), schema::kAttrNArchetypes, static_cast<std::int64_t>(t.n_env));
  h5::set_attr(g.get(), schema::kAttrNFleets, static_cast<std::int64_t>(t.n_observers));
}

namespace {
OutputLayout layout_for(const scenario::Scenario& s, const MarketInputs& inputs) {
  return make_output_layout(s, inputs.agents ? inputs.agents->size() : 0,
                            inputs.agents ? inputs.agents->n_observers : 0);
}

// The pipeline shared by run_scenario and run_paths: blocks of paths are cut serially, simulated
// in parallel (one PathSimulator workspace per worker thread) and handed to `sink` serially in
// path order, with at most 2 x threads blocks in flight.
void run_pipeline(const scenario::Scenario& s, const MarketInputs& inputs, std::uint64_t first_path,
                  std::uint64_t n_paths, const RunOptions& options, const BlockSink& sink) {
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));

  const OutputLayout layout = layout_for(s, inputs);
  const auto& specs = layout.specs;
  const std::uint64_t block = std::max<std::uint64_t>(1, options.block_paths);
  const std::uint64_t n_blocks = (n_paths + block - 1) / block;
  const int lanes = lanes_for(s, inputs, options.lanes);

  tbb::enumerable_thread_specific<std::unique_ptr<PathSimulator>> workers;
  Progress progress(options.progress,
                    options.progress_label.empty() ? s.name : options.progress_label, n_paths);

  const auto shard_size = static_cast<std::uint64_t>(std::max(1, options.shard.size));
  const auto shard_rank = static_cast<std::uint64_t>(options.shard.rank);
  std::uint64_t next_block = 0;
  tbb::parallel_pipeline(
      2 * static_cast<std::size_t>(threads),
      tbb::make_filter<void, std::shared_ptr<Block>>(
          tbb::filter_mode::serial_in_order,
          [&](tbb::flow_control& fc) -> std::shared_ptr<Block> {
            // Under MPI this rank takes every shard.size-th block, starting at its rank.
            while (next_block < n_blocks && next_block % shard_size != shard_rank) ++next_block;
            if (next_block >= n_blocks) {
              fc.stop();
              return nullptr;
            }
            auto b = std::make_shared<Block>();
            b->first_path = first_path + next_block * block;
            b->n_paths = std::min(block, n_paths - next_block * block);
            b->data.resize(specs.size());
            for (std::size_t k = 0; k < specs.size(); ++k)
              b->data[k].resize(b->n_paths * specs[k].per_path_size());
            ++next_block;
            return b;
          }) &
          tbb::make_filter<std::shared_ptr<Block>, std::shared_ptr<Block>>(
              tbb::filter_mode::parallel,
              [&](std::shared_ptr<Block> b) {
                auto& w = workers.local();
                if (!w) w = std::make_unique<PathSimulator>(s, inputs, layout, lanes);
                std::vector<std::vector<double*>> out(b->n_paths,
                                                      std::vector<double*>(specs.size()));
                for (std::uint64_t p = 0; p < b->n_paths; ++p)
                  for (std::size_t k = 0; k < specs.size(); ++k)
                    out[p][k] = b->data[k].data() + p * specs[k].per_path_size();
                w->simulate_block(b->first_path, b->n_paths, out.data());
                return b;
              }) &
          tbb::make_filter<std::shared_ptr<Block>, void>(
              tbb::filter_mode::serial_in_order, [&](const std::shared_ptr<Block>& b) {
                if (sink) {
                  std::vector<const double*> ptrs;
                  for (const auto& d : b->data) ptrs.push_back(d.data());
                  sink(b->first_path, b->n_paths, ptrs);
                }
                progress.update(b->first_path - first_path + b->n_paths);
              }));
}

}  // namespace

RunStats run_scenario(const scenario::Scenario& s, io::ScenarioWriter& writer,
                      const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto n_paths = static_cast<std::uint64_t>(s.paths);
  RunStats st;
  if (writer.complete()) return st;  // finished already
  const MarketInputs inputs = MarketInputs::load(s);
  if (layout_for(s, inputs).specs.size() != writer.specs().size())
    throw Error("internal: writer and simulator disagree on outputs");
  if (inputs.agents && !(writer.resumed() && h5::exists(writer.group(), io::schema::kAgentsGroup)))
    write_agent_metadata(writer.group(), *inputs.agents);
  // A resumed scenario continues after its last complete block; path i gets the same numbers
  // whatever block it is simulated in, so the file equals an uninterrupted run's.
  const std::uint64_t resume_from = writer.paths_written();
  if (options.shard.size <= 1) {
    run_pipeline(s, inputs, resume_from, n_paths - resume_from, options,
                 [&](std::uint64_t first, std::uint64_t n, const std::vector<const double*>& data) {
                   writer.write_block(first, n, data);
                 });
  } else {
    // Rank 0 of an MPI run: before each of its own blocks, receive and write the other ranks'
    // blocks that precede it, so the writer sees every block in path order, as in one process.
    if (resume_from != 0) throw Error("internal: an MPI run cannot resume a partial file");
    const std::uint64_t block = std::max<std::uint64_t>(1, options.block_paths);
    const std::uint64_t n_blocks = (n_paths + block - 1) / block;
    const auto& specs = writer.specs();
    std::vector<std::vector<double>> received(specs.size());
    std::vector<const double*> ptrs(specs.size());
    std::uint64_t next = 0;  // the next block to write
    auto receive_until = [&](std::uint64_t end) {
      for (; next < end; ++next) {
        const int source = static_cast<int>(next % static_cast<std::uint64_t>(options.shard.size));
        if (source == 0) throw Error("internal: rank 0 block out of order");
        const std::uint64_t first = next * block, n = std::min(block, n_paths - first);
        for (std::size_t k = 0; k < specs.size(); ++k) {
          received[k].resize(n * specs[k].per_path_size());
          shard_recv(source, received[k].data(), received[k].size());
          ptrs[k] = received[k].data();
        }
        writer.write_block(first, n, ptrs);
      }
    };
    run_pipeline(s, inputs, 0, n_paths, options,
                 [&](std::uint64_t first, std::uint64_t n, const std::vector<const double*>& data) {
                   receive_until(first / block);
                   writer.write_block(first, n, data);
                   next = first / block + 1;
                 });
    receive_until(n_blocks);
  }
  writer.finish();
  st.paths = n_paths - resume_from;
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

RunStats run_scenario_shard(const scenario::Scenario& s, const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const MarketInputs inputs = MarketInputs::load(s);
  const OutputLayout layout = layout_for(s, inputs);
  RunStats st;
  RunOptions o = options;
  o.progress = false;  // rank 0 shows its own progress
  run_pipeline(s, inputs, 0, static_cast<std::uint64_t>(s.paths), o,
               [&](std::uint64_t, std::uint64_t n, const std::vector<const double*>& data) {
                 for (std::size_t k = 0; k < data.size(); ++k)
                   shard_send(0, data[k], n * layout.specs[k].per_path_size());
                 st.paths += n;
               });
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

RunStats run_paths(const scenario::Scenario& s, std::uint64_t first_path, std::uint64_t n_paths,
                   const RunOptions& options, const BlockSink& sink) {
  const auto t0 = std::chrono::steady_clock::now();
  const MarketInputs inputs = MarketInputs::load(s);
  run_pipeline(s, inputs, first_path, n_paths, options, sink);
  RunStats st;
  st.paths = n_paths;
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

}  // namespace hashsim::sim
