// The compiled half of the `hashsim` Python package (python/hashsim/__init__.py is the typed,
// documented front). Everything goes through the same library calls as the CLI: scenarios through
// the scenario loader, files through sim::simulate_to_file, so a file written from Python has the
// same datasets, byte for byte, as `hashsim run` with the same inputs. The GIL is released while
// simulating; hashsim::Error becomes _hashsim.Error (converted to hashsim.Error with file, line and
// key in the package).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/io/schema.h"
#include "engine/live/live_data.h"
#include "engine/live/snapshot.h"
#include "engine/scenario/scenario.h"
#include "engine/scenario/sweep.h"
#include "engine/sim/runner.h"
#include "engine/sim/simulate_file.h"
#include "engine/site/site_config.h"
#include "engine/site/site_output.h"
#include "engine/util/error.h"
#include "engine/util/version.h"

namespace py = pybind11;
namespace fs = std::filesystem;
using hashsim::scenario::Scenario;

namespace {

std::vector<Scenario> with_start_resolved(const Scenario& s) {
  std::vector<Scenario> list{s};
  hashsim::sim::apply_start_sources(list);
  return list;
}

// Simulates every path of the scenario in memory: one float64 array per output dataset, shaped
// [paths, ...per-path shape], filled block by block in path order while the GIL is released.
py::dict run_in_memory(const Scenario& scenario, int threads, std::uint64_t block_paths) {
  const Scenario s = with_start_resolved(scenario).front();
  const auto specs = hashsim::sim::output_specs(s);
  const auto n_paths = static_cast<std::uint64_t>(s.paths);
  std::vector<py::array_t<double>> arrays;
  std::vector<double*> out;
  arrays.reserve(specs.size());
  for (const auto& spec : specs) {
    std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(n_paths)};
    for (auto d : spec.per_path_shape) shape.push_back(static_cast<py::ssize_t>(d));
    arrays.emplace_back(shape);
    out.push_back(arrays.back().mutable_data());
  }
  hashsim::sim::RunOptions o;
  o.threads = threads;
  o.block_paths = block_paths;
  {
    py::gil_scoped_release release;
    hashsim::sim::run_paths(
        s, 0, n_paths, o,
        [&](std::uint64_t first, std::uint64_t n, const std::vector<const double*>& data) {
          for (std::size_t k = 0; k < specs.size(); ++k) {
            const std::uint64_t size = specs[k].per_path_size();
            std::memcpy(out[k] + first * size, data[k], n * size * sizeof(double));
          }
        });
  }
  py::dict result;
  for (std::size_t k = 0; k < specs.size(); ++k) result[py::str(specs[k].name)] = arrays[k];
  py::dict units;
  for (const auto& spec : specs) units[py::str(spec.name)] = spec.unit;
  py::dict meta;
  meta["units"] = units;
  meta["start_date"] = s.start.date;
  meta["record_every_days"] = s.record.every_days;
  meta["horizon_days"] = s.horizon_days;
  meta["name"] = s.name;
  return py::dict(py::arg("arrays") = result, py::arg("meta") = meta);
}

std::string to_file(std::vector<Scenario> list, const fs::path& out, int threads,
                    std::uint64_t block_paths, const std::string& command_line, bool overwrite) {
  hashsim::sim::SimulateFileOptions o;
  o.run.threads = threads;
  o.run.block_paths = block_paths;
  o.overwrite = overwrite ? hashsim::Overwrite::kReplace : hashsim::Overwrite::kRefuse;
  {
    py::gil_scoped_release release;
    hashsim::sim::simulate_to_file(std::move(list), out, command_line, o);
  }
  return out.string();
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw hashsim::Error(p.string() + ": cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// _hashsim.schema: the names of engine/io/schema.h, so that Python readers (the package, tests,
// examples) name groups, datasets and dimensions from the one place the writers use.
void add_schema(py::module_& m) {
  namespace sc = hashsim::io::schema;
  py::module_ s =
      m.def_submodule("schema", "Group, dataset and dimension names of hashsim's HDF5 files");
  s.attr("KIND_RESULTS") = sc::kKindResults;
  s.attr("KIND_SITE") = sc::kKindSite;
  s.attr("KIND_BACKTEST") = sc::kKindBacktest;
  s.attr("KIND_BLOCK_REVENUE") = sc::kKindBlockRevenue;
  s.attr("RESULTS_VERSION") = sc::kResultsVersion;
  s.attr("RESULTS_OLDEST_READABLE") = sc::kResultsOldestReadable;
  s.attr("ATTR_SCHEMA") = sc::kAttrSchema;
  s.attr("ATTR_SCHEMA_VERSION") = sc::kAttrSchemaVersion;
  s.attr("ATTR_SCENARIO_NAMES") = sc::kAttrScenarioNames;
  s.attr("ATTR_START_DATE") = sc::kAttrStartDate;
  s.attr("SCENARIOS_GROUP") = sc::kScenariosGroup;
  s.attr("PATHS_GROUP") = sc::kPathsGroup;
  s.attr("SUMMARY_GROUP") = sc::kSummaryGroup;
  s.attr("AGENTS_GROUP") = sc::kAgentsGroup;
  s.attr("ARCHETYPE_FINAL_GROUP") = sc::kArchetypeFinalGroup;
  s.attr("FLEETS_GROUP") = sc::kFleetsGroup;
  s.attr("DIM_PATH") = sc::kDimPath;
  s.attr("DIM_DAY") = sc::kDimDay;
  s.attr("DIM_AGENT") = sc::kDimAgent;
  s.attr("DIM_FLEET") = sc::kDimFleet;
  s.attr("DIM_QUANTILE") = sc::kDimQuantile;
  s.attr("DIM_YEAR") = sc::kDimYear;
  s.attr("COORD_DATE") = sc::kCoordDate;
  s.attr("SERIES") = std::vector<std::string>(std::begin(sc::kSeries), std::end(sc::kSeries));
  s.attr("SUMMARY_STATS") =
      std::vector<std::string>(std::begin(sc::kSummaryStats), std::end(sc::kSummaryStats));
  s.attr("QUANTILE_LEVELS") =
      std::vector<double>(std::begin(sc::kQuantileLevels), std::end(sc::kQuantileLevels));
  s.attr("SUMMARY_QUANTILES") = sc::kSummaryQuantiles;
  s.attr("SUFFIX_MEAN") = sc::kSuffixMean;
  s.attr("SUFFIX_STDERR") = sc::kSuffixStderr;
  s.attr("SUFFIX_QUANTILES") = sc::kSuffixQuantiles;
  s.def("scenario_group", &sc::scenario_group, py::arg("scenario"), "\"scenarios/<name>\"");
  s.def("paths_dataset", &sc::paths_dataset, py::arg("series"), "\"paths/<series>\"");
  s.def("summary_dataset", &sc::summary_dataset, py::arg("output"), py::arg("stat"),
        "\"summary/<output>/<stat>\"");
}

}  // namespace

PYBIND11_MODULE(_hashsim, m) {
  m.doc() = "hashsim engine bindings (use the `hashsim` package, not this module)";
  py::register_exception<hashsim::Error>(m, "Error", PyExc_ValueError);

  py::class_<Scenario>(m, "Scenario")
      .def_readonly("name", &Scenario::name)
      .def_readonly("description", &Scenario::description)
      .def_readonly("paths", &Scenario::paths)
      .def_readonly("horizon_days", &Scenario::horizon_days)
      .def_readonly("seed", &Scenario::seed)
      .def_readonly("variant", &Scenario::variant)
      .def_readonly("yaml_text", &Scenario::yaml_text)
      .def_property_readonly("file", [](const Scenario& s) { return s.file.string(); })
      .def_property_readonly("start_date", [](const Scenario& s) { return s.start.date; })
      .def_property_readonly(
          "start_source",
          [](const Scenario& s) { return std::string(start_source_name(s.start.source)); })
      .def_property_readonly("record_every_days",
                             [](const Scenario& s) { return s.record.every_days; })
      .def_property_readonly("has_agents", [](const Scenario& s) { return s.agents.has_value(); })
      .def("__repr__", [](const Scenario& s) {
        return "<hashsim.Scenario '" + s.name + "' paths=" + std::to_string(s.paths) +
               " horizon_days=" + std::to_string(s.horizon_days) +
               " seed=" + std::to_string(s.seed) + ">";
      });

  m.def(
      "load_scenario",
      [](const fs::path& file, const std::vector<std::pair<std::string, std::string>>& keys,
         std::optional<std::int64_t> paths, std::optional<int> days,
         std::optional<std::uint64_t> seed) {
        std::vector<hashsim::scenario::KeyOverride> k;
        k.reserve(keys.size());
        for (const auto& [key, value] : keys) k.push_back({key, value});
        return hashsim::scenario::load_scenario_with_keys(file, k, {paths, days, seed});
      },
      py::arg("file"), py::arg("keys"), py::arg("paths"), py::arg("days"), py::arg("seed"));

  m.def("load_sweep", [](const fs::path& file, std::optional<std::int64_t> paths,
                         std::optional<int> days, std::optional<std::uint64_t> seed) {
    return hashsim::scenario::load_sweep(file, {paths, days, seed}).scenarios;
  });

  m.def("run_in_memory", &run_in_memory, py::arg("scenario"), py::arg("threads"),
        py::arg("block_paths"));
  m.def(
      "run_to_file",
      [](const std::vector<Scenario>& list, const fs::path& out, int threads,
         std::uint64_t block_paths, const std::string& command_line, bool overwrite) {
        return to_file(list, out, threads, block_paths, command_line, overwrite);
      },
      py::arg("scenarios"), py::arg("out"), py::arg("threads"), py::arg("block_paths"),
      py::arg("command_line"), py::arg("overwrite"));

  m.def(
      "site_json",
      [](const fs::path& site_file, const fs::path& results,
         const std::vector<std::string>& scenarios, const std::string& out, bool overwrite,
         const std::string& command_line) {
        const hashsim::site::SiteConfig c =
            hashsim::site::parse_site_config(read_text(site_file), site_file);
        std::string text;
        {
          py::gil_scoped_release release;
          const auto run = hashsim::site::run_site(c, results, scenarios, command_line);
          text = hashsim::site::summary_json(run).dump();
          if (!out.empty())
            hashsim::site::write_site_hdf5(
                run, out, overwrite ? hashsim::Overwrite::kReplace : hashsim::Overwrite::kRefuse);
        }
        return text;
      },
      py::arg("site_file"), py::arg("results"), py::arg("scenarios"), py::arg("out"),
      py::arg("overwrite"), py::arg("command_line"));

  m.def(
      "live_json",
      [](bool refresh, bool offline) {
        hashsim::live::LiveOptions o = hashsim::live::live_options_from_env();
        if (refresh) o.mode = hashsim::live::LiveMode::Refresh;
        if (offline) o.mode = hashsim::live::LiveMode::CacheOnly;
        std::string text;
        {
          py::gil_scoped_release release;
          text = hashsim::live::snapshot_to_text(hashsim::live::build_snapshot(o), -1);
        }
        return text;
      },
      py::arg("refresh"), py::arg("offline"));

  m.attr("__version__") = hashsim::kVersion;
  m.attr("git_sha") = hashsim::kGitSha;
  add_schema(m);
}
