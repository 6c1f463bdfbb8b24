// `hashsim bench`: throughput of the simulation engine on this machine (README "Performance",
// "Comparing machines"). Runs a standard workload (scenarios/base.yaml: the default profile with
// 154 archetypes + 0 observers, 32 paths or 2 blocks per thread, 3650 days) or a given scenario
// through sim::run_paths (the `run` pipeline without the HDF5 writer, so disk speed does not enter)
// at 1, 2, 4, ... N threads and prints agent-days/s, path-days/s, the scaling efficiency, peak
// memory, the CPU model, the SIMD width compiled in and the build flags; --json for machines.
#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/scenario/scenario.h"
#include "engine/sim/market_inputs.h"
#include "engine/sim/path_simulator.h"
#include "engine/sim/runner.h"
#include "engine/sim/shard.h"
#include "engine/sim/simulate_file.h"
#include "engine/util/error.h"
#include "engine/util/version.h"
#include "tools/hashsim/command.h"

#ifndef HASHSIM_BUILD_INFO
#define HASHSIM_BUILD_INFO "unknown"
#endif

namespace hashsim::cli {

namespace {
struct BenchFlags {
  std::string scenario = "scenarios/base.yaml";
  // Default: 32, or enough for 2 blocks per thread (ranks x threads) when that is more, so that
  // every thread has work at any --max-threads.
  std::optional<std::int64_t> paths;
  int days = 3650;
  int max_threads = 0;
  int repetitions = 1;
  std::uint64_t block_paths = 4;  // one SIMD group of 4 lanes per block: 8 blocks for 2 threads
  int lanes = 0;                  // 0: the build's default (agents::kNativeLanes)
  bool json = false;
};

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown";
}

// The widest vector instructions the compiler was allowed to use (the build's -march), in bits.
int simd_bits_compiled() {
#if defined(__AVX512F__)
  return 512;
#elif defined(__AVX2__) || defined(__AVX__)
  return 256;
#elif defined(__SSE2__) || defined(__ARM_NEON)
  return 128;
#else
  return 64;
#endif
}

std::string cpu_vector_extensions() {
  std::string s;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) s += "avx512f ";
  if (__builtin_cpu_supports("avx2")) s += "avx2 ";
  if (__builtin_cpu_supports("fma")) s += "fma ";
  if (__builtin_cpu_supports("sse4.2")) s += "sse4.2 ";
#endif
  if (!s.empty()) s.pop_back();
  return s;
}

double peak_rss_mib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

std::vector<int> thread_counts(int max_threads) {
  std::vector<int> t;
  for (int n = 1; n < max_threads; n *= 2) t.push_back(n);
  t.push_back(max_threads);
  return t;
}

struct Point {
  int threads = 0;
  double wall_s = 0.0;
  double path_days_per_s = 0.0;
  double agent_days_per_s = 0.0;
  double speedup = 0.0;
  double efficiency = 0.0;
  double peak_rss_mib = 0.0;
};

// The workload measured and the machine it ran on.
struct Workload {
  const scenario::Scenario& s;
  double agents = 0.0;
  int lanes = 1;  // paths per agents' step (SIMD lanes across paths) in use
  int hardware_threads = 0;
  sim::Shard world;
  std::uint64_t n_paths() const { return static_cast<std::uint64_t>(s.paths); }
};

// Best wall time of f.repetitions runs at each thread count (1, 2, 4, ..., max_threads); the
// speedup and efficiency against one thread.
std::vector<Point> measure(const Workload& w, const BenchFlags& f, int max_threads) {
  std::vector<Point> points;
  for (const int threads : thread_counts(max_threads)) {
    sim::RunOptions o;
    o.threads = threads;
    o.block_paths = f.block_paths;
    o.lanes = f.lanes;
    o.shard = w.world;  // under mpirun: each rank simulates its share of the blocks
    double best = 1e300;
    for (int r = 0; r < f.repetitions; ++r) {
      sim::shard_barrier();
      const auto t0 = std::chrono::steady_clock::now();
      sim::run_paths(w.s, 0, w.n_paths(), o, nullptr);
      sim::shard_barrier();
      best = std::min(best,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    Point p;
    p.threads = threads;
    p.wall_s = best;
    p.path_days_per_s = static_cast<double>(w.n_paths()) * w.s.horizon_days / best;
    p.agent_days_per_s = p.path_days_per_s * w.agents;
    p.peak_rss_mib = peak_rss_mib();
    points.push_back(p);
  }
  for (auto& p : points) {
    p.speedup = points.front().wall_s / p.wall_s;
    p.efficiency = p.speedup / p.threads;
  }
  return points;
}

nlohmann::json bench_json(const Workload& w, const BenchFlags& f,
                          const std::vector<Point>& points) {
  nlohmann::json j;
  j["hashsim_version"] = std::string(kVersion) + " (" + kGitSha + ")";
  j["scenario"] = w.s.name;
  j["scenario_file"] = f.scenario;
  j["paths"] = w.n_paths();
  j["days"] = w.s.horizon_days;
  j["agents"] = static_cast<std::int64_t>(w.agents);
  j["block_paths"] = f.block_paths;
  j["repetitions"] = f.repetitions;
  j["mpi_ranks"] = w.world.size;
  j["cpu_model"] = cpu_model();
  j["hardware_threads"] = w.hardware_threads;
  j["simd_bits_compiled"] = simd_bits_compiled();
  j["lanes"] = w.lanes;
  j["cpu_vector_extensions"] = cpu_vector_extensions();
  j["build_flags"] = HASHSIM_BUILD_INFO;
  j["results"] = nlohmann::json::array();
  for (const auto& p : points)
    j["results"].push_back({{"threads", p.threads},
                            {"wall_s", p.wall_s},
                            {"path_days_per_s", p.path_days_per_s},
                            {"agent_days_per_s", p.agent_days_per_s},
                            {"speedup", p.speedup},
                            {"efficiency", p.efficiency},
                            {"peak_rss_mib", p.peak_rss_mib}});
  return j;
}

void print_bench_table(const Workload& w, const BenchFlags& f, const std::vector<Point>& points) {
  std::printf("hashsim %s (%s)\n", kVersion, kGitSha);
  std::printf("cpu:       %s (%d hardware threads; %s)\n", cpu_model().c_str(), w.hardware_threads,
              cpu_vector_extensions().c_str());
  std::printf("simd:      %d-bit vectors compiled in; %d path(s) per agents' step (lanes)\n",
              simd_bits_compiled(), w.lanes);
  std::printf("build:     %s\n", HASHSIM_BUILD_INFO);
  std::printf(
      "workload:  %s (%s): %llu paths x %d days x %.0f agents, %d MPI rank(s), best of %d\n",
      w.s.name.c_str(), f.scenario.c_str(), static_cast<unsigned long long>(w.n_paths()),
      w.s.horizon_days, w.agents, w.world.size, f.repetitions);
  std::printf("%8s %9s %14s %14s %8s %10s %10s\n", "threads", "wall s", "agent-days/s",
              "path-days/s", "speedup", "efficiency", "peak MiB");
  for (const auto& p : points)
    std::printf("%8d %9.3f %14.4g %14.4g %8.2f %9.0f%% %10.1f\n", p.threads * w.world.size,
                p.wall_s, p.agent_days_per_s, p.path_days_per_s, p.speedup, 100.0 * p.efficiency,
                p.peak_rss_mib);
}

void bench(const BenchFlags& f) {
  const int hardware_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int max_threads = f.max_threads > 0 ? f.max_threads : hardware_threads;
  const sim::Shard world = sim::shard_world();
  const std::int64_t paths = f.paths.value_or(std::max<std::int64_t>(
      32, 2 * static_cast<std::int64_t>(f.block_paths) * max_threads * world.size));
  std::vector<scenario::Scenario> list{
      scenario::load_scenario(f.scenario, {paths, f.days, std::nullopt})};
  sim::apply_start_sources(list);
  const scenario::Scenario& s = list.front();
  const auto inputs = sim::MarketInputs::load(s);
  const Workload w{s, inputs.agents ? static_cast<double>(inputs.agents->size()) : 0.0,
                   sim::lanes_for(s, inputs, f.lanes), hardware_threads, world};
  const std::vector<Point> points = measure(w, f, max_threads);
  if (w.world.rank != 0) return;
  if (f.json)
    std::cout << bench_json(w, f, points).dump(2) << "\n";
  else
    print_bench_table(w, f, points);
}
}  // namespace

void register_bench_commands(CLI::App& app, GlobalOptions& global) {
  (void)global;
  auto f = std::make_shared<BenchFlags>();
  CLI::App* cmd =
      app.add_subcommand("bench", "Measure simulation throughput on this machine (1..N threads)");
  cmd->add_option("--scenario", f->scenario,
                  "Scenario to run (default scenarios/base.yaml: 154 archetypes)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--paths", f->paths,
                  "Paths per measurement (default 32, or 2 blocks per thread if more)")
      ->check(CLI::Range(std::int64_t{1}, scenario::kMaxPaths));
  cmd->add_option("--days", f->days, "Horizon in days (default 3650)")
      ->check(CLI::Range(1, scenario::kMaxHorizonDays));
  cmd->add_option("--max-threads", f->max_threads,
                  "Largest thread count; runs 1, 2, 4, ... up to it (default: all)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--repetitions", f->repetitions,
                  "Runs per thread count; the fastest is reported (default 1)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--block-size", f->block_paths, "Paths per block (default 4)")
      ->check(CLI::Range(1, 1'000'000));
  add_lanes_option(cmd, f->lanes);
  cmd->add_flag("--json", f->json, "Print JSON instead of a table");
  cmd->callback([f] { bench(*f); });
}

}  // namespace hashsim::cli
