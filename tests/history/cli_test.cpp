// The hashsim executable: exit status and messages of calibrate / backtest.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "engine/util/atomic_file.h"
#include "tests/engine/test_basics.h"

namespace {

namespace ts = hashsim::test_support;
using ts::CliRun;
using ts::TempDir;

// hashsim `args` from the source tree; the log is the test's own (a TempDir each).
CliRun run_hashsim(const TempDir& dir, const std::string& args) {
  return ts::run_hashsim(args, dir / "hashsim.log");
}

// Runs hashsim with `dir` as the working directory (no data/ there), after `env` (e.g. "X=1").
CliRun run_hashsim_outside(const TempDir& dir, const std::string& env, const std::string& args) {
  const auto log = dir / "outside.log";
  CliRun r;
  r.status = ts::exit_code("cd '" + dir.path().string() + "' && env -u HASHSIM_DATA_DIR " + env +
                           " '" + ts::kHashsim + "' " + args + " > '" + log.string() + "' 2>&1");
  r.out = ts::read_text(log);
  return r;
}

}  // namespace

TEST(HistoryCli, CalibrateWritesTheYamlFragment) {
  const TempDir dir;
  const auto yaml = dir / "fit.yaml";
  const CliRun r =
      run_hashsim(dir, "calibrate --from 2023-01-01 --to 2023-12-31 -o '" + yaml.string() + "'");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("vol_per_sqrt_year (sigma)"), std::string::npos) << r.out;
  const std::string text = hashsim::read_file(yaml);
  EXPECT_NE(text.find("over 2023-01-01..2023-12-31"), std::string::npos);
  EXPECT_NE(text.find("median_btc_per_block:"), std::string::npos);
}

TEST(HistoryCli, BacktestWritesCsvAndHdf5) {
  const TempDir dir;
  const CliRun r =
      run_hashsim(dir,
                  "backtest --from 2022-12-01 --to 2022-12-31 --machine 'S19 Pro' --mw 1 "
                  "--tariff-usd-per-kwh 0.05 --capex-usd 100000 -o '" +
                      (dir / "bt.csv").string() + "' --h5 '" + (dir / "bt.h5").string() + "'");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 MW = 307 x Bitmain Antminer S19 Pro"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "bt.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "bt.h5"));
}

TEST(HistoryCli, BadInputExitsNonZeroWithAMessage) {
  struct Case {
    std::string args, message;
  };
  const Case cases[] = {
      {"backtest --machine 'S99 Ultra' --mw 1", "--machine = 'S99 Ultra': unknown machine"},
      {"backtest --to 2030-01-01", "to = 2030-01-01 is after the data"},
      {"calibrate --from 2020-07-28 --to 2020-08-05", "price fit needs at least 30 daily returns"},
      {"calibrate --data no/such/file.csv", "no/such/file.csv: data file not found"},
      {"backtest --hashrate-ths 100",
       "an explicit machine needs both --hashrate-ths and --power-w"},
      {"backtest --machine 'S19 Pro' --mw -1", "--mw = -1 must be > 0"},
      {"backtest --hashrate-method pace", "--hashrate-method = 'pace' is not one of"},
  };
  const TempDir dir;
  for (const auto& c : cases) {
    const CliRun r = run_hashsim(dir, c.args);
    EXPECT_EQ(r.status, 1) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find("hashsim: error: " + c.message), std::string::npos) << c.args << "\n"
                                                                             << r.out;
  }
}

TEST(HistoryCli, ValidatePrintsErrorsPerHorizonAndWritesTheSeries) {
  const TempDir dir;
  const auto csv = dir / "validate.csv";
  const CliRun r = run_hashsim(
      dir, "validate --from 2024-06-01 --days 200 --paths 2 --threads 1 -o '" + csv.string() + "'");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* s : {"30 d", "90 d", "180 d", "all (199 d)", "median |e|", "bias mean e"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  const std::string text = hashsim::read_file(csv);
  EXPECT_EQ(text.rfind(
                "date,price_usd,actual_network_hashrate_ths,simulated_network_hashrate_ths_p5,", 0),
            0u);
  const CliRun bad =
      run_hashsim(dir, "validate --from 2024-06-01 --scenario scenarios/exogenous-hashrate.yaml");
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find("network.model: agents"), std::string::npos) << bad.out;
}

// No source-tree path is compiled in: the shipped data is found beside the executable (here the
// build folder inside the checkout), whatever the working directory.
TEST(HistoryCli, FindsTheShippedDataFromAnyWorkingDirectory) {
  TempDir dir;
  const CliRun r = run_hashsim_outside(
      dir, "", "backtest --from 2022-12-01 --to 2022-12-31 --machine 'S19 Pro' --mw 1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("Antminer S19 Pro"), std::string::npos) << r.out;
}

TEST(HistoryCli, DataDirVariableOverridesWhereTheDataIsFound) {
  TempDir dir;
  std::filesystem::create_directories(dir / "elsewhere/history");
  const CliRun r =
      run_hashsim_outside(dir, "HASHSIM_DATA_DIR='" + (dir / "elsewhere").string() + "'",
                          "backtest --from 2022-12-01 --to 2022-12-31");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find((dir / "elsewhere/history/btc_daily_2020_2026_obm.csv").string()),
            std::string::npos)
      << r.out;
}
