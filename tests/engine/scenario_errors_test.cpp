// Scenario and sweep validation messages (DESIGN.md 5, "validate at the boundary, with
// context"): each names the file and line, the dotted key, the value and the allowed range, and
// the CLI turns them into a non-zero exit with the message and no output file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <regex>

#include "engine/scenario/scenario.h"
#include "engine/scenario/sweep.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"
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
  return 1 + static_cast<int>(
                 std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
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

using ts::exit_code;
using ts::kHashsim;
}  // namespace

// A name with a control character is rejected with the value escaped on one line (a raw newline
// in the message broke the "file:line: key" format; found by InputFuzz).
TEST(ScenarioErrors, ANameWithANewlineIsQuotedEscaped) {
  TempDir dir;
  const std::string msg = load_error(dir, replaced(base_yaml(), "name: base", "name: \"ba\\nse\""));
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_NE(msg.find("'ba\\nse'"), std::string::npos) << msg;
  const std::string long_msg = load_error(
      dir, replaced(base_yaml(), "name: base", "name: \"" + std::string(150, 'x') + "\\n\""));
  EXPECT_EQ(long_msg.find('\n'), std::string::npos) << long_msg;
  EXPECT_EQ(long_msg.find(std::string(81, 'x')), std::string::npos) << long_msg;
}

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
  EXPECT_TRUE(std::regex_search(
      msg, std::regex(std::regex_replace(file, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
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
  const std::string msg =
      load_error(dir, replaced(base_yaml(), "vol_per_sqrt_year: 0.6", "vol_per_sqrt_yaer: 0.6"));
  EXPECT_NE(msg.find("missing required key price.vol_per_sqrt_year"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[0, 5]"), std::string::npos) << msg;
}

TEST(ScenarioErrors, WrongTypeNamesKeyValueAndExpectedType) {
  TempDir dir;
  {
    const std::string yaml = replaced(base_yaml(), "paths: 10", "paths: many");
    const std::string msg = load_error(dir, yaml);
    EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "paths:")) +
                       ": paths = many is not an integer"),
              std::string::npos)
        << msg;
  }
  {
    const std::string msg =
        load_error(dir, replaced(base_yaml(), "  block_arrivals: poisson\n",
                                 "  block_arrivals: poisson\n  halvings: maybe\n"));
    EXPECT_NE(msg.find("chain.halvings = maybe is not a boolean"), std::string::npos) << msg;
  }
  {
    const std::string msg = load_error(
        dir, replaced(base_yaml(), "  vol_per_sqrt_year: 0.6", "  vol_per_sqrt_year: [0.6]"));
    EXPECT_NE(msg.find("price.vol_per_sqrt_year = a list is not a number"), std::string::npos)
        << msg;
  }
  {
    const std::string msg = load_error(
        dir, replaced(base_yaml(), "  block_arrivals: poisson", "  block_arrivals: random"));
    EXPECT_NE(msg.find("chain.block_arrivals = random is not one of: expected, poisson"),
              std::string::npos)
        << msg;
  }
}

TEST(ScenarioErrors, OutOfRangeValueNamesFileLineKeyValueAndRange) {
  TempDir dir;
  const std::string yaml =
      replaced(base_yaml(), "  vol_per_sqrt_year: 0.6", "  vol_per_sqrt_year: -0.3");
  const std::string msg = load_error(dir, yaml);
  const std::string expected = (dir / "bad.yaml").string() + ":" +
                               std::to_string(line_of(yaml, "vol_per_sqrt_year: -0.3")) +
                               ": price.vol_per_sqrt_year = -0.3 is not in [0, 5]";
  EXPECT_EQ(msg, expected);
  const std::string msg2 =
      load_error(dir, replaced(base_yaml(), "horizon_days: 30", "horizon_days: 40000"));
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
      EXPECT_NE(std::string(e.what()).find(p.string() + ": cannot read scenario file"),
                std::string::npos)
          << e.what();
    }
  }
  ts::write_text(dir / "empty.yaml", "");
  EXPECT_NE(load_error(dir, "").find("is empty"), std::string::npos);
}

TEST(SweepErrors, GridKeyWithATypoIsReportedWithTheSweepFile) {
  TempDir dir;
  const std::string msg = sweep_error(
      dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  price.vol_per_sqrt_yaer: [0.4, 0.8]\n");
  EXPECT_NE(msg.find("unknown key price.vol_per_sqrt_yaer"), std::string::npos) << msg;
  EXPECT_NE(msg.find((dir / "sweep.yaml").string()), std::string::npos) << msg;
}

TEST(SweepErrors, GridKeyThroughAScalarIsAnError) {
  TempDir dir;
  const std::string msg =
      sweep_error(dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  seed.value: [1, 2]\n");
  EXPECT_NE(msg.find("seed.value"), std::string::npos) << msg;
  EXPECT_NE(msg.find((dir / "sweep.yaml").string()), std::string::npos) << msg;
}

TEST(SweepErrors, GridValueOutOfRangeNamesKeyValueRangeAndGridPoint) {
  TempDir dir;
  const std::string msg = sweep_error(
      dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  price.vol_per_sqrt_year: [0.4, -1]\n");
  EXPECT_NE(msg.find("price.vol_per_sqrt_year = -1 is not in [0, 5]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("with sweep grid point price.vol_per_sqrt_year=-1"), std::string::npos) << msg;
}

TEST(SweepErrors, GridValuesMustBeAList) {
  TempDir dir;
  const std::string msg =
      sweep_error(dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  price.vol_per_sqrt_year: 0.4\n");
  EXPECT_NE(msg.find("sweep.yaml:4: grid.price.vol_per_sqrt_year must be a non-empty list"),
            std::string::npos)
      << msg;
}

TEST(Cli, BadScenarioExitsNonZeroWithTheMessageAndNoOutput) {
  TempDir dir;
  ts::write_text(dir / "bad.yaml",
                 replaced(base_yaml(), "  vol_per_sqrt_year: 0.6", "  vol_per_sqrt_year: -0.3"));
  const auto out = dir / "out.h5";
  const int rc = exit_code(kHashsim + " run " + (dir / "bad.yaml").string() + " -o " +
                           out.string() + " --no-progress > " + (dir / "stdout.txt").string() +
                           " 2> " + (dir / "stderr.txt").string());
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
                 replaced(base_yaml(),
                          "price:\n  model: gbm\n  drift_per_year: 0.1\n  vol_per_sqrt_year: 0.6\n"
                          "  jumps: {intensity_per_year: 4, log_mean: -0.1, log_sd: 0.15}\n",
                          "price:\n  model: replay\n  replay: {file: short.csv}\n"));
  const auto out = dir / "out.h5";
  const int rc =
      exit_code(kHashsim + " run " + (dir / "short.yaml").string() + " -o " + out.string() +
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
  const int rc = exit_code(kHashsim + " -q run " + (dir / "ok.yaml").string() + " -o " +
                           out.string() + " --no-progress --no-summary > /dev/null 2>&1");
  EXPECT_EQ(rc, 0);
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out.string() + ".partial"));
}

// ---- YAML rules (issue 17 item 7): one document, no duplicate keys, core-schema scalars, dates.

TEST(YamlRules, DuplicateKeyIsAnErrorNamingBothLines) {
  TempDir dir;
  {
    const std::string yaml = base_yaml() + "seed: 8\n";
    const std::string msg = load_error(dir, yaml);
    const int second = 1 + static_cast<int>(std::count(yaml.begin(), yaml.end(), '\n')) - 1;
    EXPECT_NE(msg.find("bad.yaml:" + std::to_string(second) +
                       ": duplicate key seed (first given at line " +
                       std::to_string(line_of(yaml, "seed: 7")) + ")"),
              std::string::npos)
        << msg;
  }
  {  // nested, in flow style too
    const std::string yaml = replaced(base_yaml(), "  jumps: {intensity_per_year: 4,",
                                      "  jumps: {intensity_per_year: 4, intensity_per_year: 5,");
    const std::string msg = load_error(dir, yaml);
    EXPECT_NE(msg.find("duplicate key price.jumps.intensity_per_year"), std::string::npos) << msg;
  }
}

TEST(YamlRules, ASecondDocumentIsAnError) {
  TempDir dir;
  const std::string yaml = base_yaml() + "---\nname: other\n";
  const std::string msg = load_error(dir, yaml);
  EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "name: other")) +
                     ": a second YAML document starts here (the first starts at line 1)"),
            std::string::npos)
      << msg;
  // An empty second document (a stray '---' at the end) too; a leading '---' and a final '...' are
  // fine.
  const std::string stray = base_yaml() + "---\n";
  EXPECT_NE(
      load_error(dir, stray)
          .find("bad.yaml:" + std::to_string(line_of(stray, "---")) + ": a second YAML document"),
      std::string::npos)
      << load_error(dir, stray);
  ts::write_text(dir / "ok.yaml", "---\n" + base_yaml() + "...\n");
  EXPECT_EQ(scenario::load_scenario(dir / "ok.yaml").name, "base");
}

TEST(YamlRules, IntegersFollowTheYaml12CoreSchema) {
  TempDir dir;
  const auto load_with = [&](const std::string& from, const std::string& to) {
    ts::write_text(dir / "ok.yaml", replaced(base_yaml(), from, to));
    return scenario::load_scenario(dir / "ok.yaml");
  };
  // Core schema integers: decimal, 0o octal, 0x hexadecimal (so 0x10 is 16, as the spec says).
  EXPECT_EQ(load_with("seed: 7", "seed: 0x10").seed, 16u);
  EXPECT_EQ(load_with("seed: 7", "seed: 0o20").seed, 16u);
  EXPECT_EQ(load_with("seed: 7", "seed: +12").seed, 12u);
  // A float with an exact integral value stands for that integer.
  EXPECT_EQ(load_with("paths: 10", "paths: 1e3").paths, 1000);
  EXPECT_EQ(load_with("paths: 10", "paths: 20.0").paths, 20);
  const struct {
    std::string value, message;
  } bad[] = {
      {"1e-400", "seed = 1e-400 is outside the range of a double"},  // was read as 0
      {"2.5", "seed = 2.5 is not an integer"},
      {"1e-3", "seed = 1e-3 is not an integer"},
      {"\"7\"", "seed = \"7\" is a quoted string, not an integer"},
      {"-1", "seed = -1 is not in [0, 9223372036854775807]"},
      {"9223372036854775808", "seed = 9223372036854775808 is not in [0, 9223372036854775807]"},
      {"1e19", "seed = 1e19 is not in [0, 9223372036854775807]"},
      {"0x", "seed = 0x is not an integer"},
      {"0x-1", "seed = 0x-1 is not an integer"},
      {"0b101", "seed = 0b101 is not an integer"},
      {"1_000", "seed = 1_000 is not an integer"},
      {".inf", "seed = .inf is not an integer"},
  };
  for (const auto& b : bad) {
    const std::string yaml = replaced(base_yaml(), "seed: 7", "seed: " + b.value);
    const std::string msg = load_error(dir, yaml);
    EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "seed:")) + ": " + b.message),
              std::string::npos)
        << b.value << ": " << msg;
  }
}

TEST(YamlRules, FloatsAndBooleansFollowTheYaml12CoreSchema) {
  TempDir dir;
  const auto vol = [&](const std::string& v) {
    ts::write_text(dir / "ok.yaml",
                   replaced(base_yaml(), "  vol_per_sqrt_year: 0.6", "  vol_per_sqrt_year: " + v));
    return scenario::load_scenario(dir / "ok.yaml").price.gbm.vol_per_sqrt_year;
  };
  EXPECT_DOUBLE_EQ(vol(".5"), 0.5);
  EXPECT_DOUBLE_EQ(vol("5e-1"), 0.5);
  EXPECT_DOUBLE_EQ(vol("1."), 1.0);
  EXPECT_DOUBLE_EQ(vol("0x1"), 1.0);  // a core-schema integer is a number
  const struct {
    std::string value, message;
  } bad[] = {
      {"0x1p-1", "= 0x1p-1 is not a number"},  // a C hex float, not YAML
      {"1e-400", "= 1e-400 is outside the range of a double"},
      {"1e400", "= 1e400 is outside the range of a double"},
      {".nan", "= .nan is not a finite number"},
      {".inf", "= .inf is not a finite number"},
      {"inf", "= inf is not a number"},
      {"\"0.6\"", "= \"0.6\" is a quoted string, not a number"},
      {"0.6 # ok", ""},  // a comment is not part of the value
  };
  for (const auto& b : bad) {
    const std::string yaml =
        replaced(base_yaml(), "  vol_per_sqrt_year: 0.6", "  vol_per_sqrt_year: " + b.value);
    if (b.message.empty()) {
      EXPECT_DOUBLE_EQ(vol(b.value), 0.6);
      continue;
    }
    const std::string msg = load_error(dir, yaml);
    EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "  vol_per_sqrt_year:")) +
                       ": price.vol_per_sqrt_year " + b.message),
              std::string::npos)
        << b.value << ": " << msg;
  }
  const auto halvings = [&](const std::string& v) {
    ts::write_text(dir / "ok.yaml", replaced(base_yaml(), "  block_arrivals: poisson\n",
                                             "  block_arrivals: poisson\n  halvings: " + v + "\n"));
    return scenario::load_scenario(dir / "ok.yaml").chain.halvings;
  };
  EXPECT_FALSE(halvings("false"));
  EXPECT_FALSE(halvings("FALSE"));
  EXPECT_TRUE(halvings("True"));
  for (const std::string v : {"yes", "no", "on", "off", "\"true\"", "1"}) {
    const std::string msg =
        load_error(dir, replaced(base_yaml(), "  block_arrivals: poisson\n",
                                 "  block_arrivals: poisson\n  halvings: " + v + "\n"));
    EXPECT_NE(msg.find("chain.halvings = " + v + " is not a boolean (allowed: true, false)"),
              std::string::npos)
        << v << ": " << msg;
  }
}

TEST(YamlRules, StartDatesAreCalendarDaysFromTheGenesisBlock) {
  TempDir dir;
  ts::write_text(dir / "ok.yaml", replaced(base_yaml(), "date: 2026-06-13", "date: 2009-01-03"));
  EXPECT_EQ(scenario::load_scenario(dir / "ok.yaml").start.date, "2009-01-03");
  const struct {
    std::string value, message;
  } bad[] = {
      {"2009-01-02",
       "= 2009-01-02 is out of range (allowed: a date YYYY-MM-DD from 2009-01-03 to 2200-12-31)"},
      {"2009-01-01", "= 2009-01-01 is out of range"},
      {"2201-01-01", "= 2201-01-01 is out of range"},
      {"2026-02-30", "= 2026-02-30 is not a calendar date"},
      {"2025-02-29", "= 2025-02-29 is not a calendar date"},
      {"2026-13-01", "= 2026-13-01 is not a calendar date"},
      {"2026-6-13", "= 2026-6-13 is not a date YYYY-MM-DD"},
      {"2026-06-1x", "= 2026-06-1x is not a date YYYY-MM-DD"},
      {"2026-06-13T00:00:00Z", "= 2026-06-13T00:00:00Z is not a date YYYY-MM-DD"},
  };
  for (const auto& b : bad) {
    const std::string yaml = replaced(base_yaml(), "date: 2026-06-13", "date: " + b.value);
    const std::string msg = load_error(dir, yaml);
    EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "date:")) + ": start.date " +
                       b.message),
              std::string::npos)
        << b.value << ": " << msg;
  }
  ts::write_text(dir / "leap.yaml", replaced(base_yaml(), "date: 2026-06-13", "date: 2024-02-29"));
  EXPECT_EQ(scenario::load_scenario(dir / "leap.yaml").start.date, "2024-02-29");
}

// ---- Messages name file, line and key, and quote at most ~80 characters (issue 16 item 20).

TEST(InputErrors, AHugeValueIsQuotedShort) {
  TempDir dir;
  const std::string garbage(1'000'000, 'x');
  const std::string yaml = replaced(base_yaml(), "paths: 10", "paths: " + garbage);
  const std::string msg = load_error(dir, yaml);
  EXPECT_LT(msg.size(), 300u) << msg.substr(0, 400);
  EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "paths:")) +
                     ": paths = " + std::string(80, 'x') + "... (1000000 bytes) is not an integer"),
            std::string::npos)
      << msg.substr(0, 400);
  // A long unknown key (YAML allows 1024 characters in an implicit key) and a long text value in a
  // choice.
  const std::string msg2 = load_error(dir, base_yaml() + std::string(1000, 'k') + ": 1\n");
  EXPECT_LT(msg2.size(), 600u) << msg2.substr(0, 700);
  EXPECT_NE(msg2.find("unknown key " + std::string(80, 'k') + "... (1000 bytes)"),
            std::string::npos)
      << msg2.substr(0, 700);
  const std::string msg3 = load_error(
      dir, replaced(base_yaml(), "block_arrivals: poisson", "block_arrivals: " + garbage));
  EXPECT_LT(msg3.size(), 300u) << msg3.substr(0, 400);
}

TEST(InputErrors, TextThatIsNotUtf8OrHasControlCharactersIsRejectedWithItsPosition) {
  TempDir dir;
  {
    const std::string yaml = replaced(base_yaml(), "description: exogenous",
                                      "description: ex\xff"
                                      "ogenous");
    const std::string msg = load_error(dir, yaml);
    EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "description:")) +
                       ":16: the byte \\xFF is not UTF-8"),
              std::string::npos)
        << msg;
  }
  {
    const std::string msg = load_error(dir, replaced(base_yaml(), "name: base", "name: ba\x01se"));
    EXPECT_NE(msg.find("bad.yaml:1:9: the control character U+0001 is not allowed"),
              std::string::npos)
        << msg;
  }
  // UTF-8 text is fine, with or without a byte order mark.
  ts::write_text(dir / "ok.yaml",
                 "\xEF\xBB\xBF" + replaced(base_yaml(), "description: exogenous",
                                           "description: \xC3\xA9xog\xE2\x82\xAC"));
  EXPECT_EQ(scenario::load_scenario(dir / "ok.yaml").description.substr(0, 2), "\xC3\xA9");
}

TEST(InputErrors, RecursiveAliasIsAnError) {
  TempDir dir;
  const std::string msg = load_error(dir, base_yaml() + "loop: &a [*a]\n");
  EXPECT_NE(msg.find("bad.yaml:"), std::string::npos) << msg;
}

TEST(InputErrors, UnknownObserverMachineNamesFileLineAndKey) {
  TempDir dir;
  const std::string catalogue = (ts::kSourceDir / "data/machines/current_2026.csv").string();
  const std::string yaml = replaced(ts::agents_yaml("ag", catalogue, 10, 30, 7),
                                    "{machine: Antminer S21,", "{machine: S99 Ultra,");
  const std::string msg = load_error(dir, yaml);
  EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "S99 Ultra")) +
                     ": agents.observers[0].machine = S99 Ultra is not in the catalogue"),
            std::string::npos)
      << msg;
}

TEST(InputErrors, AbsentSectionsNameTheirParentsLine) {
  TempDir dir;
  // network.model: replay without network.replay: the line of the network mapping, never line 0.
  const std::string yaml = replaced(
      base_yaml(), "  model: exogenous\n  growth_per_year: 0.3\n  vol_per_sqrt_year: 0.2\n",
      "  model: replay\n");
  const std::string msg = load_error(dir, yaml);
  EXPECT_NE(msg.find("bad.yaml:" + std::to_string(line_of(yaml, "  model: replay")) +
                     ": missing required section network.replay"),
            std::string::npos)
      << msg;
}

// ---- Sweeps (issue 16 items 21 and 24).

TEST(SweepErrors, GridSetsAKeyTheScenarioLeavesAtItsDefault) {
  TempDir dir;
  // scenarios/exogenous-hashrate.yaml has no chain: section; the grid must create it.
  ts::write_text(dir / "sweep.yaml",
                 "name: sw\nscenarios: [" +
                     (ts::kSourceDir / "scenarios/exogenous-hashrate.yaml").string() +
                     "]\ngrid:\n  chain.block_arrivals: [expected, poisson]\n"
                     "  network.growth_per_year: [0.1, 0.2]\n");
  const auto sw = scenario::load_sweep(dir / "sweep.yaml");
  ASSERT_EQ(sw.scenarios.size(), 4u);
  EXPECT_EQ(sw.scenarios[0].chain.arrivals, chain::BlockArrivals::Expected);
  EXPECT_EQ(sw.scenarios[1].chain.arrivals, chain::BlockArrivals::Poisson);
  EXPECT_DOUBLE_EQ(sw.scenarios[2].network.growth_per_year, 0.2);
  EXPECT_EQ(sw.scenarios[3].name,
            "exogenous-hashrate[chain.block_arrivals=poisson,network.growth_per_year=0.2]");
  // A whole new section, and a deeper one.
  ts::write_text(dir / "base.yaml",
                 replaced(base_yaml(), "chain:\n  block_arrivals: poisson\n", ""));
  ts::write_text(dir / "sweep2.yaml",
                 "name: sw\nscenarios: [base.yaml]\ngrid:\n  chain.halvings: [false]\n"
                 "  price.jumps.log_sd: [0.3]\n");
  const auto sw2 = scenario::load_sweep(dir / "sweep2.yaml");
  ASSERT_EQ(sw2.scenarios.size(), 1u);
  EXPECT_FALSE(sw2.scenarios[0].chain.halvings);
  EXPECT_DOUBLE_EQ(sw2.scenarios[0].price.gbm.jumps.log_sd, 0.3);
}

TEST(SweepErrors, ErrorsInGridValuesNameTheSweepFileAndLine) {
  TempDir dir;
  const std::string sweep =
      "name: sw\nscenarios: [base.yaml]\ngrid:\n  network.growth_per_year: [0.1]\n"
      "  chain.halvings:\n    - true\n    - maybe\n";
  const std::string msg = sweep_error(dir, sweep);
  EXPECT_EQ(
      msg.rfind((dir / "sweep.yaml").string() + ":7: chain.halvings = maybe is not a boolean", 0),
      0u)
      << msg;
  // A key the grid adds: the grid key's line.
  const std::string msg2 =
      sweep_error(dir, "name: sw\nscenarios: [base.yaml]\ngrid:\n  chain.halving: [true]\n");
  EXPECT_EQ(msg2.rfind((dir / "sweep.yaml").string() + ":4: unknown key chain.halving", 0), 0u)
      << msg2;
  // A grid value inside a section the grid created.
  ts::write_text(dir / "nochain.yaml",
                 replaced(base_yaml(), "chain:\n  block_arrivals: poisson\n", ""));
  ts::write_text(dir / "sweep3.yaml",
                 "name: sw\nscenarios: [nochain.yaml]\ngrid:\n  chain.block_arrivals: [often]\n");
  const std::string msg3 =
      ts::error_of([&] { scenario::load_sweep(dir / "sweep3.yaml"); }, "sweep3");
  EXPECT_EQ(
      msg3.rfind((dir / "sweep3.yaml").string() + ":4: chain.block_arrivals = often is not one of",
                 0),
      0u)
      << msg3;
}

TEST(SweepErrors, OverlappingGridKeysAreAnError) {
  TempDir dir;
  const std::string msg =
      sweep_error(dir,
                  "name: sw\nscenarios: [base.yaml]\ngrid:\n  price.jumps: [{log_sd: 0.1}]\n"
                  "  price.jumps.log_sd: [0.2]\n");
  EXPECT_NE(msg.find("sweep.yaml:5: grid.price.jumps.log_sd lies inside grid.price.jumps (line 4)"),
            std::string::npos)
      << msg;
}

TEST(SweepErrors, DuplicateGridKeyNamesBothLines) {
  TempDir dir;
  const std::string msg =
      sweep_error(dir,
                  "name: sw\nscenarios: [base.yaml]\ngrid:\n  price.drift_per_year: [0.1]\n"
                  "  price.drift_per_year: [0.2]\n");
  EXPECT_NE(
      msg.find("sweep.yaml:5: duplicate key grid.price.drift_per_year (first given at line 4)"),
      std::string::npos)
      << msg;
}

TEST(Cli, SweepSummaryTablePrintsWholeVariantNames) {
  TempDir dir;
  ts::write_text(dir / "base.yaml", base_yaml());
  ts::write_text(
      dir / "sweep.yaml",
      "name: sw\nscenarios: [base.yaml]\npaths: 2\nhorizon_days: 5\n"
      "grid:\n  network.growth_per_year: [0.1, 0.2]\n  chain.difficulty_adjustment: [true]\n");
  const auto out = dir / "sw.h5";
  const int rc =
      exit_code(kHashsim + " -q sweep " + (dir / "sweep.yaml").string() + " -o " + out.string() +
                " --no-progress > " + (dir / "stdout.txt").string() + " 2>&1");
  const std::string text = ts::read_text(dir / "stdout.txt");
  ASSERT_EQ(rc, 0) << text;
  // Names longer than the old 44-character column, differing only at the end.
  for (const char* g : {"0.1", "0.2"})
    EXPECT_NE(text.find("base[network.growth_per_year=" + std::string(g) +
                        ",chain.difficulty_adjustment=true] "),
              std::string::npos)
        << text;
}

// ---- Option errors (issue 10 item 6): libraries name values by key; the CLI maps keys to flags.
TEST(OptionErrors, TheLibraryNamesTheValueByKeyNotByFlag) {
  TempDir dir;
  ts::write_text(dir / "ok.yaml", base_yaml());
  scenario::Overrides ov;
  ov.paths = 0;
  const std::string msg =
      ts::error_of([&] { scenario::load_scenario(dir / "ok.yaml", ov); }, "paths: 0");
  EXPECT_NE(msg.find("paths 0 is not in [1, "), std::string::npos) << msg;
  EXPECT_EQ(msg.find("--"), std::string::npos) << msg;
}

TEST(OptionErrors, AFrontEndRendersEachKeyWithItsOwnName) {
  const OptionError e("{from} = 2024-05-31 is after {to} = 2024-01-01 {not a key} {}");
  EXPECT_STREQ(e.what(), "from = 2024-05-31 is after to = 2024-01-01 {not a key} {}");
  EXPECT_EQ(e.rendered([](std::string_view key) { return "--" + std::string(key); }),
            "--from = 2024-05-31 is after --to = 2024-01-01 {not a key} {}");
}

TEST(Cli, AnOptionErrorNamesTheCommandsFlag) {
  TempDir dir;
  ts::write_text(dir / "ok.yaml", base_yaml());
  const auto out = dir / "ok.h5";
  ts::write_text(out, "already here");
  const int rc =
      exit_code(kHashsim + " -q run " + (dir / "ok.yaml").string() + " -o " + out.string() +
                " --no-progress > /dev/null 2> " + (dir / "stderr.txt").string());
  EXPECT_EQ(rc, 1);
  const std::string err = ts::read_text(dir / "stderr.txt");
  EXPECT_NE(err.find("already exists; pass --force to replace it"), std::string::npos) << err;
}
