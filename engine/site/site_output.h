#pragma once
// Outputs of the site command: the terminal report, the /site group of an HDF5 file and the JSON
// run summary (every input plus the data snapshot used, so a forecast can be cited later).
// Layouts: scenarios/README-site.md ("Outputs").
// One file each: site_output.cpp (run_site), site_report_text.cpp, site_json.cpp, site_hdf5.cpp.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/site/economics.h"
#include "engine/site/paths_input.h"
#include "engine/util/atomic_file.h"

namespace hashsim::site {

// Everything one `hashsim site` run read and computed.
struct SiteRun {
  SiteAnalysis analysis;
  std::vector<MinerOffer> offers;
  std::filesystem::path results_file;
  ScenarioInfo selection_info;               // its snapshot supplies the FX rate and the cited data
  std::vector<ScenarioInfo> scenario_infos;  // same order as analysis.scenarios
  std::string command_line;
};

// Reads the results file and analyses the named scenarios (empty: every scenario in the file, in
// its order). The selection scenario is read even when not listed.
SiteRun run_site(const SiteConfig& c, const std::filesystem::path& results_file,
                 std::vector<std::string> scenarios, std::string command_line = "");

std::string format_report(const SiteRun& run);
nlohmann::json summary_json(const SiteRun& run);
// Writes a new HDF5 file holding /site (atomically: <path>.partial renamed when complete).
// An existing file is replaced only with mode kReplace (engine/util/atomic_file.h).
void write_site_hdf5(const SiteRun& run, const std::filesystem::path& path,
                     Overwrite mode = Overwrite::kReplace);
// Writes the file to out.partial_path() and leaves the commit to the caller, so that several
// outputs can be committed together (none is left behind when a later one fails).
void write_site_hdf5(const SiteRun& run, AtomicOutput& out);

}  // namespace hashsim::site
