#include "engine/io/results_file.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/sha256.h"
#include "engine/util/version.h"

namespace hashsim::io {

namespace {
// Chunks of 64 paths x 512 days (256 KiB): whole chunks are written by the runner's blocks and
// the summary pass reads whole chunk columns.
constexpr std::uint64_t kChunkPaths = 64;
constexpr std::uint64_t kChunkDays = 512;

std::string summary_name(const std::string& output_name) {
  const std::string prefix = "paths/";
  if (output_name.rfind(prefix, 0) == 0) return "summary/" + output_name.substr(prefix.size());
  return "summary/" + output_name;
}
}  // namespace

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

SummaryStats summarize_samples(std::vector<double>& x) {
  SummaryStats s{};
  const std::size_t n = x.size();
  if (n == 0) {
    const double nan = std::nan("");
    return {nan, nan, nan, nan, nan, nan, nan};
  }
  double sum = 0.0;
  for (double v : x) sum += v;
  s.mean = sum / static_cast<double>(n);
  double ss = 0.0;
  for (double v : x) ss += (v - s.mean) * (v - s.mean);
  s.stderr_ = n > 1 ? std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n)) : 0.0;

  // Order statistics needed by the five quantiles, found by successive nth_element calls on
  // the shrinking right part (each later index is >= the previous one).
  const double qs[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
  double out[5];
  std::size_t from = 0;
  for (int i = 0; i < 5; ++i) {
    const double h = qs[i] * static_cast<double>(n - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    std::nth_element(x.begin() + static_cast<std::ptrdiff_t>(from), x.begin() + static_cast<std::ptrdiff_t>(lo),
                     x.end());
    const double xlo = x[lo];
    double xhi = xlo;
    if (lo + 1 < n && h > static_cast<double>(lo)) {
      xhi = *std::min_element(x.begin() + static_cast<std::ptrdiff_t>(lo + 1), x.end());
    }
    out[i] = xlo + (h - static_cast<double>(lo)) * (xhi - xlo);
    from = lo;
  }
  s.p5 = out[0];
  s.p25 = out[1];
  s.p50 = out[2];
  s.p75 = out[3];
  s.p95 = out[4];
  return s;
}

ScenarioWriter::ScenarioWriter(hid_t file, const scenario::Scenario& s, std::vector<OutputSpec> specs)
    : specs_(std::move(specs)), n_paths_(static_cast<std::uint64_t>(s.paths)) {
  group_ = h5::create_group(file, "scenarios/" + s.name);
  const hid_t g = group_.get();
  h5::set_attr(g, "name", s.name);
  h5::set_attr(g, "description", s.description);
  h5::set_attr(g, "variant", s.variant);
  h5::set_attr(g, "scenario_file", s.file.string());
  h5::set_attr(g, "scenario_yaml", s.yaml_text);
  h5::set_attr(g, "scenario_sha256", sha256_hex(s.yaml_text));
  h5::set_attr(g, "master_seed", static_cast<std::int64_t>(s.seed));
  h5::set_attr(g, "n_paths", static_cast<std::int64_t>(s.paths));
  h5::set_attr(g, "n_days", static_cast<std::int64_t>(s.horizon_days));
  h5::set_attr(g, "record_every_days", static_cast<std::int64_t>(s.record.every_days));
  h5::set_attr(g, "start_date", s.start.date);
  h5::set_attr(g, "start_source", std::string(scenario::start_source_name(s.start.source)));
  h5::set_attr(g, "start_price_usd", s.start.price_usd);
  h5::set_attr(g, "start_network_hashrate_ths", s.start.network_hashrate_ths);
  h5::set_attr(g, "start_difficulty", s.start.difficulty);
  h5::set_attr(g, "start_height", s.start.height);
  h5::set_attr(g, "start_fee_btc_per_block", s.start.fee_btc_per_block);
  h5::set_attr(g, "live_snapshot", s.start.provenance_json.empty() ? std::string("{}") : s.start.provenance_json);
  h5::set_attr(g, "complete", static_cast<std::int64_t>(0));

  std::vector<std::int64_t> day_index;
  std::vector<std::string> dates;
  for (int d = 0; d < s.horizon_days; d += s.record.every_days) {
    day_index.push_back(d);
    if (!s.start.date.empty()) dates.push_back(add_days(s.start.date, d));
  }
  h5::write_vector(g, "day", day_index);
  if (!dates.empty()) h5::write_strings(g, "date", dates);

  for (const auto& spec : specs_) {
    std::vector<std::uint64_t> dims{n_paths_};
    dims.insert(dims.end(), spec.per_path_shape.begin(), spec.per_path_shape.end());
    std::vector<std::uint64_t> chunk(dims.size(), 1);
    chunk[0] = kChunkPaths;
    if (dims.size() >= 2) chunk.back() = kChunkDays;
    datasets_.push_back(h5::create_array(g, spec.name, dims, chunk, s.record.compression));
    if (!spec.unit.empty()) h5::set_attr(datasets_.back().get(), "unit", spec.unit);
  }
}

void ScenarioWriter::write_block(std::uint64_t first_path, std::uint64_t n_paths,
                                 const std::vector<const double*>& data) {
  if (first_path != paths_written_) throw Error("internal: blocks must be written in path order");
  for (std::size_t k = 0; k < specs_.size(); ++k) {
    if (specs_[k].per_path_size() == 0) continue;
    h5::write_rows(datasets_[k].get(), first_path, n_paths, data[k]);
  }
  paths_written_ += n_paths;
}

void ScenarioWriter::finish(std::uint64_t memory_budget_bytes) {
  if (paths_written_ != n_paths_) throw Error("internal: scenario finished before all paths were written");
  const hid_t g = group_.get();
  const std::uint64_t n = n_paths_;
  for (std::size_t k = 0; k < specs_.size(); ++k) {
    const OutputSpec& spec = specs_[k];
    if (!spec.summarize || spec.per_path_size() == 0) continue;
    // View the dataset as [n, A, D] (A = product of middle dims, D = last dim).
    const std::uint64_t D = spec.per_path_shape.empty() ? 1 : spec.per_path_shape.back();
    const std::uint64_t A = spec.per_path_size() / D;
    const std::uint64_t cols_per_slab =
        std::max<std::uint64_t>(1, std::min<std::uint64_t>(D, memory_budget_bytes / (8 * n)));
    const std::string base = summary_name(spec.name);
    std::vector<std::vector<double>> stats(7, std::vector<double>(spec.per_path_size()));
    std::vector<double> slab;
    tbb::enumerable_thread_specific<std::vector<double>> column_tls;
    for (std::uint64_t a = 0; a < A; ++a) {
      for (std::uint64_t c0 = 0; c0 < D; c0 += cols_per_slab) {
        const std::uint64_t nc = std::min(cols_per_slab, D - c0);
        slab.resize(n * nc);
        std::vector<std::uint64_t> start{0}, count{n};
        if (spec.per_path_shape.size() >= 2) {
          // middle dims flattened into A: only 3-d datasets (one middle dim) are produced.
          start.push_back(a);
          count.push_back(1);
        }
        if (!spec.per_path_shape.empty()) {
          start.push_back(c0);
          count.push_back(nc);
        }
        h5::read_box(datasets_[k].get(), start, count, slab.data());
        tbb::parallel_for(std::uint64_t{0}, nc, [&](std::uint64_t c) {
          auto& col = column_tls.local();
          col.resize(n);
          for (std::uint64_t p = 0; p < n; ++p) col[p] = slab[p * nc + c];
          const SummaryStats st = summarize_samples(col);
          const std::uint64_t idx = a * D + c0 + c;
          stats[0][idx] = st.mean;
          stats[1][idx] = st.stderr_;
          stats[2][idx] = st.p5;
          stats[3][idx] = st.p25;
          stats[4][idx] = st.p50;
          stats[5][idx] = st.p75;
          stats[6][idx] = st.p95;
        });
      }
    }
    const char* names[7] = {"mean", "stderr", "p5", "p25", "p50", "p75", "p95"};
    for (int i = 0; i < 7; ++i) {
      h5::Handle ds = h5::create_array(g, base + "/" + names[i], spec.per_path_shape.empty()
                                                                      ? std::vector<std::uint64_t>{1}
                                                                      : spec.per_path_shape,
                                       {}, 0);
      h5::write_rows(ds.get(), 0, spec.per_path_shape.empty() ? 1 : spec.per_path_shape[0], stats[static_cast<std::size_t>(i)].data());
      if (!spec.unit.empty()) h5::set_attr(ds.get(), "unit", spec.unit);
    }
  }
  h5::set_attr(g, "complete", static_cast<std::int64_t>(1));
}

ResultsFile::ResultsFile(const std::filesystem::path& target, const std::string& command_line) : out_(target) {
  file_ = h5::create_file(out_.partial_path().string());
  const hid_t r = file_.get();
  h5::set_attr(r, "schema_version", kSchemaVersion);
  h5::set_attr(r, "hashsim_version", std::string(kVersion));
  h5::set_attr(r, "git_sha", std::string(kGitSha));
  h5::set_attr(r, "created_utc", utc_now_iso8601());
  h5::set_attr(r, "command_line", command_line);
}

ResultsFile::~ResultsFile() = default;

ScenarioWriter& ResultsFile::begin_scenario(const scenario::Scenario& s, std::vector<OutputSpec> specs) {
  scenarios_.push_back(std::make_unique<ScenarioWriter>(file_.get(), s, std::move(specs)));
  return *scenarios_.back();
}

void ResultsFile::commit() {
  std::string names;
  for (const auto& s : scenarios_) {
    const auto n = h5::get_string_attr(s->group(), "name");
    names += (names.empty() ? "" : "\n") + n.value_or("");
  }
  h5::set_attr(file_.get(), "scenario_names", names);
  scenarios_.clear();
  if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0) throw Error("HDF5: flushing " + out_.partial_path().string() + " failed");
  file_.reset();
  out_.commit();
}

}  // namespace hashsim::io
