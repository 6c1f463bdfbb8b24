// Golden regression test: pins the exact output of small runs so that a refactor, a speed-up or a
// model change cannot alter results silently. Pinned:
//   1. the default profile on the shipped base, bull and bear scenarios (16 paths x 1825 days,
//   which
//      crosses the 2028 halving): SHA-256 of every dataset's shape and bytes, plus its mean;
//   2. an exogenous-hashrate scenario that draws from every random stream (GBM + jumps, AR(1) fees,
//      Poisson blocks, hashrate noise);
//   3. the five reference-2021 reproductions (errors and final hashrate, to the last bit);
//   4. `hashsim site` on scenarios/site-default.yaml over the run of 1 (every number of its JSON
//      summary, the numbers an independent oracle reproduced to 1e-12).
// A change that is meant to move results updates the golden file on purpose, with the reason in
// the commit message:  HASHSIM_UPDATE_GOLDEN=1 build/tests/golden/golden_tests
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "engine/io/results_file.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/reference_check.h"
#include "engine/sim/runner.h"
#include "engine/site/site_output.h"
#include "engine/util/sha256.h"
#include "tests/engine/scenarios.h"
#include "tests/engine/test_support.h"

using namespace hashsim;
namespace ts = hashsim::test_support;
namespace fs = std::filesystem;

namespace {

const fs::path kGoldenFile = ts::kSourceDir / "tests/golden/golden.txt";

std::string exact(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void run_into(io::ResultsFile& f, const scenario::Scenario& s) {
  io::ScenarioWriter& w = f.begin_scenario(s, sim::output_specs(s));
  sim::RunOptions o;
  o.threads = 2;
  sim::run_scenario(s, w, o);
}

// One line per dataset: name, shape, SHA-256 of the bytes, mean of the values (numeric only).
void describe_datasets(const fs::path& file, const std::string& scenario,
                       std::vector<std::string>& lines) {
  for (const auto& [name, d] : ts::read_all_datasets(file, io::schema::scenario_group(scenario))) {
    std::ostringstream line;
    line << "results " << scenario << "/" << name << " shape=";
    for (std::size_t i = 0; i < d.shape.size(); ++i) line << (i ? "x" : "") << d.shape[i];
    line << " sha256=" << sha256_hex(d.bytes);
    if (!d.shape.empty()) {
      const auto v = d.values();
      double sum = 0.0;
      for (double x : v) sum += x;
      line << " mean=" << exact(v.empty() ? 0.0 : sum / static_cast<double>(v.size()));
    }
    lines.push_back(line.str());
  }
}

// Every number (and string) of a JSON document as "prefix.key = value", skipping what records the
// run rather than the result (file names, command line, times).
void flatten(const nlohmann::json& j, const std::string& prefix, std::vector<std::string>& lines) {
  static const std::vector<std::string> kRunSpecific{
      "command_line",    "results_file", "created_utc", "generated_utc",
      "hashsim_version", "git_sha",      "site_file",   "file"};
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (std::find(kRunSpecific.begin(), kRunSpecific.end(), k) != kRunSpecific.end()) continue;
      flatten(v, prefix + "." + k, lines);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      flatten(j[i], prefix + "[" + std::to_string(i) + "]", lines);
  } else if (j.is_number_float()) {
    lines.push_back(prefix + " = " + exact(j.get<double>()));
  } else {
    // A path inside the checkout records where it is, not the result: pin it relative to the
    // source.
    std::string text = j.dump();
    const std::string root = ts::kSourceDir.string();
    for (std::size_t p; (p = text.find(root)) != std::string::npos;)
      text.replace(p, root.size(), "<source>");
    lines.push_back(prefix + " = " + text);
  }
}

std::vector<std::string> golden_lines() {
  ts::TempDir dir;
  std::vector<std::string> lines;

  // 1. Default profile on the shipped scenarios.
  const fs::path results = dir / "default.h5";
  {
    io::ResultsFile f(results, "golden_test");
    for (const char* name : {"base", "bull", "bear"}) {
      scenario::Overrides o;
      o.paths = 16;
      o.days = 1825;
      run_into(f, scenario::load_scenario(
                      ts::kSourceDir / "scenarios" / (std::string(name) + ".yaml"), o));
    }
    f.commit();
  }
  for (const char* name : {"base", "bull", "bear"}) describe_datasets(results, name, lines);

  // 2. Every random stream, exogenous network.
  const fs::path exo = dir / "exogenous.h5";
  {
    io::ResultsFile f(exo, "golden_test");
    ts::write_text(dir / "exo.yaml", ts::exogenous_yaml("exo", 8, 400, 7));
    run_into(f, scenario::load_scenario(dir / "exo.yaml"));
    f.commit();
  }
  describe_datasets(exo, "exo", lines);

  // 3. reference-2021.
  for (const auto& name : sim::reference_2021_scenarios()) {
    const auto r =
        sim::check_reference_2021(ts::kSourceDir / "scenarios/reference-2021" / (name + ".yaml"),
                                  ts::kSourceDir / "data/reference-2021", 2);
    lines.push_back("reference-2021 " + name +
                    " max_hashrate_rel_error=" + exact(r.max_hashrate_rel_error) +
                    " max_fleet_rel_error=" + exact(r.max_fleet_rel_error) +
                    " final_hashrate_ths=" + exact(r.final_hashrate_ths));
  }

  // 4. The default site over run 1, at 0.04 instead of its 0.06 per kWh: at 0.06 no miner is
  // viable over these 16 paths (equilibrium machine prices, issue 15), and the golden is to pin
  // the cash flows, fleet and metrics of a site that is built.
  const fs::path site_yaml = ts::kSourceDir / "scenarios/site-default.yaml";
  std::ifstream in(site_yaml);
  std::stringstream text;
  text << in.rdbuf();
  std::string site_text = text.str();
  const std::string price_key = "power_price_per_kwh: 0.06 ";
  const std::size_t at = site_text.find(price_key);
  if (at == std::string::npos)
    throw std::runtime_error("golden: site-default.yaml has no '" + price_key + "'");
  site_text.replace(at, price_key.size(), "power_price_per_kwh: 0.04 ");
  const site::SiteRun run =
      site::run_site(site::parse_site_config(site_text, site_yaml), results, {});
  flatten(site::summary_json(run), "site", lines);
  return lines;
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] != '#') out.push_back(l);
  return out;
}

TEST(Golden, SmallDefaultProfileReferenceAndSiteRunsAreUnchanged) {
  const auto actual = golden_lines();
  if (const char* u = std::getenv("HASHSIM_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream out(kGoldenFile);
    out << "# Written by tests/golden/golden_test.cpp (HASHSIM_UPDATE_GOLDEN=1); see the header "
           "there.\n";
    for (const auto& l : actual) out << l << "\n";
    GTEST_SKIP() << "golden file rewritten: " << kGoldenFile;
  }
  const auto expected = read_lines(kGoldenFile);
  ASSERT_FALSE(expected.empty()) << "no golden file at " << kGoldenFile;
  const fs::path written = fs::path(HASHSIM_BINARY_DIR) / "golden_actual.txt";
  {
    std::ofstream out(written);
    for (const auto& l : actual) out << l << "\n";
  }
  std::size_t differing = 0;
  for (std::size_t i = 0; i < std::max(actual.size(), expected.size()); ++i) {
    const std::string a = i < actual.size() ? actual[i] : "(missing)";
    const std::string e = i < expected.size() ? expected[i] : "(missing)";
    if (a != e && ++differing <= 20)
      ADD_FAILURE() << "golden line " << i + 1 << "\n  expected: " << e << "\n  actual:   " << a;
  }
  EXPECT_EQ(differing, 0u) << "lines differ; the whole actual output is in " << written
                           << " (diff it against " << kGoldenFile << ")";
}

}  // namespace
