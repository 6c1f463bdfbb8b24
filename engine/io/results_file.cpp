#include "engine/io/results_file.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/sha256.h"
#include "engine/util/signals.h"
#include "engine/util/version.h"
#include "engine/util/stats.h"

namespace hashsim::io {

namespace {
// Chunks of 64 paths x 512 days (256 KiB): whole chunks are written by the runner's blocks and
// the summary pass reads whole chunk columns.
constexpr std::uint64_t kChunkPaths = 64;
constexpr std::uint64_t kChunkDays = 512;

std::string summary_name(const std::string& output_name) {
  const std::string prefix = std::string(schema::kPathsGroup) + "/";
  const std::string summary = std::string(schema::kSummaryGroup) + "/";
  if (output_name.rfind(prefix, 0) == 0) return summary + output_name.substr(prefix.size());
  return summary + output_name;
}

// The coordinate values of one scenario's dimensions.
struct Axes {
  std::uint64_t n_paths = 0;
  std::vector<std::int64_t> day;  // recorded day indices
  std::vector<std::string> date;  // ISO dates of `day` (empty without a start date)
};

Axes axes_of(const scenario::Scenario& s) {
  Axes ax;
  ax.n_paths = static_cast<std::uint64_t>(s.paths);
  for (int d = 0; d < s.horizon_days; d += s.record.every_days) {
    ax.day.push_back(d);
    if (!s.start.date.empty()) ax.date.push_back(add_days(s.start.date, d));
  }
  return ax;
}

void write_day_axis(hid_t g, const Axes& ax) {
  schema::write_dimension(g, schema::kDimDay, ax.day, "day", "days since the start date");
  if (ax.date.empty()) return;
  h5::write_strings(g, schema::kCoordDate, ax.date);
  schema::attach_dimensions(g, schema::kCoordDate, {schema::kDimDay}, "", "date (ISO 8601, UTC)");
}

// Writes the coordinate `dim` (of length n) into group g unless it is there already.
void ensure_axis(hid_t g, const std::string& dim, std::uint64_t n, const Axes& ax, int step_days) {
  if (h5::exists(g, dim)) return;
  if (dim == schema::kDimDay) {
    write_day_axis(g, ax);
  } else if (dim == schema::kDimQuantile) {
    const std::vector<double> levels(std::begin(schema::kQuantileLevels),
                                     std::end(schema::kQuantileLevels));
    schema::write_dimension(g, dim, levels, "1",
                            "quantile level over paths (linear interpolation between order "
                            "statistics)");
  } else if (dim == schema::kDimArchetypeDay) {
    std::vector<std::int64_t> v(n);
    for (std::uint64_t i = 0; i < n; ++i) v[i] = static_cast<std::int64_t>(i) * step_days;
    schema::write_dimension(
        g, dim, v, "day",
        "days since the start date (every " + std::to_string(step_days) + " days)");
  } else {
    const char* long_name = dim == schema::kDimPath    ? "Monte Carlo path"
                            : dim == schema::kDimAgent ? "agent (archetypes, then observer fleets)"
                            : dim == schema::kDimFleet ? "observer fleet"
                                                       : "";
    schema::write_index_dimension(g, dim, n, long_name);
  }
}

// Coordinates of `dims` (shape `shape`) in group g, and the dataset g/name attached to them.
void describe_dataset(hid_t g, const std::string& name, const std::vector<std::string>& dims,
                      const std::vector<std::uint64_t>& shape, const Axes& ax,
                      const OutputSpec& spec) {
  if (dims.size() != shape.size()) return;  // a spec without dimension names stays anonymous
  for (std::size_t i = 0; i < dims.size(); ++i)
    ensure_axis(g, dims[i], shape[i], ax, spec.step_days);
  schema::attach_dimensions(g, name, dims, spec.unit, spec.long_name);
  if (std::find(dims.begin(), dims.end(), schema::kDimDay) != dims.end() &&
      h5::exists(g, schema::kCoordDate))
    schema::set_coordinates(g, name, schema::kCoordDate);
}

std::vector<std::int64_t> read_axis_days(hid_t g) {
  const std::vector<double> v = h5::read_vector(g, schema::kDimDay);
  return std::vector<std::int64_t>(v.begin(), v.end());
}
std::vector<std::string> read_axis_dates(hid_t g) {
  return h5::exists(g, schema::kCoordDate) ? h5::read_strings(g, schema::kCoordDate)
                                           : std::vector<std::string>{};
}
std::string summary_long_name(const std::string& stat, const std::string& of) {
  const std::string what = stat == "mean"     ? "mean over paths"
                           : stat == "stderr" ? "standard error of the mean over paths"
                                              : stat.substr(1) + "th percentile over paths";
  return of.empty() ? what : of + " (" + what + ")";
}
bool is_group(hid_t parent, const std::string& name) {
  H5O_info_t info;
  return H5Oget_info_by_name(parent, name.c_str(), &info, H5P_DEFAULT) >= 0 &&
         info.type == H5O_TYPE_GROUP;
}

// Schema v3: `target` (relative to g) also reachable as g/link_name, the same object (an HDF5 hard
// link: no copy). Kept when present (a resumed run).
void link_into(hid_t g, const std::string& target, const std::string& link_name) {
  if (h5::exists(g, link_name)) return;
  if (H5Lcreate_hard(g, target.c_str(), g, link_name.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
    throw Error("HDF5: cannot link " + target + " as " + link_name);
}

// The series name of a paths/<series> output, or "" for other outputs.
std::string series_of(const std::string& output_name) {
  const std::string prefix = std::string(schema::kPathsGroup) + "/";
  return output_name.rfind(prefix, 0) == 0 ? output_name.substr(prefix.size()) : std::string();
}

std::pair<std::string, std::string> split_group(const std::string& name) {
  const auto slash = name.rfind('/');
  if (slash == std::string::npos) return {"", name};
  return {name.substr(0, slash), name.substr(slash + 1)};
}
}  // namespace

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
    std::nth_element(x.begin() + static_cast<std::ptrdiff_t>(from),
                     x.begin() + static_cast<std::ptrdiff_t>(lo), x.end());
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

namespace {
std::string hex_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

// What decides a scenario's numbers in a results file, one "what: value" line each: a journal
// from a killed run is continued only when every line is the same (README "Resuming a killed run").
std::string scenario_identity(const scenario::Scenario& s, const std::vector<OutputSpec>& specs) {
  std::string id;
  auto line = [&](const std::string& what, const std::string& value) {
    id += what + ": " + value + "\n";
  };
  line("hashsim build", std::string(kVersion) + " " + kGitSha);
  line("scenario name", s.name);
  line("seed", std::to_string(s.seed));
  line("number of paths", std::to_string(s.paths));
  line("horizon", std::to_string(s.horizon_days));
  line("record.every_days", std::to_string(s.record.every_days));
  line("start date", s.start.date);
  line(schema::kAttrStartPriceUsd, hex_double(s.start.price_usd));
  line(schema::kAttrStartNetworkHashrateThs, hex_double(s.start.network_hashrate_ths));
  line(schema::kAttrStartDifficulty, hex_double(s.start.difficulty));
  line(schema::kAttrStartHeight, std::to_string(s.start.height));
  line(schema::kAttrStartFeeBtcPerBlock, hex_double(s.start.fee_btc_per_block));
  std::string outputs;
  for (const auto& spec : specs) {
    outputs += " " + spec.name + "[";
    for (auto d : spec.per_path_shape) outputs += std::to_string(d) + ",";
    outputs += "]";
  }
  line("outputs", outputs);
  // Last, so that a difference already named above (a --seed, a horizon) is reported by name.
  line("scenario YAML", sha256_hex(s.yaml_text));
  return id;
}

// Throws, naming the first line of the identity that differs, unless `journalled` == `now`.
void check_same_identity(const std::string& journalled, const std::string& now,
                         const std::string& where) {
  if (journalled == now) return;
  std::size_t a = 0, b = 0;
  for (;;) {
    const std::size_t ea = journalled.find('\n', a), eb = now.find('\n', b);
    const std::string la = journalled.substr(a, ea == std::string::npos ? ea : ea - a);
    const std::string lb = now.substr(b, eb == std::string::npos ? eb : eb - b);
    if (la != lb) {
      const std::string what = lb.substr(0, lb.find(':'));
      if (what == "hashsim build")
        throw Error("cannot resume " + where + ": it was written by another hashsim build (" +
                    la.substr(la.find(':') + 2) +
                    "), whose paths may differ; remove it or use --force");
      throw Error("cannot resume " + where + ": the " + what +
                  " differs from this run (remove the .partial file or use --force)");
    }
    if (ea == std::string::npos || eb == std::string::npos) break;
    a = ea + 1;
    b = eb + 1;
  }
  throw Error("cannot resume " + where +
              ": its scenario differs from this run (remove the .partial file or use --force)");
}
}  // namespace

ScenarioWriter::ScenarioWriter(hid_t file, const scenario::Scenario& s,
                               std::vector<OutputSpec> specs, ResultsJournal* journal,
                               std::uint64_t journal_index)
    : specs_(std::move(specs)),
      journal_(journal),
      journal_index_(journal_index),
      n_paths_(static_cast<std::uint64_t>(s.paths)) {
  const std::string path = schema::scenario_group(s.name);
  for (const auto& spec : specs_) doubles_per_path_.push_back(spec.per_path_size());
  group_ = h5::create_group(file, path);
  const hid_t g = group_.get();
  h5::set_attr(g, schema::kAttrName, s.name);
  h5::set_attr(g, schema::kAttrDescription, s.description);
  h5::set_attr(g, schema::kAttrVariant, s.variant);
  h5::set_attr(g, schema::kAttrScenarioFile, s.file.string());
  h5::set_attr(g, schema::kAttrScenarioText, s.yaml_text);
  h5::set_attr(g, schema::kAttrScenarioSha256, sha256_hex(s.yaml_text));
  h5::set_attr(g, schema::kAttrSeed, static_cast<std::int64_t>(s.seed));
  h5::set_attr(g, schema::kAttrNPaths, static_cast<std::int64_t>(s.paths));
  h5::set_attr(g, schema::kAttrNDays, static_cast<std::int64_t>(s.horizon_days));
  h5::set_attr(g, schema::kAttrRecordEveryDays, static_cast<std::int64_t>(s.record.every_days));
  h5::set_attr(g, schema::kAttrStartDate, s.start.date);
  h5::set_attr(g, schema::kAttrStartSource,
               std::string(scenario::start_source_name(s.start.source)));
  h5::set_attr(g, schema::kAttrStartPriceUsd, s.start.price_usd);
  h5::set_attr(g, schema::kAttrStartNetworkHashrateThs, s.start.network_hashrate_ths);
  h5::set_attr(g, schema::kAttrStartDifficulty, s.start.difficulty);
  h5::set_attr(g, schema::kAttrStartHeight, s.start.height);
  h5::set_attr(g, schema::kAttrStartFeeBtcPerBlock, s.start.fee_btc_per_block);
  h5::set_attr(g, schema::kAttrLiveSnapshot,
               s.start.provenance_json.empty() ? std::string("{}") : s.start.provenance_json);
  h5::set_attr(g, schema::kAttrComplete, static_cast<std::int64_t>(0));

  // Coordinates of the scenario group itself (README "Output schema"); each data group below gets
  // its own copies so that it opens alone in xarray.
  const Axes ax = axes_of(s);
  write_day_axis(g, ax);
  ensure_axis(g, schema::kDimPath, n_paths_, ax, 1);
  // No dataset of this group names `date` as its coordinate: a group-level CF `coordinates` says
  // so.
  if (!ax.date.empty()) h5::set_attr(g, "coordinates", std::string(schema::kCoordDate));

  for (const auto& spec : specs_) {
    std::vector<std::uint64_t> dims{n_paths_};
    dims.insert(dims.end(), spec.per_path_shape.begin(), spec.per_path_shape.end());
    std::vector<std::uint64_t> chunk(dims.size(), 1);
    chunk[0] = kChunkPaths;
    if (dims.size() >= 2) chunk.back() = kChunkDays;
    datasets_.push_back(h5::create_array(g, spec.name, dims, chunk, s.record.compression));
    const auto [sub, base] = split_group(spec.name);
    h5::Handle sg = h5::open_group(g, sub.empty() ? "." : sub);
    std::vector<std::string> names{schema::kDimPath};
    names.insert(names.end(), spec.dims.begin(), spec.dims.end());
    describe_dataset(sg.get(), base, names, dims, ax, spec);
    const std::string series = series_of(spec.name);
    if (!series.empty()) link_into(g, spec.name, series);
  }
  // Paths [0, paths_written) are in the file; set to n_paths by finish().
  h5::set_attr(g, schema::kAttrPathsWritten, static_cast<std::int64_t>(0));
}

void ScenarioWriter::write_block(std::uint64_t first_path, std::uint64_t n_paths,
                                 const std::vector<const double*>& data) {
  if (first_path != paths_written_) throw Error("internal: blocks must be written in path order");
  // The journal first: what it holds is what a resumed run keeps, whatever state a kill leaves the
  // HDF5 file in.
  if (journal_)
    journal_->append_block(journal_index_, first_path, n_paths, doubles_per_path_, data);
  write_rows(first_path, n_paths, data);
}

void ScenarioWriter::write_rows(std::uint64_t first_path, std::uint64_t n_paths,
                                const std::vector<const double*>& data) {
  for (std::size_t k = 0; k < specs_.size(); ++k) {
    if (specs_[k].per_path_size() == 0) continue;
    h5::write_rows(datasets_[k].get(), first_path, n_paths, data[k]);
  }
  paths_written_ += n_paths;
}

void ScenarioWriter::replay(const ResultsJournal& journal,
                            const ResultsJournal::Scenario& journalled) {
  std::vector<std::vector<double>> data;
  std::vector<const double*> ptrs(specs_.size());
  for (const auto& b : journalled.blocks) {
    if (b.first_path != paths_written_ || b.first_path + b.n_paths > n_paths_)
      throw Error(
          "cannot resume: the journal " + journal.path().string() +
          " holds paths outside this run's (remove it and the .partial file, or use --force)");
    journal.read_block(b, doubles_per_path_, data);
    for (std::size_t k = 0; k < specs_.size(); ++k) ptrs[k] = data[k].data();
    write_rows(b.first_path, b.n_paths, ptrs);
    resumed_ = true;
  }
}

namespace {
// The seven summary statistics (schema::kSummaryStats order: mean, stderr, p5..p95) over the n
// paths of every value of one dataset, read in slabs of at most `memory_budget_bytes`.
std::vector<std::vector<double>> stats_over_paths(hid_t dataset, const OutputSpec& spec,
                                                  std::uint64_t n,
                                                  std::uint64_t memory_budget_bytes) {
  // View the dataset as [n, A, D] (A = product of middle dims, D = last dim).
  const std::uint64_t D = spec.per_path_shape.empty() ? 1 : spec.per_path_shape.back();
  const std::uint64_t A = spec.per_path_size() / D;
  const std::uint64_t cols_per_slab =
      std::max<std::uint64_t>(1, std::min<std::uint64_t>(D, memory_budget_bytes / (8 * n)));
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
      h5::read_box(dataset, start, count, slab.data());
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
  return stats;
}

// One dataset's summary group `base`: each statistic as its own array, the quantiles again as one
// array along a `quantile` coordinate, and for a paths/ series the links beside it.
void write_summary_group(hid_t g, const OutputSpec& spec, const std::string& base,
                         const std::vector<std::vector<double>>& stats, const Axes& ax) {
  for (std::size_t i = 0; i < std::size(schema::kSummaryStats); ++i) {
    const char* stat = schema::kSummaryStats[i];
    {
      h5::Handle ds = h5::create_array(
          g, base + "/" + stat,
          spec.per_path_shape.empty() ? std::vector<std::uint64_t>{1} : spec.per_path_shape, {}, 0);
      h5::write_rows(ds.get(), 0, spec.per_path_shape.empty() ? 1 : spec.per_path_shape[0],
                     stats[i].data());
    }
    h5::Handle sg = h5::open_group(g, base);
    OutputSpec described = spec;
    described.long_name = summary_long_name(stat, spec.long_name);
    describe_dataset(sg.get(), stat, spec.dims, spec.per_path_shape, ax, described);
  }
  // The quantiles again as one array along a `quantile` coordinate (schema v3), for xarray.
  std::vector<std::uint64_t> qshape{std::size(schema::kQuantileLevels)};
  qshape.insert(qshape.end(), spec.per_path_shape.begin(), spec.per_path_shape.end());
  {
    std::vector<double> stacked;
    for (std::size_t i = schema::kFirstQuantileStat; i < std::size(schema::kSummaryStats); ++i)
      stacked.insert(stacked.end(), stats[i].begin(), stats[i].end());
    const std::string name = base + "/" + schema::kSummaryQuantiles;
    h5::Handle ds = h5::create_array(g, name, qshape, {}, 0);
    h5::write_rows(ds.get(), 0, qshape[0], stacked.data());
  }
  {
    h5::Handle sg = h5::open_group(g, base);
    std::vector<std::string> qdims{schema::kDimQuantile};
    qdims.insert(qdims.end(), spec.dims.begin(), spec.dims.end());
    OutputSpec described = spec;
    described.long_name = spec.long_name.empty() ? "quantiles over paths"
                                                 : spec.long_name + " (quantiles over paths)";
    describe_dataset(sg.get(), schema::kSummaryQuantiles, qdims, qshape, ax, described);
  }
  const std::string series = series_of(spec.name);
  if (!series.empty()) {
    ensure_axis(g, schema::kDimQuantile, std::size(schema::kQuantileLevels), ax, 1);
    link_into(g, base + "/" + schema::kStatMean, series + schema::kSuffixMean);
    link_into(g, base + "/" + schema::kStatStderr, series + schema::kSuffixStderr);
    link_into(g, base + "/" + schema::kSummaryQuantiles, series + schema::kSuffixQuantiles);
  }
}
}  // namespace

void ScenarioWriter::finish(std::uint64_t memory_budget_bytes) {
  if (complete_) return;  // a resumed scenario that had finished before the kill
  if (paths_written_ != n_paths_)
    throw Error("internal: scenario finished before all paths were written");
  const hid_t g = group_.get();
  const std::uint64_t n = n_paths_;
  for (std::size_t k = 0; k < specs_.size(); ++k) {
    const OutputSpec& spec = specs_[k];
    if (!spec.summarize || spec.per_path_size() == 0) continue;
    const std::vector<std::vector<double>> stats =
        stats_over_paths(datasets_[k].get(), spec, n, memory_budget_bytes);
    const Axes ax{n, read_axis_days(g), read_axis_dates(g)};
    write_summary_group(g, spec, summary_name(spec.name), stats, ax);
  }
  write_agent_coordinates(g);
  h5::set_attr(g, schema::kAttrPathsWritten, static_cast<std::int64_t>(paths_written_));
  h5::set_attr(g, schema::kAttrComplete, static_cast<std::int64_t>(1));
  complete_ = true;
}

namespace {
// Groups below g (recursively, g included) that have an `agent` dimension, other than agents/.
void groups_with_agents(hid_t g, const std::string& prefix, std::vector<std::string>& out) {
  if (!prefix.empty() && h5::exists(g, schema::kDimAgent)) out.push_back(prefix);
  for (const auto& name : h5::list_children(g)) {
    if (prefix.empty() && name == schema::kAgentsGroup) continue;
    if (!is_group(g, name)) continue;
    h5::Handle sub = h5::open_group(g, name);
    groups_with_agents(sub.get(), prefix + name + "/", out);
  }
}
}  // namespace

void write_agent_coordinates(hid_t scenario_group) {
  const hid_t g = scenario_group;
  const std::string agents = schema::kAgentsGroup;
  if (!h5::exists(g, agents + "/" + schema::kCoordMachine)) return;
  h5::Handle ag = h5::open_group(g, agents);
  const std::uint64_t n = h5::read_strings(ag.get(), schema::kCoordMachine).size();
  if (!h5::exists(ag.get(), schema::kDimAgent)) {
    schema::write_index_dimension(ag.get(), schema::kDimAgent, n,
                                  "agent (archetypes, then observer fleets)");
    for (const auto& name : h5::list_children(ag.get()))
      if (name != schema::kDimAgent) schema::attach_dimensions(ag.get(), name, {schema::kDimAgent});
  }
  const std::vector<std::string> machine = h5::read_strings(ag.get(), schema::kCoordMachine);
  const bool has_strategy = h5::exists(ag.get(), schema::kCoordStrategy);
  const bool has_tariff = h5::exists(ag.get(), schema::kCoordTariff);
  const std::vector<std::string> strategy = has_strategy
                                                ? h5::read_strings(ag.get(), schema::kCoordStrategy)
                                                : std::vector<std::string>{};
  const std::vector<double> tariff =
      has_tariff ? h5::read_vector(ag.get(), schema::kCoordTariff) : std::vector<double>{};
  std::string coords = schema::kCoordMachine;
  if (has_strategy) coords += std::string(" ") + schema::kCoordStrategy;
  if (has_tariff) coords += std::string(" ") + schema::kCoordTariff;
  std::vector<std::string> groups;
  groups_with_agents(g, "", groups);
  for (const auto& path : groups) {
    h5::Handle sub = h5::open_group(g, path);
    const hid_t s = sub.get();
    if (h5::exists(s, schema::kCoordMachine)) continue;  // done before (a resumed run)
    h5::write_strings(s, schema::kCoordMachine, machine);
    schema::attach_dimensions(s, schema::kCoordMachine, {schema::kDimAgent}, "", "machine model");
    if (has_strategy) {
      h5::write_strings(s, schema::kCoordStrategy, strategy);
      schema::attach_dimensions(s, schema::kCoordStrategy, {schema::kDimAgent}, "",
                                "operating strategy");
    }
    if (has_tariff) {
      h5::write_vector(s, schema::kCoordTariff, tariff);
      schema::attach_dimensions(s, schema::kCoordTariff, {schema::kDimAgent}, "USD/kWh",
                                "electricity tariff");
    }
    for (const auto& name : h5::list_children(s)) {
      if (schema::is_coordinate(name) || name == schema::kCoordMachine ||
          name == schema::kCoordStrategy || name == schema::kCoordTariff || is_group(s, name))
        continue;
      h5::Handle ds = h5::open_dataset(s, name);
      const std::string before = h5::get_string_attr(ds.get(), "coordinates").value_or("");
      h5::set_attr(ds.get(), "coordinates", before.empty() ? coords : before + " " + coords);
    }
  }
}

ResultsFile::ResultsFile(const std::filesystem::path& target, const std::string& command_line,
                         Overwrite mode)
    : out_(target, mode), mode_(mode), journal_path_(out_.partial_path().string() + ".journal") {
  std::error_code ec;
  if (out_.partial_kept() && std::filesystem::is_regular_file(journal_path_, ec)) {
    journal_ = ResultsJournal::reopen(journal_path_);
    resumed_ = !journal_->scenarios().empty();
  } else {
    // A journal without its partial file is left from a run whose partial was removed: stale.
    journal_ = ResultsJournal::create(journal_path_);
  }
  if (mode_ != Overwrite::kResume)
    journal_signal_slot_ = register_remove_on_interrupt(journal_path_.string());
  // A killed run's HDF5 file is never continued (results_journal.h says why): it is made anew
  // from the journal.
  if (out_.partial_kept() && ::unlink(out_.partial_path().c_str()) != 0 && errno != ENOENT)
    throw Error("cannot remove the leftover " + out_.partial_path().string());
  file_ = h5::create_file(out_.partial_path().string());
  // Scenario text, seed and start data are per scenario (attributes of each scenarios/<name>).
  schema::write_provenance(
      file_.get(), {schema::kKindResults, kSchemaVersion, command_line, "", std::nullopt, "{}"});
}

ResultsFile::~ResultsFile() {
  scenarios_.clear();
  file_.reset();
  journal_.reset();
  unregister_remove_on_interrupt(journal_signal_slot_);
  if (!committed_ && mode_ != Overwrite::kResume) ::unlink(journal_path_.c_str());
}

ScenarioWriter& ResultsFile::begin_scenario(const scenario::Scenario& s,
                                            std::vector<OutputSpec> specs) {
  const std::uint64_t index = scenarios_.size();
  const std::string identity = scenario_identity(s, specs);
  std::optional<ResultsJournal::Scenario> journalled;
  if (index < journal_->scenarios().size()) {
    journalled = journal_->scenarios()[index];
    check_same_identity(journalled->identity, identity, out_.partial_path().string());
  } else {
    journal_->append_scenario(index, identity);
  }
  scenarios_.push_back(
      std::make_unique<ScenarioWriter>(file_.get(), s, std::move(specs), &*journal_, index));
  if (journalled) scenarios_.back()->replay(*journal_, *journalled);
  return *scenarios_.back();
}

void ResultsFile::commit() {
  std::string names;
  for (const auto& s : scenarios_) {
    const auto n = h5::get_string_attr(s->group(), schema::kAttrName);
    names += (names.empty() ? "" : "\n") + n.value_or("");
  }
  h5::set_attr(file_.get(), schema::kAttrScenarioNames, names);
  // Flush while the datasets are open, so a failed chunk write is reported rather than dropped by
  // an unchecked dataset close.
  h5::flush(file_.get());
  scenarios_.clear();
  h5::close_file(file_, out_.partial_path().string());
  out_.commit();
  committed_ = true;
  journal_.reset();
  ::unlink(journal_path_.c_str());
}

}  // namespace hashsim::io

namespace hashsim::io {

namespace {
std::string dims_text(const std::vector<std::uint64_t>& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

struct DatasetInfo {
  std::vector<std::uint64_t> dims;
  H5T_class_t type_class = H5T_NO_CLASS;
  bool vlen_string = false;
};

DatasetInfo dataset_info(hid_t parent, const std::string& name) {
  h5::Handle ds = h5::open_dataset(parent, name);
  DatasetInfo i;
  i.dims = h5::shape(ds.get());
  h5::Handle t(H5Dget_type(ds.get()), H5Tclose);
  i.type_class = H5Tget_class(t.get());
  i.vlen_string = i.type_class == H5T_STRING && H5Tis_variable_str(t.get()) > 0;
  return i;
}

// Every dataset below `group`, by path relative to it.
void list_datasets(hid_t group, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& name : h5::list_children(group)) {
    h5::Handle obj(H5Oopen(group, name.c_str(), H5P_DEFAULT), H5Oclose);
    if (!obj.valid()) continue;
    const H5I_type_t type = H5Iget_type(obj.get());
    if (type == H5I_GROUP) {
      list_datasets(obj.get(), prefix + name + "/", out);
    } else if (type == H5I_DATASET) {
      out.push_back(prefix + name);
    }
  }
}

class SchemaCheck {
 public:
  SchemaCheck(std::string file) : file_(std::move(file)) {}
  [[noreturn]] void fail(const std::string& dataset, const std::string& expected,
                         const std::string& found) const {
    throw Error(file_ + ": dataset " + dataset + ": expected " + expected + ", found " + found +
                " (damaged file, or not written by hashsim run/sweep)");
  }
  std::string found(const DatasetInfo& i) const {
    const char* type = i.type_class == H5T_FLOAT     ? "float"
                       : i.type_class == H5T_INTEGER ? "integer"
                       : i.type_class == H5T_STRING
                           ? (i.vlen_string ? "string" : "fixed-length string")
                           : "other-typed";
    return std::string(type) + " " + dims_text(i.dims);
  }
  // A numeric dataset of exactly `dims`.
  void numeric(hid_t g, const std::string& where, const std::string& name,
               const std::vector<std::uint64_t>& dims, const std::string& meaning) const {
    const DatasetInfo i = dataset_info(g, name);
    if ((i.type_class != H5T_FLOAT && i.type_class != H5T_INTEGER) || i.dims != dims)
      fail(where + name, "numbers " + dims_text(dims) + " (" + meaning + ")", found(i));
  }
  void strings(hid_t g, const std::string& where, const std::string& name, std::uint64_t n,
               const std::string& meaning) const {
    const DatasetInfo i = dataset_info(g, name);
    if (!i.vlen_string || i.dims != std::vector<std::uint64_t>{n})
      fail(where + name, "strings [" + std::to_string(n) + "] (" + meaning + ")", found(i));
  }

 private:
  std::string file_;
};

// The recorded days: `day` a 1-D integer array, `date` (when present) one ISO date per day.
std::uint64_t check_day_axis(hid_t g, const std::string& where, const SchemaCheck& c) {
  const std::string day_name = schema::kDimDay, date_name = schema::kCoordDate;
  if (!h5::exists(g, day_name)) c.fail(where + day_name, "recorded day indices", "no such dataset");
  const DatasetInfo day = dataset_info(g, day_name);
  if (day.type_class != H5T_INTEGER || day.dims.size() != 1)
    c.fail(where + day_name, "a 1-D integer array (recorded day indices)", c.found(day));
  const std::uint64_t days = day.dims[0];
  if (h5::exists(g, date_name))
    c.strings(g, where, date_name, days, "one ISO date per recorded day");
  return days;
}

std::string in_agents(const char* dataset) {
  return std::string(schema::kAgentsGroup) + "/" + dataset;
}

// How many agents (none without an agents/ group) and observer fleets a scenario group has.
struct AgentCounts {
  std::optional<std::uint64_t> agents;
  std::uint64_t fleets = 0;
};

// Agents: every agents/* array has one entry per agent.
AgentCounts check_agents_group(hid_t g, const std::string& where, const SchemaCheck& c,
                               const std::string& path) {
  AgentCounts n;
  const std::string agents_machine = in_agents(schema::kCoordMachine);
  if (!h5::exists(g, agents_machine)) return n;
  const DatasetInfo m = dataset_info(g, agents_machine);
  if (m.dims.size() != 1)
    c.fail(where + agents_machine, "a 1-D string array (one per agent)", c.found(m));
  n.agents = m.dims[0];
  h5::Handle ag = h5::open_group(g, schema::kAgentsGroup);
  const auto n_arch = h5::get_int_attr(ag.get(), schema::kAttrNArchetypes);
  const auto n_fl = h5::get_int_attr(ag.get(), schema::kAttrNFleets);
  if (!n_arch || !n_fl || *n_arch < 0 || *n_fl < 0 ||
      static_cast<std::uint64_t>(*n_arch + *n_fl) != *n.agents)
    throw Error(path + ": group " + where +
                "agents: attributes n_archetypes + n_fleets must equal the " +
                std::to_string(*n.agents) + " agents of agents/machine");
  n.fleets = static_cast<std::uint64_t>(*n_fl);
  c.strings(g, where, agents_machine, *n.agents, "one per agent");
  if (h5::exists(g, in_agents(schema::kCoordStrategy)))
    c.strings(g, where, in_agents(schema::kCoordStrategy), *n.agents, "one per agent");
  for (const char* s : {schema::kCoordTariff, schema::kAgentsIsObserver,
                        schema::kAgentsCountsInNetwork, schema::kAgentsInitialMachines})
    if (h5::exists(g, in_agents(s)))
      c.numeric(g, where, in_agents(s), {*n.agents}, "one per agent");
  return n;
}

// The group's data datasets: coordinates (dimension scales and the agent labels copied into each
// data group) are not data.
std::vector<std::string> data_datasets(hid_t g) {
  std::vector<std::string> all;
  list_datasets(g, "", all);
  all.erase(std::remove_if(all.begin(), all.end(),
                           [](const std::string& ds) {
                             const auto slash = ds.rfind('/');
                             if (slash == std::string::npos) return false;
                             const std::string base = ds.substr(slash + 1);
                             const bool agents =
                                 ds.rfind(std::string(schema::kAgentsGroup) + "/", 0) == 0;
                             return schema::is_coordinate(base) ||
                                    (!agents && (base == schema::kCoordMachine ||
                                                 base == schema::kCoordStrategy ||
                                                 base == schema::kCoordTariff));
                           }),
            all.end());
  return all;
}

// Checks the per-path datasets' shapes; returns the per-path shape of each, by the name its
// summaries use.
std::map<std::string, std::vector<std::uint64_t>> check_per_path_datasets(
    hid_t g, const std::string& where, const SchemaCheck& c, const std::vector<std::string>& all,
    std::uint64_t n_paths, std::uint64_t days, const AgentCounts& n) {
  std::map<std::string, std::vector<std::uint64_t>> per_path;
  for (const auto& ds : all) {
    const auto slash = ds.find('/');
    if (slash == std::string::npos) continue;
    const std::string top = ds.substr(0, slash);
    if (top == schema::kPathsGroup) {
      c.numeric(g, where, ds, {n_paths, days}, "[n_paths, recorded days]");
      per_path[ds.substr(slash + 1)] = {days};
    } else if (top == schema::kArchetypeFinalGroup || top == schema::kFleetsGroup ||
               top == schema::kArchetypesGroup) {
      if (!n.agents) c.fail(where + ds, "an agents/ group describing its agents", "none");
      const DatasetInfo i = dataset_info(g, ds);
      std::vector<std::uint64_t> want;
      if (top == schema::kArchetypeFinalGroup)
        want = {n_paths, *n.agents};
      else if (top == schema::kFleetsGroup)
        want = {n_paths, n.fleets, days};
      else
        want = {n_paths, *n.agents, i.dims.size() == 3 ? i.dims[2] : 0};
      c.numeric(g, where, ds, want,
                top == schema::kArchetypeFinalGroup ? "[n_paths, n_agents]"
                : top == schema::kFleetsGroup       ? "[n_paths, n_fleets, recorded days]"
                                                    : "[n_paths, n_agents, recorded days / k]");
      per_path[ds] = std::vector<std::uint64_t>(want.begin() + 1, want.end());
    }
  }
  return per_path;
}

// Each summary/ dataset is shaped like one path of its source (the quantiles with a leading
// quantile axis), or without a source at least a numeric array.
void check_summaries(hid_t g, const std::string& where, const SchemaCheck& c,
                     const std::vector<std::string>& all,
                     const std::map<std::string, std::vector<std::uint64_t>>& per_path) {
  const std::string summary_prefix = std::string(schema::kSummaryGroup) + "/";
  for (const auto& ds : all) {
    if (ds.rfind(summary_prefix, 0) != 0) continue;
    const std::string rest = ds.substr(summary_prefix.size());
    const auto last = rest.rfind('/');
    const std::string source = last == std::string::npos ? rest : rest.substr(0, last);
    const auto it = per_path.find(source);
    if (it == per_path.end()) {
      // A summary without its per-path dataset: at least one value per recorded day or agent.
      const DatasetInfo i = dataset_info(g, ds);
      if ((i.type_class != H5T_FLOAT && i.type_class != H5T_INTEGER) || i.dims.empty())
        c.fail(where + ds, "a numeric array", c.found(i));
      continue;
    }
    if (ds.substr(ds.rfind('/') + 1) == schema::kSummaryQuantiles) {
      std::vector<std::uint64_t> want{std::size(schema::kQuantileLevels)};
      want.insert(want.end(), it->second.begin(), it->second.end());
      c.numeric(g, where, ds, want, "[quantile, ...] over paths of " + source);
      continue;
    }
    c.numeric(g, where, ds, it->second, "shaped like one path of " + source);
  }
}

void check_scenario(hid_t file, const std::string& name, const SchemaCheck& c,
                    const std::string& path) {
  const std::string where = "/" + schema::scenario_group(name) + "/";
  h5::Handle grp = h5::open_group(file, schema::scenario_group(name));
  const hid_t g = grp.get();
  const auto n_paths_attr = h5::get_int_attr(g, schema::kAttrNPaths);
  if (!n_paths_attr || *n_paths_attr < 0)
    throw Error(path + ": group /scenarios/" + name +
                " has no valid n_paths attribute (not written by hashsim run/sweep)");
  const auto n_paths = static_cast<std::uint64_t>(*n_paths_attr);
  const std::uint64_t days = check_day_axis(g, where, c);
  const AgentCounts n = check_agents_group(g, where, c, path);
  const std::vector<std::string> all = data_datasets(g);
  check_summaries(g, where, c, all, check_per_path_datasets(g, where, c, all, n_paths, days, n));
}
}  // namespace

void check_results_schema(hid_t file, const std::string& path) {
  const auto version = h5::get_int_attr(file, schema::kAttrSchemaVersion);
  if (!version)
    throw Error(path +
                ": not a hashsim results file (no schema_version attribute on /; write one with "
                "hashsim run or sweep)");
  // Version 1 files hold the same datasets without dimension scales: still readable.
  if (*version < schema::kResultsOldestReadable || *version > kSchemaVersion)
    throw Error(path + ": results schema version " + std::to_string(*version) +
                "; this hashsim reads versions " + std::to_string(schema::kResultsOldestReadable) +
                " to " + std::to_string(kSchemaVersion));
  if (!h5::exists(file, schema::kScenariosGroup))
    throw Error(path + ": no /scenarios group (not a hashsim results file)");
  h5::Handle sg = h5::open_group(file, schema::kScenariosGroup);
  const SchemaCheck c(path);
  for (const auto& name : h5::list_children(sg.get())) check_scenario(file, name, c, path);
}

}  // namespace hashsim::io
