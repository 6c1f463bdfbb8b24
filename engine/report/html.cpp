#include "engine/report/html.h"

#include "engine/report/assets.h"
#include "engine/report/blocks_view.h"
#include "engine/report/report_data.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"
#include "engine/util/version.h"

namespace hashsim::report {

namespace {
// Replaces the one occurrence of `marker` in `page` (the templates have each marker once).
void fill(std::string& page, std::string_view marker, std::string_view text) {
  const auto pos = page.find(marker);
  if (pos == std::string::npos)
    throw Error("report template: marker " + std::string(marker) + " missing");
  page.replace(pos, marker.size(), text);
}
}  // namespace

std::string_view required_asset(std::string_view name) {
  const std::string_view a = embedded_asset(name);
  if (a.empty())
    throw Error("internal: web asset '" + std::string(name) + "' was not embedded at build time");
  return a;
}

std::string script_safe(std::string_view text) {
  // A trailing "//# sourceMappingURL=..." would point a browser's developer tools at a file the
  // report does not carry: drop it.
  if (const auto p = text.rfind("\n//# sourceMappingURL=");
      p != std::string_view::npos && text.find('\n', p + 1) >= text.find_last_not_of("\r\n"))
    text = text.substr(0, p);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string render_report_html(const nlohmann::json& data) {
  std::string page(required_asset("report.html"));
  std::string libs;
  for (const char* lib :
       {"chart.js", "chartjs-plugin-annotation.js", "chartjs-chart-matrix.js", "common.js"}) {
    libs += "<script>\n" + script_safe(required_asset(lib)) + "\n</script>\n";
  }
  // Fill the data last, so that nothing in it can be taken for a marker.
  fill(page, "<!--@STYLE@-->",
       "<style>\n" + std::string(required_asset("style.css")) + "\n</style>");
  fill(page, "<!--@LIBS@-->", libs);
  // score.js draws the "Forecast scores" section (hashsim score --json), kept apart from report.js.
  // score.js and blocks.js ("Block revenue", shared with the dashboard) after the page script.
  std::string scripts;
  for (const char* js : {"report.js", "score.js", "blocks.js"})
    scripts += "<script>\n" + script_safe(required_asset(js)) + "\n</script>\n";
  fill(page, "<!--@SCRIPT@-->", scripts);
  const std::string json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  fill(page, "<!--@DATA@-->",
       "<script type=\"application/json\" id=\"report-data\">" + script_safe(json) + "</script>");
  return page;
}

nlohmann::json load_score_json(const std::filesystem::path& score_file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(score_file));
  } catch (const nlohmann::json::exception& e) {
    throw Error(score_file.string() + ": not a JSON document (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "hashsim-score-1" ||
      !j.contains("cells") || !j["cells"].is_array() || !j.contains("fans") ||
      !j["fans"].is_array())
    throw Error(score_file.string() +
                ": not a hashsim score file (schema hashsim-score-1 with cells and fans; "
                "write one with hashsim score --json FILE)");
  return j;
}

nlohmann::json empty_report_json() {
  const nlohmann::json meta = {{"results_file", nullptr},
                               {"report_hashsim_version", kVersion},
                               {"report_git_sha", kGitSha},
                               {"report_created_utc", utc_now_iso8601()}};
  return {{"meta", meta}, {"scenarios", nlohmann::json::array()}, {"site", nullptr}};
}

void write_report(const std::filesystem::path& results, const std::filesystem::path& site_file,
                  const std::filesystem::path& out, const std::filesystem::path& score_file,
                  Overwrite mode, const std::filesystem::path& blocks_file) {
  if (results.empty() && !site_file.empty())
    throw OptionError("a {site} file needs the results file the site analysis ran over");
  if (results.empty() && score_file.empty() && blocks_file.empty())
    throw OptionError("nothing to report: give a results file, a {blocks} file or a {score} file");
  nlohmann::json data = results.empty() ? empty_report_json() : report_json(results, site_file);
  if (!score_file.empty()) data["score"] = load_score_json(score_file);
  if (!blocks_file.empty()) data["blocks"] = blocks_view_json(blocks_file);
  write_file_atomic(out, render_report_html(data), mode);
}

std::string dashboard_html() {
  std::string page(required_asset("dashboard.html"));
  fill(page, "<!--@STYLE@-->",
       "<style>\n" + std::string(required_asset("style.css")) + "\n</style>");
  return page;
}

}  // namespace hashsim::report
