// engine/io/schema.h: the slot enums name the datasets the layout declares, every dataset of a
// results file has named dimensions and CF units, the provenance is on the root, and the schema
// check accepts the versions it can read (1 to 3) and nothing else (issue 10 item 2, issue 13 item
// 1); version 3's scenario group links the daily series and their summaries, with `quantile`.
#include <gtest/gtest.h>
#include <hdf5_hl.h>

#include <string>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/outputs.h"
#include "engine/sim/runner.h"
#include "engine/util/error.h"
#include "tests/engine/scenarios.h"
#include "tests/engine/test_support.h"

using namespace hashsim;
namespace schema = hashsim::io::schema;
namespace ts = hashsim::test_support;
using ts::TempDir;

namespace {
const std::string kCatalogue = (ts::kSourceDir / "data/machines/current_2026.csv").string();

scenario::Scenario agents_scenario(const TempDir& dir) {
  ts::write_text(dir / "s.yaml", ts::agents_yaml("sc", kCatalogue, 5, 40, 7));
  return scenario::load_scenario(dir / "s.yaml");
}

std::filesystem::path write_results(const scenario::Scenario& s, const TempDir& dir) {
  const auto out = dir / "r.h5";
  io::ResultsFile f(out, "schema_test");
  io::ScenarioWriter& w = f.begin_scenario(s, sim::output_specs(s));
  sim::RunOptions o;
  o.threads = 1;
  sim::run_scenario(s, w, o);
  f.commit();
  return out;
}

// The results file of agents_scenario, written into a directory of the test's own.
struct AgentsResults {
  TempDir dir;
  scenario::Scenario s = agents_scenario(dir);
  std::filesystem::path file = write_results(s, dir);
  std::string group() const { return schema::scenario_group(s.name); }
};
}  // namespace

TEST(Schema, SlotEnumsNameTheDatasetsOfTheLayout) {
  scenario::Scenario s;
  s.horizon_days = 10;
  s.record.every_days = 1;
  s.agents.emplace();
  s.agents->archetype_series_every_days = 5;
  const sim::OutputLayout L = sim::make_output_layout(s, 4, 2);
  for (std::size_t i = 0; i < std::size(schema::kArchetypeFinalFields); ++i)
    EXPECT_EQ(L.specs[L.slot(static_cast<schema::ArchetypeFinal>(i))].name,
              ts::field_dataset(static_cast<schema::ArchetypeFinal>(i)));
  for (std::size_t i = 0; i < std::size(schema::kFleetFields); ++i)
    EXPECT_EQ(L.specs[L.slot(static_cast<schema::Fleet>(i))].name,
              ts::field_dataset(static_cast<schema::Fleet>(i)));
  for (std::size_t i = 0; i < std::size(schema::kArchetypeSeriesFields); ++i)
    EXPECT_EQ(L.specs[L.slot(static_cast<schema::ArchetypeSeries>(i))].name,
              ts::field_dataset(static_cast<schema::ArchetypeSeries>(i)));
  EXPECT_EQ(L.specs[L.slot(schema::Fleet::ValueOverBudget)].per_path_shape,
            (std::vector<std::uint64_t>{2, 10}));
}

TEST(Schema, EveryResultsDatasetHasNamedDimensionsAndUnits) {
  const AgentsResults r;
  const auto& file = r.file;
  h5::Handle f = h5::open_file_readonly(file.string());
  h5::Handle g = h5::open_group(f.get(), r.group());
  int checked = 0;
  for (const auto& [name, d] : ts::read_all_datasets(file, r.group())) {
    h5::Handle ds = h5::open_dataset(g.get(), name);
    if (H5DSis_scale(ds.get()) > 0) continue;  // a coordinate: it is its own dimension
    for (unsigned k = 0; k < d.shape.size(); ++k)
      EXPECT_GT(H5DSget_num_scales(ds.get(), k), 0) << name << " dimension " << k << " has no name";
    const bool coordinate = name.find(schema::kCoordDate) != std::string::npos ||
                            name.find(schema::kCoordMachine) != std::string::npos ||
                            name.find(schema::kCoordStrategy) != std::string::npos ||
                            name.rfind(ts::agents_dataset(""), 0) == 0;
    // "units" and "long_name" are spelled by the CF conventions (section 3.1-3.2), the contract
    // netCDF/xarray readers rely on: pinned here as literals on purpose.
    if (!coordinate) {
      EXPECT_TRUE(h5::get_string_attr(ds.get(), "units")) << name;
      EXPECT_TRUE(h5::get_string_attr(ds.get(), "long_name")) << name;
    }
    ++checked;
  }
  EXPECT_GT(checked, 40);
}

TEST(Schema, ProvenanceIsOnTheRootOfResultsFiles) {
  const AgentsResults r;
  const auto& file = r.file;
  h5::Handle f = h5::open_file_readonly(file.string());
  for (const char* a : {schema::kAttrSchema, schema::kAttrHashsimVersion, schema::kAttrGitSha,
                        schema::kAttrCreatedUtc, schema::kAttrCommandLine,
                        schema::kAttrDataSnapshot, schema::kAttrConventions})
    EXPECT_TRUE(h5::get_string_attr(f.get(), a)) << a;
  EXPECT_EQ(h5::get_string_attr(f.get(), schema::kAttrSchema).value_or(""), schema::kKindResults);
  EXPECT_EQ(h5::get_int_attr(f.get(), schema::kAttrSchemaVersion).value_or(0),
            schema::kResultsVersion);
}

TEST(Schema, CheckAcceptsVersionsOneToThreeOnly) {
  const AgentsResults r;
  const auto& file = r.file;
  for (std::int64_t v : {1, 2, 3, 4, 0}) {
    {
      h5::Handle f = h5::open_file_readwrite(file.string());
      h5::set_attr(f.get(), schema::kAttrSchemaVersion, v);
      h5::close_file(f, file.string());
    }
    h5::Handle f = h5::open_file_readonly(file.string());
    if (v >= 1 && v <= 3)
      EXPECT_NO_THROW(io::check_results_schema(f.get(), file.string())) << v;
    else
      EXPECT_THROW(io::check_results_schema(f.get(), file.string()), Error) << v;
  }
}

namespace {
haddr_t address_of(hid_t g, const std::string& name) {
  H5O_info_t info;
  EXPECT_GE(H5Oget_info_by_name(g, name.c_str(), &info, H5P_DEFAULT), 0) << name;
  return info.addr;
}
// Two names of one object (a hard link): the same object header address in the file.
bool same_object(hid_t g, const std::string& a, const std::string& b) {
  return address_of(g, a) == address_of(g, b);
}
}  // namespace

// Version 3: xarray.open_dataset(file, group="scenarios/<name>") sees the daily series and their
// summaries; they are links to paths/ and summary/ (one copy of the data), and every summary has
// `quantiles` [quantile, ...] equal to p5..p95 with the levels as the `quantile` coordinate.
TEST(Schema, ScenarioGroupLinksSeriesAndSummariesWithAQuantileCoordinate) {
  const AgentsResults r;
  const auto& file = r.file;
  h5::Handle f = h5::open_file_readonly(file.string());
  h5::Handle g = h5::open_group(f.get(), r.group());
  for (const char* series : schema::kSeries) {
    const std::string x = series;
    EXPECT_TRUE(same_object(g.get(), x, schema::paths_dataset(x))) << x;
    EXPECT_TRUE(same_object(g.get(), x + schema::kSuffixMean,
                            schema::summary_dataset(x, schema::kStatMean)));
    EXPECT_TRUE(same_object(g.get(), x + schema::kSuffixStderr,
                            schema::summary_dataset(x, schema::kStatStderr)));
    EXPECT_TRUE(same_object(g.get(), x + schema::kSuffixQuantiles,
                            schema::summary_dataset(x, schema::kSummaryQuantiles)));
  }
  EXPECT_EQ(
      h5::read_vector(g.get(), schema::kDimQuantile),
      std::vector<double>(std::begin(schema::kQuantileLevels), std::end(schema::kQuantileLevels)));
  const auto all = ts::read_all_datasets(file, "/" + r.group());
  int summaries = 0;
  for (const auto& [name, d] : all) {
    const auto slash = name.rfind('/');
    if (name.rfind(std::string(schema::kSummaryGroup) + "/", 0) != 0 ||
        name.substr(slash + 1) != schema::kSummaryQuantiles)
      continue;
    const std::string dir_name = name.substr(0, slash + 1);
    EXPECT_EQ(h5::read_vector(g.get(), dir_name + schema::kDimQuantile).size(), 5u) << name;
    ASSERT_EQ(d.shape.front(), 5u) << name;
    const std::vector<double> q = d.values();
    const std::size_t per = q.size() / 5;
    for (std::size_t i = 0; i < 5; ++i) {
      const auto& p = all.at(dir_name + schema::kSummaryStats[schema::kFirstQuantileStat + i]);
      EXPECT_EQ(std::vector<std::uint64_t>(d.shape.begin() + 1, d.shape.end()), p.shape) << name;
      EXPECT_EQ(std::vector<double>(q.begin() + static_cast<std::ptrdiff_t>(i * per),
                                    q.begin() + static_cast<std::ptrdiff_t>((i + 1) * per)),
                p.values())
          << name << " quantile " << i;
    }
    ++summaries;
  }
  EXPECT_GT(summaries, 10);
}

// A version 2 file (no links, no quantiles) still passes the check every reader makes first.
TEST(Schema, VersionTwoLayoutWithoutLinksOrQuantilesIsStillReadable) {
  const AgentsResults r;
  const auto& file = r.file;
  std::vector<std::string> v3_only;
  for (const auto& [name, d] : ts::read_all_datasets(file, "/" + r.group())) {
    const auto slash = name.rfind('/');
    const std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    if ((slash == std::string::npos && !schema::is_coordinate(base)) ||
        base == schema::kSummaryQuantiles || base == schema::kDimQuantile)
      v3_only.push_back(name);
  }
  EXPECT_GT(v3_only.size(), 30u);
  {
    h5::Handle f = h5::open_file_readwrite(file.string());
    h5::Handle g = h5::open_group(f.get(), r.group());
    for (const auto& name : v3_only)
      ASSERT_GE(H5Ldelete(g.get(), name.c_str(), H5P_DEFAULT), 0) << name;
    h5::set_attr(f.get(), schema::kAttrSchemaVersion, std::int64_t{2});
    h5::close_file(f, file.string());
  }
  h5::Handle f = h5::open_file_readonly(file.string());
  EXPECT_NO_THROW(io::check_results_schema(f.get(), file.string()));
}
