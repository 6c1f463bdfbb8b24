// Hostile YAML input (issue 16 item 20, issue 17 item 7): a fuzz corpus of mutated scenario, sweep
// and site files. Every mutant either loads, or fails with a hashsim::Error that names the file and
// a line (1-based), fits on one line and quotes no value longer than ~80 characters; no library
// exception (yaml-cpp, nlohmann-json, std::) escapes, nothing crashes or hangs.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "engine/scenario/scenario.h"
#include "engine/scenario/sweep.h"
#include "engine/site/site_config.h"
#include "engine/util/error.h"
#include "tests/engine/test_support.h"

using namespace hashsim;
namespace fs = std::filesystem;
namespace ts = hashsim::test_support;

namespace {

// splitmix64: a fixed, platform-independent stream, so the corpus is the same on every machine.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b < text.size()) {
    const std::size_t e = text.find('\n', b);
    out.push_back(text.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

// Values a user (or a damaged file) might put where a number, date, name or section belongs.
std::vector<std::string> hostile_values() {
  return {"",
          "~",
          "null",
          "[]",
          "{}",
          "-1",
          "0",
          "1e400",
          "1e-400",
          "0x10",
          "0o7",
          "0x1p3",
          ".nan",
          ".inf",
          "-.inf",
          "\"12\"",
          "'0.5'",
          "yes",
          "no",
          "TRUE",
          "2026-02-30",
          "2009-01-02",
          "2200-12-31",
          "2026-6-1",
          "[1, [2]]",
          "{a: 1}",
          "{a: 1, a: 2}",
          "\xff\xfe",
          "caf\xc3\xa9",
          "\xe2\x82",
          "*nowhere",
          "&a [*a]",
          "!!binary AAAA",
          "!!int 5",
          "!!str 5",
          "S99 Ultra",
          "Antminer S21",
          "../../etc/passwd",
          "\x01",
          "'unterminated",
          "\"unterminated",
          "{",
          "[",
          "- x",
          "? a",
          "|\n  block\n  text",
          ">-",
          "@",
          "`",
          "9223372036854775808",
          "18446744073709551616",
          "1_000",
          "0b101",
          "+.5",
          "1.",
          "-0",
          "%YAML 1.2",
          std::string(10000, 'x'),
          std::string(300, '9'),
          "\"" + std::string(2000, 'y') + "\"",
          "a: b: c",
          "reference-2021",
          "replay",
          "agents",
          "poisson",
          "gbm",
          "USD",
          "EUR",
          "base",
          "\t1"};
}

// One to three random edits of `text`.
std::string mutate(const std::string& text, Rng& rng) {
  static const std::vector<std::string> values = hostile_values();
  std::vector<std::string> lines = lines_of(text);
  const std::size_t edits = 1 + rng.below(3);
  for (std::size_t k = 0; k < edits && !lines.empty(); ++k) {
    const std::size_t i = rng.below(lines.size());
    switch (rng.below(10)) {
      case 0:
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      case 1:
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i), lines[i]);
        break;  // duplicate key
      case 2:
      case 3:
      case 4: {  // replace a value
        const auto colon = lines[i].find(": ");
        const std::string& v = values[rng.below(values.size())];
        if (colon != std::string::npos)
          lines[i] = lines[i].substr(0, colon + 2) + v;
        else
          lines[i] += v;
        break;
      }
      case 5:
        std::swap(lines[i], lines[rng.below(lines.size())]);
        break;
      case 6:
        lines[i] = (rng.below(2) ? "  " + lines[i]
                                 : lines[i].substr(std::min<std::size_t>(2, lines[i].size())));
        break;
      case 7: {
        static const char* inserts[] = {"---",
                                        "...",
                                        "bogus_key: 1",
                                        "name: twice",
                                        "  nested: 1",
                                        "- item",
                                        "chain: {block_arrivals: poisson}",
                                        "grid: {price.drift_per_year: [0.1]}",
                                        "%TAG ! tag:x,2000:",
                                        "# comment"};
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i),
                     inserts[rng.below(std::size(inserts))]);
        break;
      }
      case 8: {  // one byte changed
        if (lines[i].empty()) break;
        lines[i][rng.below(lines[i].size())] = static_cast<char>(rng.below(256));
        break;
      }
      case 9: {  // truncate the file here
        lines.resize(i + 1);
        lines[i] = lines[i].substr(0, rng.below(lines[i].size() + 1));
        break;
      }
    }
  }
  return joined(lines);
}

std::string escaped(const std::string& s) {
  return std::regex_replace(s, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
}

struct Tally {
  int loaded = 0, errors = 0;
};

// Runs `load` on a mutant and checks the outcome; `files` are the files an error may name.
template <class Load>
void check_mutant(Load load, const std::string& mutant, const std::vector<std::string>& files,
                  Tally& tally) {
  std::string what;
  try {
    load();
    ++tally.loaded;
    return;
  } catch (const Error& e) {
    what = e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "a non-hashsim exception escaped: " << e.what() << "\nmutant:\n"
                  << mutant.substr(0, 2000);
    return;
  }
  ++tally.errors;
  std::string alternatives;
  for (const auto& f : files) alternatives += (alternatives.empty() ? "" : "|") + escaped(f);
  // file:line: ... (line >= 1), or file:line:col: for text and syntax errors, or a whole-file
  // message ("the scenario file is empty").
  static const std::regex empty_file(R"(: the (scenario|sweep|site) file is empty$)");
  const std::regex located("^(" + alternatives + "):[1-9][0-9]*:");
  const bool ok = std::regex_search(what, located) ||
                  (std::regex_search(what, empty_file) &&
                   std::regex_search(what, std::regex("^(" + alternatives + ")")));
  EXPECT_TRUE(ok) << "message does not name the file and line: " << what.substr(0, 500)
                  << "\nmutant:\n"
                  << mutant.substr(0, 2000);
  EXPECT_EQ(what.find('\n'), std::string::npos) << what.substr(0, 500);
  // ~80 characters of any value, plus the key, the file name and lists of allowed keys/machines.
  EXPECT_LT(what.size(), 1500u) << what.substr(0, 2000);
}

const int kMutantsPerFile = [] {
  const char* n = std::getenv("HASHSIM_FUZZ_MUTANTS");
  return n ? std::atoi(n) : 150;
}();

}  // namespace

TEST(InputFuzz, MutatedScenarioFilesGiveLocatedErrors) {
  std::vector<fs::path> files;
  for (const auto& dir :
       {ts::kSourceDir / "scenarios", ts::kSourceDir / "scenarios/reference-2021"})
    for (const auto& e : fs::directory_iterator(dir))
      // Scenarios only: sweeps (*-sweep.yaml, e.g. volatility-sweep.yaml) and the site file are
      // other formats.
      if (const std::string name = e.path().filename().string(); e.path().extension() == ".yaml" &&
                                                                 !name.ends_with("-sweep.yaml") &&
                                                                 name != "site-default.yaml")
        files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 10u);
  Rng rng{17};
  Tally t;
  for (const auto& f : files) {
    const std::string text = ts::read_text(f);
    ASSERT_NO_THROW(scenario::parse_scenario(text, f)) << f;  // the originals are valid
    for (int k = 0; k < kMutantsPerFile; ++k) {
      const std::string m = mutate(text, rng);
      // Parsed under the original's name, so relative paths (catalogues, replays) still resolve.
      check_mutant([&] { scenario::parse_scenario(m, f); }, m, {f.string()}, t);
    }
  }
  std::printf("scenario mutants: %d loaded, %d rejected\n", t.loaded, t.errors);
  EXPECT_GT(t.errors, t.loaded / 4);  // the corpus does exercise the error paths
}

TEST(InputFuzz, MutatedSweepFilesGiveLocatedErrors) {
  // A scratch copy of scenarios/ (the sweep names its scenarios relative to itself) next to a
  // link to data/ (the scenarios' catalogues).
  ts::TempDir tmp;
  fs::create_directories(tmp / "scenarios");
  for (const auto& e : fs::directory_iterator(ts::kSourceDir / "scenarios"))
    if (e.path().extension() == ".yaml")
      fs::copy_file(e.path(), tmp / ("scenarios/" + e.path().filename().string()));
  fs::create_directory_symlink(ts::kSourceDir / "data", tmp / "data");
  const fs::path sweep = tmp / "scenarios/sweep.yaml";
  const std::string text =
      ts::read_text(ts::kSourceDir / "scenarios/default-sweep.yaml") +
      "grid:\n  price.vol_per_sqrt_year: [0.4, 0.8]\n  chain.block_arrivals: [expected]\n"
      "paths: 10\nhorizon_days: 30\nseed: 3\n";
  ts::write_text(sweep, text);
  ASSERT_NO_THROW(scenario::load_sweep(sweep));
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(tmp / "scenarios"))
    files.push_back(e.path().string());
  Rng rng{16};
  Tally t;
  for (int k = 0; k < 2 * kMutantsPerFile; ++k) {
    const std::string m = mutate(text, rng);
    ts::write_text(sweep, m);
    check_mutant([&] { scenario::load_sweep(sweep); }, m, files, t);
  }
  std::printf("sweep mutants: %d loaded, %d rejected\n", t.loaded, t.errors);
  EXPECT_GT(t.errors, 0);
}

TEST(InputFuzz, MutatedSiteFilesGiveLocatedErrors) {
  const fs::path f = ts::kSourceDir / "scenarios/site-default.yaml";
  const std::string text = ts::read_text(f);
  ASSERT_NO_THROW(site::parse_site_config(text, f));
  Rng rng{20};
  Tally t;
  for (int k = 0; k < 3 * kMutantsPerFile; ++k) {
    const std::string m = mutate(text, rng);
    check_mutant([&] { site::parse_site_config(m, f); }, m, {f.string()}, t);
  }
  std::printf("site mutants: %d loaded, %d rejected\n", t.loaded, t.errors);
  EXPECT_GT(t.errors, 0);
}

TEST(SiteInput, UnknownChosenMinerNamesFileAndLine) {
  const fs::path f = ts::kSourceDir / "scenarios/site-default.yaml";
  const std::string yaml =
      "site_power_kw: 100\npower_price_per_kwh: 0.05\nminers:\n  choose: S99 Ultra\n";
  const std::string msg = ts::error_of([&] { site::parse_site_config(yaml, f); }, yaml);
  EXPECT_EQ(
      msg.rfind(f.string() + ":4: miners.choose = S99 Ultra is not among the miners offered", 0),
      0u)
      << msg;
  const std::string inline_yaml =
      "site_power_kw: 100\npower_price_per_kwh: 0.05\nminers:\n  list:\n"
      "    - {name: A, hashrate_ths: 100, power_w: 3000, price: 1000}\n  choose: B\n";
  const std::string msg2 =
      ts::error_of([&] { site::parse_site_config(inline_yaml, f); }, inline_yaml);
  EXPECT_EQ(msg2.rfind(f.string() + ":6: miners.choose = B is not among the miners offered (A)", 0),
            0u)
      << msg2;
}

TEST(SiteInput, TextThatIsNotUtf8IsRejectedBeforeItReachesTheJsonSummary) {
  // nlohmann-json throws type_error.316 when it dumps invalid UTF-8 (the site name goes into the
  // JSON summary); the reader stops it at the door with the position.
  const fs::path f = "site.yaml";
  const std::string yaml = "name: caf\xe9\nsite_power_kw: 100\npower_price_per_kwh: 0.05\n";
  const std::string msg = ts::error_of([&] { site::parse_site_config(yaml, f); }, yaml);
  EXPECT_EQ(msg, "site.yaml:1:10: the byte \\xE9 is not UTF-8 text (YAML files must be UTF-8)");
}

TEST(SiteInput, DuplicateKeysAndSecondDocumentsAreErrors) {
  const fs::path f = "site.yaml";
  const std::string dup = "site_power_kw: 100\npower_price_per_kwh: 0.05\nsite_power_kw: 200\n";
  EXPECT_EQ(ts::error_of([&] { site::parse_site_config(dup, f); }, dup),
            "site.yaml:3: duplicate key site_power_kw (first given at line 1); a key may appear "
            "once in a mapping");
  const std::string two =
      "site_power_kw: 100\npower_price_per_kwh: 0.05\n---\nsite_power_kw: 200\n";
  EXPECT_NE(ts::error_of([&] { site::parse_site_config(two, f); }, two)
                .find("site.yaml:4: a second YAML document"),
            std::string::npos);
}
