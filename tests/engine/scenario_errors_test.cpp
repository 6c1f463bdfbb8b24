// Scenario and sweep validation messages (DESIGN.md 5, "validate at the boundary, with
// context"): each names the file and line, the dotted key, the value and the allowed range, and
// the CLI turns them into a non-zero exit with the message and no output file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <regex>

#include "engine/scenario/scenario.h"
#include "engine/scenario/sweep.h"
#include "engine/util/error.h"
#include "tests/engine/scenarios.h"
#include "tests/engine/test_support.h"

using namespace hashsim;
using hashsim::test_support::TempDir;
namespace ts = hashsim::test_support;

namespace {
std::string base_yaml() { return ts::exogenous_yaml("base", 10, 30, 7); }

// 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  if (at == std::string::npos) throw std::runtime_error("no '" + needle + "' in the test YAML");
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("no '" + from + "' in the test YAML");
  return text.replace(at, from.size(), to);
}

// Loading `yaml` written as dir/bad.yaml.
std::string load_error(const TempDir& dir, const std::string& yaml) {
  ts::write_text(dir / "bad.yaml", yaml);
  return ts::error_of([&] { scenario::load_scenario(dir / "bad.yaml"); }, yaml);
}

// Loading a sweep over dir/base.yaml.
std::string sweep_error(const TempDir& dir, const std::string& sweep_yaml) {
  ts::write_text(dir / "base.yaml", base_yaml());
  ts::write_text(dir / "sweep.yaml", sweep_yaml);
  return ts::error_of([&] { scenario::load_sweep(dir / "sweep.yaml"); }, sweep_yaml);
}

int exit_code(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

const std::string kHashsim = (ts::kBinaryDir / "tools/hashsim/hashsim").string();
}  // namespace

TEST(ScenarioErrors, TheBaseScenarioIsValid) {
  TempDir dir;
  ts::write_text(dir / "ok.yaml", base_yaml());
  const auto s = scenario::load_scenario(dir / "ok.yaml");
  EXPECT_EQ(s.name, "base");
  EXPECT_EQ(s.paths, 10);
  EXPECT_EQ(s.horizon_days, 30);
  EXPECT_DOUBLE_EQ(s.price.gbm.vol_per_sqrt_year, 0.6);
  EXPECT_EQ(s.chain.arrivals, chain::BlockArrivals::Poisson);
}

TEST(ScenarioErrors, SyntaxErrorNamesFileAndLine) {
  TempDir dir;
  const std::string yaml = replaced(base_yaml(), "  ar1_phi: 0.7\n", "  ar1_phi: [0.7\n");
  const std::string msg = load_error(dir, yaml);
  const std::string file = (dir / "bad.yaml").string();
  EXPECT_TRUE(std::regex_search(msg, std::regex(std::regex_replace(file, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                                                R"(:\d+:\d+: YAML syntax error)")))
      << msg;
  const int line = std::stoi(msg.substr(file.size() + 1));
  EXPECT_GE(line, line_of(yaml, "ar1_phi")) << msg;  // at or after the unclosed list
}

TEST(ScenarioErrors, UnknownKeyIsATypoGuard) {
  TempDir dir;
  const std::string yaml = replaced(base_yaml(), "  ar1_phi: 0.7", "  ar1_phy: 0.7");
  const std::string msg = load_error(dir, yaml);
  EXPECT_NE(msg.find((dir / "bad.yaml").string() + ":" + std::to_string(line_of(yaml, "ar1_phy")) +
                     ": unknown key fees.ar1_phy"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("ar1_phi"), std::string::npos) << "should list the allowed keys: " << msg;
}

TEST(ScenarioErrors, TypoInARequiredKeyReportsTheMissingKey) {
  TempDir dir;
  const std::string msg = load_error(dir, replaced(base_yaml(), "vol_per_sqrt_year: 0.6", "vol_per_sqrt_yaer: 0.6"));
  EXPECT_NE(msg.find("missing required key price.vol_per_sqrt_year"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[0, 5]"), std::string::npos) << msg;
}

TEST(ScenarioErrors, WrongTypeNamesKeyValueAndExpectedType) {
  TempDir dir;
  {
    const std::string yaml = replaced(base_yaml(), "paths: 10", "paths: many");
    const std::string msg = load_error(dir, yaml);
    EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "paths:")) + ": paths = many is not an integer"),
              std::string::npos)
        << msg;
  }
  {
    const std::string msg = load_error(dir, replaced(base_yaml(), "  block_arrivals: poisson\n",
                                                     "  block_arrivals: poisson\n  halvings: maybe\n"));
    EXPECT_NE(msg.find("chain.halvings = maybe is not a boolean"), std::string::npos) << msg;
  }
  {
    const std::string msg = load_error(dir, replaced(base_yaml(), "  vol_per_sqrt_year: 0.6", "  vol_per_sqrt_year: [0.6]"));
    EXPECT_NE(msg.find("price.vol_per_sqrt_year = a list is not a number"), std::string::npos) << msg;
  }
  {
    const std::string msg = load_error(dir, replaced(base_yaml(), "  block_arrivals: poisson", "  block_arrivals: random"));
    EXPECT_NE(msg.find("chain.block_arrivals = random is not one of: expected, poisson"), std::string::npos) << msg;
  }
}

TEST(ScenarioErrors, OutOfRangeValueNamesFileLineKeyValueAndRange) {
  TempDir dir;
  const std::string yaml = replaced(base_yaml(), "  vol_per_sqrt_year: 0.6", "  vol_per_sqrt_year: -0.3");
  const std::string msg = load_error(dir, yaml);
  const std::string expected = (dir / "bad.yaml").string() + ":" + std::to_string(line_of(yaml, "vol_per_sqrt_year: -0.3")) +
                               ": price.vol_per_sqrt_year = -0.3 is not in [0, 5]";
  EXPECT_EQ(msg, expected);
  const std::string msg2 = load_error(dir, replaced(base_yaml(), "horizon_days: 30", "horizon_days: 40000"));
  EXPECT_NE(msg2.find("horizon_days = 40000 is not in [1, 36500]"), std::string::npos) << msg2;
}

TEST(ScenarioErrors, MissingRequiredKeyOrSection) {
  TempDir dir;
  const std::string msg = load_error(dir, replaced(base_yaml(), "seed: 7\n", ""));
  EXPECT_NE(msg.find("bad.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing required key seed"), std::string::npos) << msg;
  const std::string yaml = base_yaml();
  const auto from = yaml.find("fees:\n"), to = yaml.find("chain:\n");
  const std::string msg2 = load_error(dir, yaml.substr(0, from) + yaml.substr(to));
  EXPECT_NE(msg2.find("missing required section fees"), std::string::npos) << msg2;
}

TEST(ScenarioErrors, UnreadableFileIsNamed) {
  TempDir dir;
  for (const auto& p : {dir / "absent.yaml", dir.path()}) {
    try {
      scenario::load_scenario(p);
      ADD_FAILURE() << "no error for " << p;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(p.string() + ": cannot read scenario file"), std::string::npos) << e.what();
    }
  }
  ts::write_text(dir / "empty.yaml", "");
  EXPECT_NE(load_error(dir, "").find("is empty"), std::string::npos);
}

TEST(SweepErrors, GridKeyWithATypoIsReportedWithTheSweepFile) {
  TempDir dir;
  const std::string msg =
      sweep_error(dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  price.vol_per_sqrt_yaer: [0.4, 0.8]\n");
  EXPECT_NE(msg.find("unknown key price.vol_per_sqrt_yaer"), std::string::npos) << msg;
  EXPECT_NE(msg.find((dir / "sweep.yaml").string()), std::string::npos) << msg;
}

TEST(SweepErrors, GridKeyThroughAScalarIsAnError) {
  TempDir dir;
  const std::string msg = sweep_error(dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  seed.value: [1, 2]\n");
  EXPECT_NE(msg.find("seed.value"), std::string::npos) << msg;
  EXPECT_NE(msg.find((dir / "sweep.yaml").string()), std::string::npos) << msg;
}

TEST(SweepErrors, GridValueOutOfRangeNamesKeyValueRangeAndGridPoint) {
  TempDir dir;
  const std::string msg =
      sweep_error(dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  price.vol_per_sqrt_year: [0.4, -1]\n");
  EXPECT_NE(msg.find("price.vol_per_sqrt_year = -1 is not in [0, 5]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("with sweep grid point price.vol_per_sqrt_year=-1"), std::string::npos) << msg;
}

TEST(SweepErrors, GridValuesMustBeAList) {
  TempDir dir;
  const std::string msg = sweep_error(dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  price.vol_per_sqrt_year: 0.4\n");
  EXPECT_NE(msg.find("sweep.yaml:4: grid.price.vol_per_sqrt_year must be a non-empty list"), std::string::npos) << msg;
}

TEST(Cli, BadScenarioExitsNonZeroWithTheMessageAndNoOutput) {
  TempDir dir;
  ts::write_text(dir / "bad.yaml", replaced(base_yaml(), "  vol_per_sqrt_year: 0.6", "  vol_per_sqrt_year: -0.3"));
  const auto out = dir / "out.h5";
  const int rc = exit_code(kHashsim + " run " + (dir / "bad.yaml").string() + " -o " + out.string() +
                           " --no-progress > " + (dir / "stdout.txt").string() + " 2> " + (dir / "stderr.txt").string());
  EXPECT_NE(rc, 0);
  const std::string err = ts::read_text(dir / "stderr.txt");
  EXPECT_NE(err.find("hashsim: error: "), std::string::npos) << err;
  EXPECT_NE(err.find("bad.yaml:"), std::string::npos) << err;
  EXPECT_NE(err.find("price.vol_per_sqrt_year = -0.3 is not in [0, 5]"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out.string() + ".partial"));
}

TEST(Cli, FailureDuringTheRunExitsNonZeroAndLeavesNoFile) {
  TempDir dir;
  ts::write_text(dir / "short.csv", "day,price_usd\n0,100000\n1,100100\n");
  ts::write_text(dir / "short.yaml",
                 replaced(base_yaml(), "price:\n  model: gbm\n  drift_per_year: 0.1\n  vol_per_sqrt_year: 0.6\n"
                                       "  jumps: {intensity_per_year: 4, log_mean: -0.1, log_sd: 0.15}\n",
                          "price:\n  model: replay\n  replay: {file: short.csv}\n"));
  const auto out = dir / "out.h5";
  const int rc = exit_code(kHashsim + " run " + (dir / "short.yaml").string() + " -o " + out.string() +
                           " --no-progress > /dev/null 2> " + (dir / "stderr.txt").string());
  EXPECT_NE(rc, 0);
  const std::string err = ts::read_text(dir / "stderr.txt");
  EXPECT_NE(err.find("short.csv"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out.string() + ".partial"));
}

TEST(Cli, GoodScenarioExitsZeroAndWritesTheFile) {
  TempDir dir;
  ts::write_text(dir / "ok.yaml", base_yaml());
  const auto out = dir / "ok.h5";
  const int rc = exit_code(kHashsim + " -q run " + (dir / "ok.yaml").string() + " -o " + out.string() +
                           " --no-progress --no-summary > /dev/null 2>&1");
  EXPECT_EQ(rc, 0);
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out.string() + ".partial"));
}
