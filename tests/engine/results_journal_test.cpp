// The resume journal (engine/io/results_journal.h): a kill can cut the file anywhere, so every
// possible cut is tried and the kept part must be exactly the whole records before it; a damaged
// record ends the kept part; and a run resumed from a journal, for a sweep of two scenarios, one
// with compression, equals an uninterrupted run byte for byte whatever the killed HDF5 file holds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/io/results_file.h"
#include "engine/io/results_journal.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"
#include "engine/util/error.h"
#include "tests/engine/scenarios.h"
#include "tests/engine/test_support.h"

using namespace hashsim;
namespace fs = std::filesystem;
namespace ts = hashsim::test_support;
using ts::TempDir;

namespace {

const std::vector<std::uint64_t> kDoublesPerPath{3, 2};

// Block data whose every value names its path and output: 1000 * path + 10 * output + i.
std::vector<std::vector<double>> block_values(std::uint64_t first, std::uint64_t n) {
  std::vector<std::vector<double>> v(kDoublesPerPath.size());
  for (std::size_t k = 0; k < kDoublesPerPath.size(); ++k)
    for (std::uint64_t p = first; p < first + n; ++p)
      for (std::uint64_t i = 0; i < kDoublesPerPath[k]; ++i)
        v[k].push_back(1000.0 * static_cast<double>(p) + 10.0 * static_cast<double>(k) +
                       static_cast<double>(i));
  return v;
}

void append(io::ResultsJournal& j, std::uint64_t index, std::uint64_t first, std::uint64_t n) {
  const auto v = block_values(first, n);
  j.append_block(index, first, n, kDoublesPerPath, {v[0].data(), v[1].data()});
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST(ResultsJournal, EveryCutKeepsExactlyTheWholeRecordsBeforeIt) {
  TempDir dir;
  const fs::path path = dir / "run.h5.partial.journal";
  // Record ends, and the paths of scenario 0 / scenario 1 covered once each record is whole.
  struct Mark {
    std::uintmax_t end;
    std::uint64_t paths0, paths1;
    std::size_t scenarios;
  };
  std::vector<Mark> marks;
  {
    auto j = io::ResultsJournal::create(path);
    j.append_scenario(0, "seed: 1\n");
    marks.push_back({fs::file_size(path), 0, 0, 1});
    append(j, 0, 0, 3);
    marks.push_back({fs::file_size(path), 3, 0, 1});
    append(j, 0, 3, 2);
    marks.push_back({fs::file_size(path), 5, 0, 1});
    j.append_scenario(1, "seed: 2\n");
    marks.push_back({fs::file_size(path), 5, 0, 2});
    append(j, 1, 0, 1);
    marks.push_back({fs::file_size(path), 5, 1, 2});
  }
  const std::string whole = read_bytes(path);
  ASSERT_EQ(whole.size(), marks.back().end);
  const fs::path cut_path = dir / "cut.journal";
  for (std::size_t cut = 0; cut <= whole.size(); ++cut) {
    write_bytes(cut_path, whole.substr(0, cut));
    Mark want{0, 0, 0, 0};
    for (const auto& m : marks)
      if (m.end <= cut) want = m;
    const auto coverage = io::journal_coverage(cut_path);
    ASSERT_EQ(coverage.size(), want.scenarios) << "cut at " << cut;
    if (want.scenarios >= 1) {
      ASSERT_EQ(coverage[0].second, want.paths0) << "cut at " << cut;
    }
    if (want.scenarios >= 2) {
      ASSERT_EQ(coverage[1].second, want.paths1) << "cut at " << cut;
    }
    // Reopening cuts the torn tail; a block appended then continues the kept records.
    auto j = io::ResultsJournal::reopen(cut_path);
    ASSERT_EQ(fs::file_size(cut_path), want.end) << "cut at " << cut;
    if (want.scenarios == 0) continue;
    const std::uint64_t next = want.scenarios == 1 ? want.paths0 : want.paths1;
    append(j, want.scenarios - 1, next, 2);
    const auto after = io::journal_coverage(cut_path);
    ASSERT_EQ(after.size(), want.scenarios);
    EXPECT_EQ(after.back().second, next + 2) << "cut at " << cut;
  }
}

TEST(ResultsJournal, BlocksReadBackAsWritten) {
  TempDir dir;
  const fs::path path = dir / "j";
  {
    auto j = io::ResultsJournal::create(path);
    j.append_scenario(0, "id\n");
    append(j, 0, 0, 3);
    append(j, 0, 3, 4);
  }
  const auto j = io::ResultsJournal::reopen(path);
  ASSERT_EQ(j.scenarios().size(), 1u);
  EXPECT_EQ(j.scenarios()[0].identity, "id\n");
  ASSERT_EQ(j.scenarios()[0].blocks.size(), 2u);
  std::vector<std::vector<double>> got;
  j.read_block(j.scenarios()[0].blocks[1], kDoublesPerPath, got);
  EXPECT_EQ(got, block_values(3, 4));
  // Another layout of outputs is refused, not misread.
  EXPECT_THROW(j.read_block(j.scenarios()[0].blocks[0], {2, 3}, got), Error);
}

TEST(ResultsJournal, ADamagedRecordOrAGapEndsTheKeptPart) {
  TempDir dir;
  const fs::path path = dir / "j";
  std::uintmax_t first_block_end = 0;
  {
    auto j = io::ResultsJournal::create(path);
    j.append_scenario(0, "id\n");
    append(j, 0, 0, 3);
    first_block_end = fs::file_size(path);
    append(j, 0, 3, 3);
    append(j, 0, 6, 3);
  }
  std::string bytes = read_bytes(path);
  // One bit flipped in the second block's data: its digest fails; it and all after it are dropped.
  bytes[first_block_end + 60] = static_cast<char>(bytes[first_block_end + 60] ^ 0x01);
  write_bytes(path, bytes);
  auto coverage = io::journal_coverage(path);
  ASSERT_EQ(coverage.size(), 1u);
  EXPECT_EQ(coverage[0].second, 3u);

  // A block that does not continue its scenario's paths (path 5 after 0..2) ends it as well.
  {
    auto j = io::ResultsJournal::create(path);
    j.append_scenario(0, "id\n");
    append(j, 0, 0, 3);
    append(j, 0, 5, 1);
    append(j, 0, 3, 1);
  }
  coverage = io::journal_coverage(path);
  ASSERT_EQ(coverage.size(), 1u);
  EXPECT_EQ(coverage[0].second, 3u);
}

// A sweep of two scenarios (the second compressed) killed half-way through the second: resuming
// from the journal gives the uninterrupted run's datasets byte for byte, even when the killed
// HDF5 file is garbage.
TEST(ResultsFileResume, AKilledSweepResumesToTheUninterruptedFile) {
  TempDir dir;
  ts::write_text(dir / "a.yaml", ts::exogenous_yaml("a", 40, 60, 5));
  std::string b_yaml = ts::exogenous_yaml("b", 50, 45, 6, 3);
  b_yaml += "  compression: 4\n";  // inside the record: block that ends the text
  ts::write_text(dir / "b.yaml", b_yaml);
  const auto a = scenario::load_scenario(dir / "a.yaml");
  const auto b = scenario::load_scenario(dir / "b.yaml");
  ASSERT_EQ(b.record.compression, 4);
  sim::RunOptions o;
  o.threads = 2;
  o.block_paths = 8;

  const fs::path ref = dir / "ref.h5";
  {
    io::ResultsFile f(ref, "test");
    sim::run_scenario(a, f.begin_scenario(a, sim::output_specs(a)), o);
    sim::run_scenario(b, f.begin_scenario(b, sim::output_specs(b)), o);
    f.commit();
  }

  const fs::path out = dir / "out.h5";
  {
    // The killed run: `a` complete, `b` up to path 24; resume mode keeps both files at the end.
    io::ResultsFile f(out, "test", Overwrite::kResume);
    sim::run_scenario(a, f.begin_scenario(a, sim::output_specs(a)), o);
    io::ScenarioWriter& w = f.begin_scenario(b, sim::output_specs(b));
    sim::run_paths(b, 0, 24, o,
                   [&](std::uint64_t first, std::uint64_t n, const std::vector<const double*>& d) {
                     w.write_block(first, n, d);
                   });
  }
  const fs::path partial = out.string() + ".partial";
  ASSERT_TRUE(fs::exists(partial));
  const auto coverage = io::journal_coverage(partial.string() + ".journal");
  ASSERT_EQ(coverage.size(), 2u);
  EXPECT_EQ(coverage[0].second, 40u);
  EXPECT_EQ(coverage[1].second, 24u);
  write_bytes(partial, "not an HDF5 file: what a kill in the middle of a flush may leave");

  {
    io::ResultsFile f(out, "test", Overwrite::kResume);
    EXPECT_TRUE(f.resumed());
    io::ScenarioWriter& wa = f.begin_scenario(a, sim::output_specs(a));
    EXPECT_EQ(wa.paths_written(), 40u);
    sim::run_scenario(a, wa, o);
    io::ScenarioWriter& wb = f.begin_scenario(b, sim::output_specs(b));
    EXPECT_EQ(wb.paths_written(), 24u);
    sim::run_scenario(b, wb, o);
    f.commit();
  }
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_FALSE(fs::exists(partial.string() + ".journal"));
  for (const std::string& name :
       {io::schema::scenario_group(a.name), io::schema::scenario_group(b.name)}) {
    const auto want = ts::read_all_datasets(ref, name);
    const auto got = ts::read_all_datasets(out, name);
    ASSERT_EQ(want.size(), got.size()) << name;
    for (const auto& [dataset, bytes] : want) {
      ASSERT_TRUE(got.count(dataset)) << name << "/" << dataset;
      EXPECT_TRUE(got.at(dataset) == bytes) << name << "/" << dataset;
    }
  }
}

// Without --resume a leftover journal is dropped with its partial file, and a finished run leaves
// no journal behind.
TEST(ResultsFileResume, ANewRunReplacesALeftoverJournal) {
  TempDir dir;
  ts::write_text(dir / "a.yaml", ts::exogenous_yaml("a", 6, 10, 5));
  const auto a = scenario::load_scenario(dir / "a.yaml");
  const fs::path out = dir / "out.h5";
  const fs::path journal = dir / "out.h5.partial.journal";
  write_bytes(journal, "stale");
  {
    io::ResultsFile f(out, "test", Overwrite::kReplace);
    EXPECT_FALSE(f.resumed());
    sim::run_scenario(a, f.begin_scenario(a, sim::output_specs(a)), {});
    EXPECT_TRUE(fs::exists(journal));
    f.commit();
  }
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(journal));
  {
    // A failed run (no commit) outside resume mode removes its journal too.
    io::ResultsFile f(dir / "failed.h5", "test", Overwrite::kReplace);
    f.begin_scenario(a, sim::output_specs(a));
  }
  EXPECT_FALSE(fs::exists(dir / "failed.h5.partial.journal"));
  EXPECT_FALSE(fs::exists(dir / "failed.h5.partial"));
}
