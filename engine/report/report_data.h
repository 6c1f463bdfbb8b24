#pragma once
// What `hashsim report` shows, read from a results file (README.md, "Output schema") into one
// JSON document the report page draws: per scenario the P5..P95 bands of the market series, the
// halving dates, the per-archetype outcome grid and the observer fleets; plus provenance.
// Numbers are the engine's own summaries (summary/<series>/...), never recomputed here.
#include <hdf5.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/io/schema.h"
#include "engine/util/units.h"

namespace hashsim::report {

// Series drawn as fan charts, in order.
inline constexpr const char* kFanSeries[] = {
    io::schema::kSeriesPriceUsd, io::schema::kSeriesNetworkHashrateThs,
    io::schema::kSeriesDifficulty, io::schema::kSeriesHashpriceUsd};
using units::kHalvingInterval;

struct Halving {
  std::size_t day_index = 0;  // index into the recorded days
  std::int64_t height = 0;    // the multiple of 210,000 crossed
};
// The first recorded day on which `height` reaches each multiple of 210,000 above its day-0 value.
std::vector<Halving> halvings_from_heights(const std::vector<double>& height);

// One scenario group, /scenarios/<name>.
nlohmann::json scenario_json(hid_t file, const std::string& name);
// The whole document: {"meta": {...}, "scenarios": [...], "site": {...} or null}.
// site_file: optional HDF5 written by `hashsim site -o` (its /site group).
nlohmann::json report_json(const std::filesystem::path& results,
                           const std::filesystem::path& site_file = {});

}  // namespace hashsim::report
