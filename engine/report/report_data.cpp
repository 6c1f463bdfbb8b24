#include "engine/report/report_data.h"

#include <cmath>
#include <limits>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/report/json_numbers.h"
#include "engine/report/site_view.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/version.h"

namespace hashsim::report {

namespace {

std::string str_attr(hid_t obj, const std::string& name) {
  return h5::get_string_attr(obj, name).value_or("");
}

nlohmann::json parsed_or_text(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

namespace sc = io::schema;
const char* const kStats[] = {sc::kStatMean, sc::kStatP5,  sc::kStatP25,
                              sc::kStatP50,  sc::kStatP75, sc::kStatP95};
// agents/<dataset>
std::string agents(const char* dataset) { return std::string(sc::kAgentsGroup) + "/" + dataset; }

// summary/<name>/{mean,p5..p95} as {"mean": [...], ...}; null when the series was not recorded.
nlohmann::json summary_bands(hid_t g, const std::string& name) {
  if (!h5::exists(g, sc::summary_dataset(name, sc::kStatP50))) return nullptr;
  nlohmann::json j;
  for (const char* s : kStats)
    j[s] = json_numbers(h5::read_vector(g, sc::summary_dataset(name, s)));
  return j;
}

// The archetype outcome grid: mean over paths of archetype_final/<field> per environment
// archetype (observers excluded), as cells (strategy, machine, tariff) -> value.
nlohmann::json archetype_grid(hid_t g) {
  if (!h5::exists(g, agents(sc::kCoordMachine))) return nullptr;
  const auto machine = h5::read_strings(g, agents(sc::kCoordMachine));
  const auto strategy = h5::read_strings(g, agents(sc::kCoordStrategy));
  const auto tariff = h5::read_vector(g, agents(sc::kCoordTariff));
  const auto observer = h5::read_vector(g, agents(sc::kAgentsIsObserver));
  nlohmann::json fields = nlohmann::json::object();
  for (const auto field : {sc::ArchetypeFinal::ProfitTotalUsd, sc::ArchetypeFinal::Usd,
                           sc::ArchetypeFinal::HashrateThs, sc::ArchetypeFinal::MachinesOn}) {
    const char* name = sc::kArchetypeFinalFields[sc::slot(field)].name;
    const std::string path =
        sc::summary_dataset(std::string(sc::kArchetypeFinalGroup) + "/" + name, sc::kStatMean);
    if (!h5::exists(g, path)) continue;
    const auto mean = h5::read_vector(g, path);
    nlohmann::json cells = nlohmann::json::array();
    for (std::size_t a = 0; a < mean.size() && a < machine.size(); ++a) {
      if (observer[a] != 0.0) continue;
      cells.push_back({{"machine", machine[a]},
                       {"strategy", strategy[a]},
                       {"tariff_usd_per_kwh", tariff[a]},
                       {"mean", json_number(mean[a])}});
    }
    fields[name] = cells;
  }
  return fields;
}

// Observer fleets: value / budget over time (P5..P95 and mean over paths), named by machine,
// tariff and strategy (agents/* rows after the environment archetypes).
nlohmann::json fleets(hid_t g) {
  const std::string value_over_budget = std::string(sc::kFleetsGroup) + "/" +
                                        sc::kFleetFields[sc::slot(sc::Fleet::ValueOverBudget)].name;
  if (!h5::exists(g, sc::summary_dataset(value_over_budget, sc::kStatP50)) ||
      !h5::exists(g, agents(sc::kCoordMachine)))
    return nullptr;
  const auto machine = h5::read_strings(g, agents(sc::kCoordMachine));
  const auto strategy = h5::read_strings(g, agents(sc::kCoordStrategy));
  const auto tariff = h5::read_vector(g, agents(sc::kCoordTariff));
  const auto observer = h5::read_vector(g, agents(sc::kAgentsIsObserver));
  std::vector<std::size_t> rows;
  for (std::size_t a = 0; a < observer.size(); ++a)
    if (observer[a] != 0.0) rows.push_back(a);
  h5::Handle ds = h5::open_dataset(g, sc::summary_dataset(value_over_budget, sc::kStatP50));
  const auto dims = h5::shape(ds.get());
  if (dims.size() != 2)
    throw Error(std::string(sc::kSummaryGroup) + "/" + value_over_budget +
                ": expected [fleets, days]");
  const std::size_t nf = dims[0], nd = dims[1];
  std::vector<std::vector<double>> stat;
  for (const char* s : kStats)
    stat.push_back(h5::read_vector(g, sc::summary_dataset(value_over_budget, s)));
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t f = 0; f < nf; ++f) {
    std::string name = "fleet " + std::to_string(f + 1);
    if (f < rows.size()) {
      const std::size_t a = rows[f];
      char tar[32];
      std::snprintf(tar, sizeof tar, "%.3g", tariff[a] * 100.0);
      name = machine[a] + " at " + tar + " c/kWh, " + strategy[a];
    }
    nlohmann::json j = {{"name", name}};
    for (std::size_t k = 0; k < stat.size(); ++k)
      j[kStats[k]] = json_numbers(
          std::vector<double>(stat[k].begin() + static_cast<std::ptrdiff_t>(f * nd),
                              stat[k].begin() + static_cast<std::ptrdiff_t>((f + 1) * nd)));
    out.push_back(j);
  }
  return out;
}

}  // namespace

std::vector<Halving> halvings_from_heights(const std::vector<double>& height) {
  std::vector<Halving> out;
  if (height.empty() || !std::isfinite(height[0])) return out;
  // The next multiple strictly above the start height.
  std::int64_t next =
      (static_cast<std::int64_t>(std::floor(height[0])) / kHalvingInterval + 1) * kHalvingInterval;
  for (std::size_t d = 1; d < height.size(); ++d) {
    while (std::isfinite(height[d]) && height[d] >= static_cast<double>(next)) {
      out.push_back({d, next});
      next += kHalvingInterval;
    }
  }
  return out;
}

nlohmann::json scenario_json(hid_t file, const std::string& name) {
  h5::Handle grp = h5::open_group(file, sc::scenario_group(name));
  const hid_t g = grp.get();
  nlohmann::json j;
  j["name"] = name;
  // The report's JSON keys are the file's attribute names.
  for (const char* a :
       {sc::kAttrDescription, sc::kAttrVariant, sc::kAttrScenarioFile, sc::kAttrScenarioText,
        sc::kAttrScenarioSha256, sc::kAttrStartDate, sc::kAttrStartSource})
    j[a] = str_attr(g, a);
  j[sc::kAttrSeed] = h5::get_int_attr(g, sc::kAttrSeed).value_or(0);
  j[sc::kAttrNPaths] = h5::get_int_attr(g, sc::kAttrNPaths).value_or(0);
  j[sc::kAttrNDays] = h5::get_int_attr(g, sc::kAttrNDays).value_or(0);
  j[sc::kAttrRecordEveryDays] = h5::get_int_attr(g, sc::kAttrRecordEveryDays).value_or(1);
  j[sc::kAttrComplete] = h5::get_int_attr(g, sc::kAttrComplete).value_or(0) == 1;
  j[sc::kAttrLiveSnapshot] =
      parsed_or_text(h5::get_string_attr(g, sc::kAttrLiveSnapshot).value_or("{}"));
  j[sc::kDimDay] = json_numbers(h5::exists(g, sc::kDimDay) ? h5::read_vector(g, sc::kDimDay)
                                                           : std::vector<double>{});
  j[sc::kCoordDate] = h5::exists(g, sc::kCoordDate)
                          ? nlohmann::json(h5::read_strings(g, sc::kCoordDate))
                          : nlohmann::json::array();
  nlohmann::json series = nlohmann::json::object();
  for (const char* s : kFanSeries) series[s] = summary_bands(g, s);
  j["series"] = series;
  // Halvings from the median height path (block arrivals vary little between paths).
  nlohmann::json hv = nlohmann::json::array();
  if (h5::exists(g, sc::summary_dataset(sc::kSeriesHeight, sc::kStatP50))) {
    const auto height = h5::read_vector(g, sc::summary_dataset(sc::kSeriesHeight, sc::kStatP50));
    for (const Halving& h : halvings_from_heights(height)) {
      nlohmann::json e = {{"day_index", h.day_index}, {"height", h.height}};
      const auto& dates = j["date"];
      if (h.day_index < dates.size()) e["date"] = dates[h.day_index];
      hv.push_back(e);
    }
  }
  j["halvings"] = hv;
  j["archetypes"] = archetype_grid(g);
  j["fleets"] = fleets(g);
  return j;
}

nlohmann::json report_json(const std::filesystem::path& results,
                           const std::filesystem::path& site_file) {
  h5::quiet_hdf5_errors();
  h5::Handle f = h5::open_file_readonly(results.string());
  io::check_results_schema(f.get(), results.string());  // shapes and types before any read
  const hid_t r = f.get();
  nlohmann::json meta = {
      {"results_file", results.string()},
      {sc::kAttrSchemaVersion, h5::get_int_attr(r, sc::kAttrSchemaVersion).value_or(0)},
      {sc::kAttrHashsimVersion, str_attr(r, sc::kAttrHashsimVersion)},
      {sc::kAttrGitSha, str_attr(r, sc::kAttrGitSha)},
      {sc::kAttrCreatedUtc, str_attr(r, sc::kAttrCreatedUtc)},
      {sc::kAttrCommandLine, str_attr(r, sc::kAttrCommandLine)},
      {"report_hashsim_version", kVersion},
      {"report_git_sha", kGitSha},
      {"report_created_utc", utc_now_iso8601()}};
  if (!h5::exists(r, sc::kScenariosGroup))
    throw Error(results.string() + ": no /scenarios group (not a hashsim results file)");
  h5::Handle sg = h5::open_group(r, sc::kScenariosGroup);
  nlohmann::json scenarios = nlohmann::json::array();
  // The order the run wrote them (root attr scenario_names), else the group's listing.
  std::vector<std::string> names;
  if (auto listed = h5::get_string_attr(r, sc::kAttrScenarioNames); listed && !listed->empty()) {
    std::size_t p = 0;
    while (p <= listed->size()) {
      const auto q = listed->find('\n', p);
      const std::string n = listed->substr(p, q == std::string::npos ? std::string::npos : q - p);
      if (!n.empty() && h5::exists(sg.get(), n)) names.push_back(n);
      if (q == std::string::npos) break;
      p = q + 1;
    }
  }
  if (names.empty()) names = h5::list_children(sg.get());
  for (const auto& n : names) scenarios.push_back(scenario_json(r, n));
  nlohmann::json site = nullptr;
  if (!site_file.empty()) site = site_view_json(read_site_view(site_file));
  return {{"meta", meta}, {"scenarios", scenarios}, {"site", site}};
}

}  // namespace hashsim::report
