// The runner and the results file: reproducibility (DESIGN.md 3.5: thread count and block size
// change no byte; same seed equal, different seed different), the HDF5 round trip (shapes,
// provenance attributes, summaries equal to quantiles recomputed here) and that no file is
// left looking complete after a failure.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <regex>
#include <thread>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"
#include "engine/util/error.h"
#include "engine/util/sha256.h"
#include "engine/util/version.h"
#include "tests/engine/scenarios.h"
#include "tests/engine/test_support.h"

using namespace hashsim;
using hashsim::test_support::TempDir;
namespace ts = hashsim::test_support;
namespace sc = hashsim::io::schema;

namespace {
const std::string kCatalogue = (ts::kSourceDir / "data/machines/current_2026.csv").string();

scenario::Scenario parse(const std::string& yaml, const TempDir& dir,
                         const std::string& file = "scenario.yaml") {
  ts::write_text(dir / file, yaml);
  return scenario::load_scenario(dir / file);
}

void run_to_file(const scenario::Scenario& s, const std::filesystem::path& out, int threads,
                 std::uint64_t block) {
  io::ResultsFile f(out, "runner_test");
  io::ScenarioWriter& w = f.begin_scenario(s, sim::output_specs(s));
  sim::RunOptions o;
  o.threads = threads;
  o.block_paths = block;
  sim::run_scenario(s, w, o);
  f.commit();
}

std::map<std::string, ts::DatasetBytes> datasets(const std::filesystem::path& file,
                                                 const scenario::Scenario& s) {
  return ts::read_all_datasets(file, sc::scenario_group(s.name));
}

void expect_same_bytes(const std::map<std::string, ts::DatasetBytes>& a,
                       const std::map<std::string, ts::DatasetBytes>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (const auto& [name, d] : a) {
    auto it = b.find(name);
    ASSERT_NE(it, b.end()) << what << ": " << name << " missing";
    EXPECT_TRUE(d == it->second) << what << ": dataset " << name << " differs";
  }
}

// Runs the scenario once per (threads, block size) and compares every dataset with `ref`.
void expect_same_bytes_for_runs(const scenario::Scenario& s, const TempDir& dir,
                                const std::map<std::string, ts::DatasetBytes>& ref,
                                const std::vector<std::pair<int, std::uint64_t>>& cases) {
  for (const auto& [threads, block] : cases) {
    const auto out = dir / ("t" + std::to_string(threads) + "b" + std::to_string(block) + ".h5");
    run_to_file(s, out, threads, block);
    expect_same_bytes(ref, datasets(out, s),
                      "threads " + std::to_string(threads) + " block " + std::to_string(block));
  }
}

// numpy.quantile(x, q) with the default method="linear": h = (n - 1) q, interpolate between
// the order statistics floor(h) and floor(h) + 1.
double numpy_linear_quantile(std::vector<double> x, double q) {
  std::sort(x.begin(), x.end());
  const double h = (static_cast<double>(x.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= x.size()) return x.back();
  return x[lo] + (h - static_cast<double>(lo)) * (x[lo + 1] - x[lo]);
}
}  // namespace

TEST(Runner, ThreadCountAndBlockSizeChangeNoByteExogenous) {
  TempDir dir;
  const auto s = parse(ts::exogenous_yaml("exo", 130, 90, 7), dir);
  run_to_file(s, dir / "ref.h5", 1, 1);
  const auto ref = datasets(dir / "ref.h5", s);
  ASSERT_GE(ref.count(sc::paths_dataset(sc::kSeriesPriceUsd)), 1u);
  ASSERT_GE(ref.count(sc::summary_dataset(sc::kSeriesPriceUsd, sc::kStatP50)), 1u);
  expect_same_bytes_for_runs(s, dir, ref, {{1, 64}, {2, 1}, {2, 64}, {2, 1000}});
}

TEST(Runner, ThreadCountAndBlockSizeChangeNoByteWithAgents) {
  TempDir dir;
  const auto s = parse(ts::agents_yaml("agents", kCatalogue, 20, 120, 7), dir);
  run_to_file(s, dir / "ref.h5", 1, 1);
  const auto ref = datasets(dir / "ref.h5", s);
  for (const std::string& name :
       {ts::field_dataset(sc::ArchetypeFinal::Usd), ts::field_dataset(sc::Fleet::ValueUsd),
        ts::field_dataset(sc::ArchetypeSeries::MachinesOn),
        sc::paths_dataset(sc::kSeriesNetworkHashrateThs)})
    ASSERT_GE(ref.count(name), 1u) << name;
  expect_same_bytes_for_runs(s, dir, ref, {{1, 64}, {2, 1}, {2, 3}, {2, 1000}});
}

TEST(Runner, SameSeedGivesEqualFilesDifferentSeedDifferentPaths) {
  TempDir dir;
  for (bool with_agents : {false, true}) {
    auto yaml = [&](unsigned seed) {
      return with_agents ? ts::agents_yaml("s", kCatalogue, 8, 60, seed)
                         : ts::exogenous_yaml("s", 40, 60, seed);
    };
    const auto a = parse(yaml(7), dir, "a.yaml"), b = parse(yaml(7), dir, "b.yaml"),
               c = parse(yaml(8), dir, "c.yaml");
    run_to_file(a, dir / "a.h5", 2, 3);
    run_to_file(b, dir / "b.h5", 1, 64);
    run_to_file(c, dir / "c.h5", 2, 3);
    const auto da = datasets(dir / "a.h5", a), db = datasets(dir / "b.h5", b),
               dc = datasets(dir / "c.h5", c);
    expect_same_bytes(da, db, with_agents ? "agents, same seed" : "exogenous, same seed");
    for (const char* series : {sc::kSeriesPriceUsd, sc::kSeriesFeeBtcPerBlock, sc::kSeriesBlocks,
                               sc::kSeriesNetworkHashrateThs}) {
      const std::string name = sc::paths_dataset(series);
      const auto va = da.at(name).values(), vc = dc.at(name).values();
      ASSERT_EQ(va.size(), vc.size());
      // Day 0 holds the start conditions (equal); every path differs on later days.
      std::size_t differ = 0;
      for (std::size_t i = 0; i < va.size(); ++i) differ += va[i] != vc[i];
      EXPECT_GT(differ, va.size() / 2) << name << (with_agents ? " (agents)" : "");
    }
  }
}

TEST(Runner, RunPathsGivesTheFileRowsOfTheSamePaths) {
  TempDir dir;
  const auto s = parse(ts::agents_yaml("agents", kCatalogue, 12, 50, 3), dir);
  run_to_file(s, dir / "full.h5", 2, 5);
  const auto full = datasets(dir / "full.h5", s);
  const auto specs = sim::output_specs(s);
  sim::RunOptions o;
  o.threads = 2;
  o.block_paths = 2;
  std::uint64_t next = 7;
  std::vector<std::vector<double>> got(specs.size());
  sim::run_paths(s, 7, 5, o,
                 [&](std::uint64_t first, std::uint64_t n, const std::vector<const double*>& data) {
                   EXPECT_EQ(first, next);  // serial, in path order
                   next += n;
                   for (std::size_t k = 0; k < specs.size(); ++k)
                     got[k].insert(got[k].end(), data[k], data[k] + n * specs[k].per_path_size());
                 });
  EXPECT_EQ(next, 12u);
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const auto all = full.at(specs[k].name).values();
    const std::size_t per = specs[k].per_path_size();
    const std::vector<double> rows(all.begin() + static_cast<std::ptrdiff_t>(7 * per),
                                   all.begin() + static_cast<std::ptrdiff_t>(12 * per));
    EXPECT_EQ(rows, got[k]) << specs[k].name;
  }
}

TEST(ResultsFile, RoundTripShapesAttributesAndSummaries) {
  TempDir dir;
  const std::string yaml = ts::agents_yaml("rt", kCatalogue, 37, 45, 99);
  const auto s = parse(yaml, dir);
  run_to_file(s, dir / "rt.h5", 2, 8);

  h5::Handle f = h5::open_file_readonly((dir / "rt.h5").string());
  EXPECT_EQ(h5::get_string_attr(f.get(), sc::kAttrGitSha).value_or(""), std::string(kGitSha));
  EXPECT_FALSE(h5::get_string_attr(f.get(), sc::kAttrGitSha).value_or("").empty());
  const std::string created = h5::get_string_attr(f.get(), sc::kAttrCreatedUtc).value_or("");
  EXPECT_TRUE(std::regex_match(created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << created;
  EXPECT_EQ(h5::get_int_attr(f.get(), sc::kAttrSchemaVersion).value_or(-1), io::kSchemaVersion);

  h5::Handle g = h5::open_group(f.get(), sc::scenario_group("rt"));
  EXPECT_EQ(h5::get_string_attr(g.get(), sc::kAttrScenarioText).value_or(""), yaml);
  EXPECT_EQ(h5::get_string_attr(g.get(), sc::kAttrScenarioSha256).value_or(""), sha256_hex(yaml));
  EXPECT_EQ(sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // FIPS 180-2
  EXPECT_EQ(h5::get_int_attr(g.get(), sc::kAttrSeed).value_or(-1), 99);
  EXPECT_EQ(h5::get_int_attr(g.get(), sc::kAttrNPaths).value_or(-1), 37);
  EXPECT_EQ(h5::get_int_attr(g.get(), sc::kAttrNDays).value_or(-1), 45);
  EXPECT_EQ(h5::get_string_attr(g.get(), sc::kAttrStartDate).value_or(""), "2026-06-13");
  EXPECT_EQ(h5::get_int_attr(g.get(), sc::kAttrComplete).value_or(0), 1);

  const auto d = datasets(dir / "rt.h5", s);
  // 11 machines x 2 strategies x 3 tariff bands + 2 observers.
  const std::uint64_t n_agents = 11 * 2 * 3 + 2;
  const std::string fleet_value = ts::field_dataset(sc::Fleet::ValueUsd),
                    machines_on = ts::field_dataset(sc::ArchetypeSeries::MachinesOn);
  EXPECT_EQ(d.at(sc::paths_dataset(sc::kSeriesPriceUsd)).shape,
            (std::vector<std::uint64_t>{37, 45}));
  EXPECT_EQ(d.at(ts::field_dataset(sc::ArchetypeFinal::Usd)).shape,
            (std::vector<std::uint64_t>{37, n_agents}));
  EXPECT_EQ(d.at(fleet_value).shape, (std::vector<std::uint64_t>{37, 2, 45}));
  EXPECT_EQ(d.at(machines_on).shape,
            (std::vector<std::uint64_t>{37, n_agents, 5}));  // days 0,10,..,40
  EXPECT_EQ(d.at(sc::summary_dataset(sc::kSeriesPriceUsd, sc::kStatP50)).shape,
            (std::vector<std::uint64_t>{45}));
  EXPECT_EQ(d.at(sc::summary_dataset(fleet_value, sc::kStatP95)).shape,
            (std::vector<std::uint64_t>{2, 45}));
  EXPECT_EQ(d.count(sc::summary_dataset(machines_on, sc::kStatMean)), 0u);  // not summarized
  EXPECT_EQ(d.at(sc::kDimDay).shape, (std::vector<std::uint64_t>{45}));

  // Summaries against numpy-style statistics recomputed from the per-path data.
  for (const std::string& series :
       {sc::paths_dataset(sc::kSeriesPriceUsd), sc::paths_dataset(sc::kSeriesHashpriceUsd),
        fleet_value, ts::field_dataset(sc::ArchetypeFinal::Btc)}) {
    const auto& data = d.at(series);
    const auto v = data.values();
    const std::uint64_t n = data.shape[0];
    const std::uint64_t cols = v.size() / n;
    const auto mean = d.at(sc::summary_dataset(series, sc::kStatMean)).values(),
               se = d.at(sc::summary_dataset(series, sc::kStatStderr)).values();
    const std::pair<const char*, double> qs[] = {{sc::kStatP5, 0.05},
                                                 {sc::kStatP25, 0.25},
                                                 {sc::kStatP50, 0.5},
                                                 {sc::kStatP75, 0.75},
                                                 {sc::kStatP95, 0.95}};
    ASSERT_EQ(mean.size(), cols) << series;
    for (std::uint64_t c = 0; c < cols; ++c) {
      std::vector<double> col(n);
      for (std::uint64_t p = 0; p < n; ++p) col[p] = v[p * cols + c];
      double m = 0.0;
      for (double x : col) m += x;
      m /= static_cast<double>(n);
      double ss = 0.0;
      for (double x : col) ss += (x - m) * (x - m);
      const double tol = 1e-12 * (std::fabs(m) + 1e-300);
      EXPECT_NEAR(mean[c], m, tol) << series << " col " << c;
      EXPECT_NEAR(se[c], std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n)),
                  1e-10 * (std::sqrt(ss) + 1e-300))
          << series << " col " << c;
      for (const auto& [q, level] : qs)
        EXPECT_DOUBLE_EQ(d.at(sc::summary_dataset(series, q)).values()[c],
                         numpy_linear_quantile(col, level))
            << series << " " << q << " col " << c;
    }
  }
}

TEST(ResultsFile, RecordEveryKDaysKeepsDays0KAnd2K) {
  TempDir dir;
  const auto s = parse(ts::exogenous_yaml("every", 5, 30, 1, 7), dir);
  run_to_file(s, dir / "e.h5", 1, 64);
  const auto d = datasets(dir / "e.h5", s);
  EXPECT_EQ(d.at(sc::paths_dataset(sc::kSeriesPriceUsd)).shape,
            (std::vector<std::uint64_t>{5, 5}));  // days 0, 7, 14, 21, 28
  EXPECT_EQ(d.at(sc::kDimDay).values(), (std::vector<double>{0, 7, 14, 21, 28}));
}

TEST(ResultsFile, FailedRunLeavesNeitherTargetNorPartial) {
  TempDir dir;
  // A price replay covering 10 days for a 30-day horizon.
  std::string csv = "day,price_usd\n";
  for (int dd = 0; dd < 10; ++dd)
    csv += std::to_string(dd) + "," + std::to_string(100000 + dd) + "\n";
  ts::write_text(dir / "short.csv", csv);
  std::string yaml = ts::exogenous_yaml("short", 4, 30, 1);
  const std::string gbm =
      "price:\n  model: gbm\n  drift_per_year: 0.1\n  vol_per_sqrt_year: 0.6\n"
      "  jumps: {intensity_per_year: 4, log_mean: -0.1, log_sd: 0.15}\n";
  ASSERT_NE(yaml.find(gbm), std::string::npos);
  yaml.replace(yaml.find(gbm), gbm.size(),
               "price:\n  model: replay\n  replay: {file: short.csv}\n");
  const auto s = parse(yaml, dir);
  const auto target = dir / "out.h5";
  const auto partial = dir / "out.h5.partial";
  {
    io::ResultsFile f(target, "runner_test");
    io::ScenarioWriter& w = f.begin_scenario(s, sim::output_specs(s));
    EXPECT_TRUE(std::filesystem::exists(partial));  // written as .partial while running
    EXPECT_FALSE(std::filesystem::exists(target));
    try {
      sim::run_scenario(s, w, {});
      ADD_FAILURE() << "a replay file too short must make the run throw";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("short.csv"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("too short"), std::string::npos) << e.what();
    }
  }  // ~ResultsFile removes the partial file
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_FALSE(std::filesystem::exists(partial));
}

TEST(ResultsFile, RunKilledMidwayLeavesOnlyThePartialFile) {
  TempDir dir;
  // Big enough to run for minutes: it is killed as soon as its .partial file appears.
  ts::write_text(dir / "big.yaml", ts::exogenous_yaml("big", 1'000'000, 3650, 5));
  const auto target = dir / "big.h5";
  const auto partial = dir / "big.h5.partial";
  ASSERT_TRUE(std::filesystem::exists(ts::kHashsim)) << ts::kHashsim;
  const pid_t pid =
      ts::spawn_hashsim({"-q", "run", (dir / "big.yaml").string(), "-o", target.string(),
                         "--threads", "1", "--no-progress", "--no-space-check"},
                        dir / "big.log");
  ASSERT_GE(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(partial) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // some blocks in flight
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended by itself before it was killed";
  EXPECT_TRUE(std::filesystem::exists(partial));
  EXPECT_FALSE(std::filesystem::exists(target));
}
