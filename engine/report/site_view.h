#pragma once
// The site section of the report and the dashboard's answer: the engine's site summary
// (engine/site/site_output.h summary_json) plus per-scenario, per-play views of the per-path
// cashflows: annual, cumulative and discounted cumulative cashflow bands (P5..P95 over paths, by
// year), and NPV / IRR histograms. Built from a SiteRun in memory (dashboard) or from the /site
// group of an HDF5 file (report), so both show the same numbers.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/site/site_output.h"

namespace hashsim::report {

struct PlayPaths {
  std::string key, label;
  bool available = false;
  std::string reason;
  std::vector<double> cashflows;  // [path][years + 1]
  std::vector<double> npv, irr;   // [path], NaN where undefined
};
struct ScenarioPlays {
  std::string scenario;
  std::size_t n_paths = 0;
  int years = 0;
  std::vector<PlayPaths> plays;
};
struct SiteView {
  nlohmann::json summary;  // summary_json(run)
  double discount_rate = 0.0;
  // The miner-choice grid: power prices, and per [price][miner] cost per TH/day and payback days.
  std::vector<double> grid_power_prices, grid_cost_per_th_day, grid_payback_days;
  std::vector<ScenarioPlays> scenarios;
};

SiteView site_view_from_run(const site::SiteRun& run);
SiteView read_site_view(const std::filesystem::path& site_h5);

// Quantile bands over paths for each year t = 0..years, of x[path][t].
struct Bands {
  std::vector<double> p5, p25, p50, p75, p95, mean;
};
Bands year_bands(const std::vector<double>& x, std::size_t n_paths, int years);
// Per path: C_t = sum_{s<=t} CF_s, optionally discounted CF_s / (1 + rate)^s.
std::vector<double> cumulative(const std::vector<double>& cashflows, std::size_t n_paths, int years,
                               double discount_rate = 0.0, bool discounted = false);

struct Histogram {
  double lo = 0, hi = 0;
  std::vector<std::size_t> counts;  // equal-width bins over [lo, hi]; NaN values left out
  std::size_t n_undefined = 0;
};
Histogram histogram(const std::vector<double>& values, int bins = 24);

nlohmann::json site_view_json(const SiteView& v);

}  // namespace hashsim::report
