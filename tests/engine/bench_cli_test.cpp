// `hashsim bench`: the shape of its table and JSON (README "Comparing machines"). Timings are
// never asserted here (benchmarks measure speed); only that every field is there and consistent.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/engine/test_support.h"

namespace ts = hashsim::test_support;

namespace {
using ts::kHashsim;
const std::string kBase = (ts::kSourceDir / "scenarios/base.yaml").string();

// stdout of a command and its exit code.
std::pair<std::string, int> run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int rc = ::pclose(p);
  return {out, WIFEXITED(rc) ? WEXITSTATUS(rc) : -1};
}
}  // namespace

TEST(BenchCli, JsonHasTheWorkloadMachineAndOneResultPerThreadCount) {
  const auto [out, rc] =
      run(kHashsim + " bench --scenario " + kBase + " --paths 2 --days 10 --max-threads 3 --json");
  ASSERT_EQ(rc, 0) << out;
  const auto j = nlohmann::json::parse(out);
  for (const char* key : {"hashsim_version", "scenario", "paths", "days", "agents", "cpu_model",
                          "hardware_threads", "simd_bits_compiled", "lanes",
                          "cpu_vector_extensions", "build_flags", "mpi_ranks", "results"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["scenario"], "base");
  EXPECT_EQ(j["paths"], 2);
  EXPECT_EQ(j["days"], 10);
  EXPECT_EQ(j["agents"], 154);  // scenarios/base.yaml: 11 machines x 2 strategies x 7 bands
  EXPECT_EQ(j["mpi_ranks"], 1);
  EXPECT_TRUE(j["lanes"] == 1 || j["lanes"] == 4);  // the build's default: 4 with AVX, else 1
  EXPECT_TRUE(j["simd_bits_compiled"] == 128 || j["simd_bits_compiled"] == 256 ||
              j["simd_bits_compiled"] == 512);
  const auto& r = j["results"];
  ASSERT_EQ(r.size(), 3u);  // 1, 2, then the maximum 3
  const int expected_threads[] = {1, 2, 3};
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i]["threads"], expected_threads[i]);
    const double wall = r[i]["wall_s"], pd = r[i]["path_days_per_s"], ad = r[i]["agent_days_per_s"];
    EXPECT_GT(wall, 0.0);
    EXPECT_NEAR(pd * wall, 2.0 * 10.0, 1e-6 * pd * wall);  // paths x days per wall second
    EXPECT_NEAR(ad, pd * 154.0, 1e-9 * ad);
    EXPECT_NEAR(static_cast<double>(r[i]["efficiency"]),
                static_cast<double>(r[i]["speedup"]) / expected_threads[i], 1e-12);
    EXPECT_GT(static_cast<double>(r[i]["peak_rss_mib"]), 0.0);
  }
  EXPECT_DOUBLE_EQ(static_cast<double>(r[0]["speedup"]), 1.0);
}

TEST(BenchCli, TableNamesTheColumns) {
  const auto [out, rc] =
      run(kHashsim + " bench --scenario " + kBase + " --paths 1 --days 5 --max-threads 1");
  ASSERT_EQ(rc, 0) << out;
  for (const char* word : {"cpu:", "simd:", "build:", "workload:", "agent-days/s", "path-days/s",
                           "efficiency", "peak MiB"})
    EXPECT_NE(out.find(word), std::string::npos) << word << " missing in:\n" << out;
}

TEST(BenchCli, BadFlagsAreUsageErrors) {
  EXPECT_EQ(run(kHashsim + " bench --max-threads 0 2>/dev/null").second, 2);
  EXPECT_EQ(run(kHashsim + " bench --paths -3 2>/dev/null").second, 2);
  EXPECT_EQ(run(kHashsim + " bench --scenario /nonexistent.yaml 2>/dev/null").second, 2);
  EXPECT_EQ(run(kHashsim + " bench --lanes 3 2>/dev/null").second, 2);
  EXPECT_EQ(run(kHashsim + " run " + kBase + " --lanes 8 2>/dev/null").second, 2);
}

TEST(BenchCli, DefaultPathsGiveEveryThreadTwoBlocks) {
  // 8 threads x 2 blocks x 4 paths = 64 > 32; 2 threads keep the standard 32.
  const auto [wide, rc_wide] =
      run(kHashsim + " bench --scenario " + kBase + " --days 1 --max-threads 8 --lanes 1 --json");
  ASSERT_EQ(rc_wide, 0) << wide;
  EXPECT_EQ(nlohmann::json::parse(wide)["paths"], 64);
  const auto [narrow, rc_narrow] =
      run(kHashsim + " bench --scenario " + kBase + " --days 1 --max-threads 2 --lanes 1 --json");
  ASSERT_EQ(rc_narrow, 0) << narrow;
  EXPECT_EQ(nlohmann::json::parse(narrow)["paths"], 32);
}

TEST(BenchCli, LanesFlagSetsThePathsPerAgentsStep) {
  const auto [out, rc] = run(kHashsim + " bench --scenario " + kBase +
                             " --paths 2 --days 5 --max-threads 1 --lanes 1 --json");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(nlohmann::json::parse(out)["lanes"], 1);
}
