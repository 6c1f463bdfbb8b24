#pragma once
// Assembles the report page: one self-contained HTML file (no network, no CDN) holding the
// embedded chart library, the page script and style, and the report data as inline JSON.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

#include "engine/util/atomic_file.h"

namespace hashsim::report {

// Text safe inside <script>: "</" becomes "<\/" (same meaning in JS strings and JSON).
std::string script_safe(std::string_view text);
// The report page for a report_json() document.
std::string render_report_html(const nlohmann::json& data);
// report_json + render_report_html, written atomically (<out>.partial renamed when complete).
// `score_file` (optional): JSON from `hashsim score --json` (engine/history/score.h), shown in the
// "Forecast scores" section (web/src/score.js); an unreadable file or another schema is an Error.
// `blocks_file` (optional): HDF5 from `hashsim blocks revenue --h5`, shown in the "Block revenue"
// section (engine/report/blocks_view.h, web/src/blocks.js). `results` may be empty when
// `blocks_file` or `score_file` is given (a report of a ledger alone); `site_file` needs it.
void write_report(const std::filesystem::path& results, const std::filesystem::path& site_file,
                  const std::filesystem::path& out, const std::filesystem::path& score_file = {},
                  Overwrite mode = Overwrite::kReplace,
                  const std::filesystem::path& blocks_file = {});
// The report document of no results file: provenance of the report only, no scenarios.
nlohmann::json empty_report_json();
// Reads and checks a `hashsim score --json` file (schema "hashsim-score-1").
nlohmann::json load_score_json(const std::filesystem::path& score_file);
// The dashboard page served by `hashsim serve` (scripts from /assets/...).
std::string dashboard_html();
// The embedded asset or an Error naming it (a build without it is broken).
std::string_view required_asset(std::string_view name);

}  // namespace hashsim::report
