#pragma once
// One schema for every HDF5 file hashsim writes (README "Output schema"): the names of groups,
// datasets, attributes and dimensions, the order of the per-path output slots the path simulator
// fills, and write_provenance(), the root attributes every file carries. Writers and readers use
// these names instead of string literals, so a rename happens in one place.
//
// Files are self-describing for netCDF/xarray readers: every dataset names its dimensions through
// HDF5 dimension scales (path, day with an ISO `date` coordinate, agent with
// machine/tariff/strategy coordinates, fleet, archetype_day, year, ...) and carries CF-style
// `units` and `long_name` attributes (CF conventions 1.10, section 3.1-3.3). Each group that holds
// data carries its own coordinate variables, because xarray.open_dataset(file, group=...) reads one
// group only.
#include <hdf5.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "engine/util/atomic_file.h"

namespace hashsim::io::schema {

// ---- file kinds and versions ------------------------------------------------------------------
// Every file's root has `schema` (one of these kinds) and `schema_version`.
inline constexpr const char* kKindResults = "hashsim.results";
inline constexpr const char* kKindSite = "hashsim.site";
inline constexpr const char* kKindBacktest = "hashsim.backtest";
inline constexpr const char* kKindBlockRevenue = "hashsim.block_revenue";
// Results version 2: dimension scales, CF `units`/`long_name` (was `unit`), per-group coordinates,
// `schema` kind on the root.
// Version 3: the scenario group alone is the scenario's dataset for xarray: each paths/<series> is
// also linked (an HDF5 hard link: the same data, no copy) as scenarios/<name>/<series>, its
// summaries as <series>_mean, <series>_stderr and <series>_quantiles [quantile, day]; every summary
// group has a `quantile` coordinate (the levels) and `quantiles` [quantile, ...] (p5..p95 stacked).
// Readers accept versions 1 and 2 too (the datasets they read are the same in all three).
inline constexpr std::int64_t kResultsVersion = 3;
inline constexpr std::int64_t kResultsOldestReadable = 1;
inline constexpr std::int64_t kSiteVersion = 2;  // 2: provenance on the root, dimension scales
inline constexpr std::int64_t kBacktestVersion = 2;
inline constexpr std::int64_t kBlockRevenueVersion = 2;

// ---- root (provenance) attributes -------------------------------------------------------------
inline constexpr const char* kAttrSchema = "schema";
inline constexpr const char* kAttrSchemaVersion = "schema_version";
inline constexpr const char* kAttrHashsimVersion = "hashsim_version";
inline constexpr const char* kAttrGitSha = "git_sha";
inline constexpr const char* kAttrCreatedUtc = "created_utc";
inline constexpr const char* kAttrCommandLine = "command_line";
inline constexpr const char* kAttrScenarioText =
    "scenario_yaml";                                     // also on each results scenario group
inline constexpr const char* kAttrSeed = "master_seed";  // also on each results scenario group
inline constexpr const char* kAttrDataSnapshot =
    "data_snapshot";  // JSON: data files / live values used
inline constexpr const char* kAttrScenarioNames = "scenario_names";
inline constexpr const char* kAttrConventions = "Conventions";  // "CF-1.10"

// ---- results groups ---------------------------------------------------------------------------
inline constexpr const char* kScenariosGroup = "scenarios";
inline constexpr const char* kPathsGroup = "paths";
inline constexpr const char* kSummaryGroup = "summary";
inline constexpr const char* kAgentsGroup = "agents";
inline constexpr const char* kArchetypeFinalGroup = "archetype_final";
inline constexpr const char* kFleetsGroup = "fleets";
inline constexpr const char* kArchetypesGroup = "archetypes";
std::string scenario_group(const std::string& scenario);  // "scenarios/<name>"

// ---- results scenario-group attributes --------------------------------------------------------
inline constexpr const char* kAttrName = "name";
inline constexpr const char* kAttrDescription = "description";
inline constexpr const char* kAttrVariant = "variant";
inline constexpr const char* kAttrScenarioFile = "scenario_file";
inline constexpr const char* kAttrScenarioSha256 = "scenario_sha256";
inline constexpr const char* kAttrNPaths = "n_paths";
inline constexpr const char* kAttrNDays = "n_days";
inline constexpr const char* kAttrRecordEveryDays = "record_every_days";
inline constexpr const char* kAttrStartDate = "start_date";
inline constexpr const char* kAttrStartSource = "start_source";
inline constexpr const char* kAttrStartPriceUsd = "start_price_usd";
inline constexpr const char* kAttrStartNetworkHashrateThs = "start_network_hashrate_ths";
inline constexpr const char* kAttrStartDifficulty = "start_difficulty";
inline constexpr const char* kAttrStartHeight = "start_height";
inline constexpr const char* kAttrStartFeeBtcPerBlock = "start_fee_btc_per_block";
inline constexpr const char* kAttrLiveSnapshot = "live_snapshot";
inline constexpr const char* kAttrComplete = "complete";
inline constexpr const char* kAttrPathsWritten = "paths_written";
// agents group
inline constexpr const char* kAttrProfile = "profile";
inline constexpr const char* kAttrCatalogueFile = "catalogue_file";
inline constexpr const char* kAttrCatalogueSha256 = "catalogue_sha256";
inline constexpr const char* kAttrNArchetypes = "n_archetypes";
inline constexpr const char* kAttrNFleets = "n_fleets";
// agents/ datasets besides the coordinates machine, strategy, tariff_usd_per_kwh (below)
inline constexpr const char* kAgentsIsObserver = "is_observer";
inline constexpr const char* kAgentsCountsInNetwork = "counts_in_network";
inline constexpr const char* kAgentsInitialMachines = "initial_machines";

// ---- site files (hashsim site -o): /site/{selection, hosted_selection, build, scenarios} ------
// Layout and meaning: scenarios/README-site.md, "Outputs". The writer (engine/site/site_hdf5.cpp)
// keeps each dataset's CF units and long name next to the values they describe.
inline constexpr const char* kSiteGroup = "site";
// /site attributes
inline constexpr const char* kAttrSummaryJson = "summary_json";  // the run summary --json writes
inline constexpr const char* kAttrDiscountRate = "discount_rate";
inline constexpr const char* kAttrSiteResultsFile = "results_file";
inline constexpr const char* kAttrSiteYaml = "site_yaml";
inline constexpr const char* kAttrSiteCurrency = "currency";
inline constexpr const char* kAttrSiteFxUsdToSite = "fx_usd_to_site";
inline constexpr const char* kAttrSiteFxSource = "fx_source";
inline constexpr const char* kAttrSelectionScenario = "selection_scenario";
inline constexpr const char* kAttrHorizonYears = "horizon_years";

// /site/selection (and /site/hosted_selection, the same at the hosted price): the miners offered,
// datasets [miner] (coordinate kDimMiner), and their costs on a grid of power prices
// [grid_power_price_per_kwh, miner] (coordinate kDimGridPrice).
inline constexpr const char* kSiteSelectionGroup = "selection";
inline constexpr const char* kSiteHostedSelectionGroup = "hosted_selection";
inline constexpr const char* kSiteSelHashrateThs = "hashrate_ths";
inline constexpr const char* kSiteSelPowerW = "power_w";
inline constexpr const char* kSiteSelPrice = "price_site_ccy";
inline constexpr const char* kSiteSelEnergy = "energy_kwh_per_day";
inline constexpr const char* kSiteSelCostPerDay = "cost_per_day_site_ccy";
inline constexpr const char* kSiteSelRevenuePerDay = "revenue_per_day_site_ccy";
inline constexpr const char* kSiteSelProfitPerDay = "profit_per_day_site_ccy";
inline constexpr const char* kSiteSelPaybackDays = "payback_days";
inline constexpr const char* kSiteSelBreakevenPowerPrice = "breakeven_power_price_per_kwh";
inline constexpr const char* kSiteGridCost = "grid_cost_per_th_day_site_ccy";
inline constexpr const char* kSiteGridPayback = "grid_payback_days";
// selection attributes
inline constexpr const char* kAttrSelHashpriceUsd = "hashprice_usd_per_th_day";
inline constexpr const char* kAttrSelPowerPrice = "power_price_per_kwh";
inline constexpr const char* kAttrSelChosen = "chosen";  // miner name; "" when none is viable
inline constexpr const char* kAttrReason = "reason";     // also on a play not evaluated

// /site/build (only when a site is built): attributes
inline constexpr const char* kSiteBuildGroup = "build";
inline constexpr const char* kAttrBuildMiner = "miner";
inline constexpr const char* kAttrBuildNMiners = "n_miners";
inline constexpr const char* kAttrBuildEffectivePowerKw = "effective_power_kw";
inline constexpr const char* kAttrBuildUsedPowerKw = "used_power_kw";
inline constexpr const char* kAttrBuildUnusedPowerKw = "unused_power_kw";
inline constexpr const char* kAttrBuildHashrateThs = "hashrate_ths";
inline constexpr const char* kAttrBuildEnergy = "energy_kwh_per_day";
inline constexpr const char* kAttrBuildCapex = "capex_site_ccy";
inline constexpr const char* kAttrBuildCapexMiners = "capex_miners_site_ccy";
inline constexpr const char* kAttrBuildCapexInfrastructure = "capex_infrastructure_site_ccy";
inline constexpr const char* kAttrBuildRevenuePerDay = "revenue_per_day_site_ccy";
inline constexpr const char* kAttrBuildGrossProfitPerDay = "gross_profit_per_day_site_ccy";

// /site/scenarios/<name> (kScenariosGroup): attributes kAttrNPaths and these
inline constexpr const char* kAttrYears = "years";
inline constexpr const char* kAttrMedianPath = "median_path";
inline constexpr const char* kAttrNpvP50Base = "npv_p50_base";
inline constexpr const char* kAttrBreakevenRevenueFactor = "breakeven_revenue_factor";
inline constexpr const char* kAttrBreakevenBtcPriceUsd = "breakeven_btc_price_usd_day0";
inline constexpr const char* kAttrBreakevenHashpriceUsd = "breakeven_hashprice_usd_per_th_day";
// .../policies: datasets [mode] (coordinate kDimPolicy)
inline constexpr const char* kSitePoliciesGroup = "policies";
inline constexpr const char* kSitePolicyNpvMean = "npv_mean_site_ccy";
inline constexpr const char* kSitePolicyNpvP50 = "npv_p50_site_ccy";
inline constexpr const char* kSitePolicyPNpvNegative = "p_npv_negative";
inline constexpr const char* kSitePolicyDaysOnShare = "mean_days_on_share";
// .../tornado: datasets [driver] (coordinate kDimDriver)
inline constexpr const char* kSiteTornadoGroup = "tornado";
inline constexpr const char* kSiteTornadoLowLabel = "low_label";
inline constexpr const char* kSiteTornadoHighLabel = "high_label";
inline constexpr const char* kSiteTornadoNpvLow = "npv_p50_low_site_ccy";
inline constexpr const char* kSiteTornadoNpvHigh = "npv_p50_high_site_ccy";
// .../<play>: one group per play (engine/site/economics.h PlayResult::key), in report order.
inline constexpr const char* kSitePlayKeys[] = {"site",   "site_after_tax", "equity", "btc",
                                                "hosted", "bond",           "index"};
// play attributes
inline constexpr const char* kAttrLabel = "label";
inline constexpr const char* kAttrAvailable = "available";  // 0: only kAttrReason follows
inline constexpr const char* kAttrPlayCapital = "capital_site_ccy";
inline constexpr const char* kAttrPlayPNpvNegative = "p_npv_negative";
inline constexpr const char* kAttrPlayPPaybackNever = "p_payback_never";
inline constexpr const char* kAttrPlayShareNoIrr = "share_no_irr";
inline constexpr const char* kAttrPlayShareMultipleIrr = "share_multiple_irr";
inline constexpr const char* kAttrPlayPaybackApplicable = "payback_applicable";
inline constexpr const char* kAttrPlayNpvP5 = "npv_p5_var95";
inline constexpr const char* kAttrPlayExpectedShortfall = "expected_shortfall_5";
// play datasets [path] (kDimPath), unless said
inline constexpr const char* kSiteCashflows = "cashflows_site_ccy";  // [path, year]
inline constexpr const char* kSiteNpv = "npv_site_ccy";
inline constexpr const char* kSiteIrr = "irr";
inline constexpr const char* kSiteIrrStatus = "irr_status";  // 0 unique, 1 none, 2 several
inline constexpr const char* kSiteRoic = "roic";
inline constexpr const char* kSiteMirr = "mirr";
inline constexpr const char* kSiteInvested = "invested_site_ccy";
inline constexpr const char* kSiteIrrRoots = "irr_roots";  // [path, irr_root], NaN-padded
inline constexpr const char* kSitePaybackYears = "payback_years";
inline constexpr const char* kSiteDiscountedPaybackYears = "discounted_payback_years";

// ---- daily backtest files (hashsim backtest --h5): one column per dataset [date] ---------------
// Root attributes besides the provenance; the columns are BacktestResult's, named as in its CSV.
inline constexpr const char* kBacktestDataFile = "data_file";
inline constexpr const char* kBacktestFrom = "from";
inline constexpr const char* kBacktestTo = "to";
inline constexpr const char* kBacktestHashrateMethod = "hashrate_method";  // implied | difficulty
inline constexpr const char* kBacktestHashrateWindowDays = "hashrate_window_days";
inline constexpr const char* kBacktestFleet = "fleet";
inline constexpr const char* kBacktestMachineHashrate = "machine_hashrate_ths";
inline constexpr const char* kBacktestMachinePower = "machine_power_w";
inline constexpr const char* kBacktestMachineCount = "machine_count";
inline constexpr const char* kBacktestCapex = "capex_usd";
inline constexpr const char* kBacktestPaybackDate = "payback_date";
inline constexpr const char* kBacktestDate = "date";  // ISO dates, the scale
inline constexpr const char* kBacktestFilledPriceDates = "filled_price_dates";  // interpolated days
// Shared by backtest and block revenue files.
inline constexpr const char* kAttrTariff = "tariff_usd_per_kwh";
inline constexpr const char* kAttrPoolFee = "pool_fee";

// ---- block revenue files (hashsim blocks revenue --h5): columns [height], machines/ [name] -----
inline constexpr const char* kBlockLedgerFile = "ledger_file";
inline constexpr const char* kBlockPriceFile = "price_file";
inline constexpr const char* kBlockHeight = "height";  // the scale of every column
inline constexpr const char* kBlockMachinesGroup = "machines";
inline constexpr const char* kBlockMachineName = "name";  // "<model> -> <column slug>", the scale
inline constexpr const char* kBlockMachineHashrate = "hashrate_ths";
inline constexpr const char* kBlockMachinePower = "power_w";
inline constexpr const char* kBlockMachineCount = "count";
// The per-block columns, in the order they are computed and written.
inline constexpr const char* kBlockTimeUnix = "time_unix";
inline constexpr const char* kBlockInterval = "interval_s";
inline constexpr const char* kBlockIntervalClamped = "interval_clamped";
inline constexpr const char* kBlockIntervalKnown = "interval_known";
inline constexpr const char* kBlockSubsidy = "subsidy_sat";
inline constexpr const char* kBlockFee = "fee_sat";
inline constexpr const char* kBlockNetworkHashrate = "network_hashrate_ths";
inline constexpr const char* kBlockPrice = "price_usd";
inline constexpr const char* kBlockPriceGap = "price_gap_s";
inline constexpr std::array<const char*, 9> kBlockColumns = {
    kBlockTimeUnix,        kBlockInterval, kBlockIntervalClamped,
    kBlockIntervalKnown,   kBlockSubsidy,  kBlockFee,
    kBlockNetworkHashrate, kBlockPrice,    kBlockPriceGap};
// Each machine's columns are "<slug><suffix>", in this order.
inline constexpr const char* kMachineRevenueBtc = "_revenue_btc";
inline constexpr const char* kMachineRevenueUsd = "_revenue_usd";
inline constexpr const char* kMachinePowerCost = "_power_cost_usd";
inline constexpr const char* kMachineProfit = "_profit_usd";
inline constexpr std::array<const char*, 4> kMachineColumnSuffixes = {
    kMachineRevenueBtc, kMachineRevenueUsd, kMachinePowerCost, kMachineProfit};

// ---- dimensions and coordinates ---------------------------------------------------------------
inline constexpr const char* kDimPath = "path";
inline constexpr const char* kDimDay = "day";
inline constexpr const char* kDimAgent = "agent";
inline constexpr const char* kDimFleet = "fleet";
inline constexpr const char* kDimArchetypeDay = "archetype_day";  // archetypes/*: every k-th day
inline constexpr const char* kDimQuantile = "quantile";
inline constexpr const char* kDimYear = "year";
inline constexpr const char* kDimMiner = "miner";
inline constexpr const char* kDimGridPrice = "grid_power_price_per_kwh";  // site selection grid
inline constexpr const char* kDimPolicy = "mode";                         // site operating policy
inline constexpr const char* kDimDriver = "driver";
inline constexpr const char* kDimIrrRoot = "irr_root";
inline constexpr const char* kDimBlock = "height";  // block revenue: one row per block height
inline constexpr const char* kDimMachine = "name";  // block revenue machines/*
inline constexpr const char* kCoordDate = "date";   // ISO date per day (auxiliary coordinate)
inline constexpr const char* kCoordMachine = "machine";
inline constexpr const char* kCoordStrategy = "strategy";
inline constexpr const char* kCoordTariff = "tariff_usd_per_kwh";
// Datasets that are coordinates, not data: readers that walk a group skip them.
bool is_coordinate(const std::string& dataset_basename);

// ---- per-path output slots (what the path simulator fills, in this order) ---------------------
struct FieldInfo {
  const char* name;
  const char* units;
  const char* long_name;
};
// archetype_final/<field> [n_agents]: state of each agent at the horizon.
enum class ArchetypeFinal : std::size_t {
  MachinesOn,
  MachinesIdle,
  Usd,
  Btc,
  ProfitTotalUsd,
  HashrateThs,
  Count
};
inline constexpr FieldInfo kArchetypeFinalFields[] = {
    {"machines_on", "machines", "machines hashing at the horizon"},
    {"machines_idle", "machines", "machines owned but switched off at the horizon"},
    {"usd", "USD", "cash held at the horizon"},
    {"btc", "BTC", "bitcoin held at the horizon"},
    {"profit_total_usd", "USD", "cumulative mining profit over the run"},
    {"hashrate_ths", "TH/s", "hashrate of the machines on at the horizon"}};
// fleets/<field> [n_fleets, recorded days]: observer fleets, daily.
enum class Fleet : std::size_t { Machines, Usd, Btc, ValueUsd, ValueOverBudget, Count };
inline constexpr FieldInfo kFleetFields[] = {
    {"machines", "machines", "fleet machines hashing"},
    {"usd", "USD", "fleet cash"},
    {"btc", "BTC", "fleet bitcoin held"},
    {"value_usd", "USD", "fleet cash plus bitcoin at the day's price"},
    {"value_over_budget", "1", "fleet value divided by its initial budget"}};
// archetypes/<field> [n_agents, archetype days]: per-agent series every k days (when asked).
enum class ArchetypeSeries : std::size_t { MachinesOn, PositionUsd, Count };
inline constexpr FieldInfo kArchetypeSeriesFields[] = {
    {"machines_on", "machines", "machines hashing"},
    {"position_usd", "USD", "cash plus bitcoin at the day's price"}};
static_assert(std::size(kArchetypeFinalFields) == static_cast<std::size_t>(ArchetypeFinal::Count));
static_assert(std::size(kFleetFields) == static_cast<std::size_t>(Fleet::Count));
static_assert(std::size(kArchetypeSeriesFields) ==
              static_cast<std::size_t>(ArchetypeSeries::Count));
template <class E>
constexpr std::size_t slot(E e) {
  return static_cast<std::size_t>(e);
}
// Long name of a recorded daily series (paths/<series>), by its dataset name; "" when unknown.
const char* series_long_name(const std::string& series);
// ---- recorded daily series (paths/<series> [path, day]) ---------------------------------------
inline constexpr const char* kSeriesPriceUsd = "price_usd";
inline constexpr const char* kSeriesFeeBtcPerBlock = "fee_btc_per_block";
inline constexpr const char* kSeriesNetworkHashrateThs = "network_hashrate_ths";
inline constexpr const char* kSeriesDifficulty = "difficulty";
inline constexpr const char* kSeriesHeight = "height";
inline constexpr const char* kSeriesBlocks = "blocks";
inline constexpr const char* kSeriesHashpriceBtc = "hashprice_btc_per_th_day";
inline constexpr const char* kSeriesHashpriceUsd = "hashprice_usd_per_th_day";
inline constexpr const char* kSeries[] = {
    kSeriesPriceUsd, kSeriesFeeBtcPerBlock, kSeriesNetworkHashrateThs, kSeriesDifficulty,
    kSeriesHeight,   kSeriesBlocks,         kSeriesHashpriceBtc,       kSeriesHashpriceUsd};

// ---- summaries over paths (summary/<output>/<stat>) --------------------------------------------
inline constexpr const char* kStatMean = "mean";
inline constexpr const char* kStatStderr = "stderr";
inline constexpr const char* kStatP5 = "p5";
inline constexpr const char* kStatP25 = "p25";
inline constexpr const char* kStatP50 = "p50";
inline constexpr const char* kStatP75 = "p75";
inline constexpr const char* kStatP95 = "p95";
// In the order they are written; the last five are the quantiles below.
inline constexpr const char* kSummaryStats[] = {kStatMean, kStatStderr, kStatP5, kStatP25,
                                                kStatP50,  kStatP75,    kStatP95};
inline constexpr double kQuantileLevels[] = {0.05, 0.25, 0.50, 0.75, 0.95};
inline constexpr std::size_t kFirstQuantileStat = 2;  // kSummaryStats[2] is kQuantileLevels[0]
static_assert(std::size(kSummaryStats) == kFirstQuantileStat + std::size(kQuantileLevels));
// summary/<output>/quantiles [quantile, ...]: the p5..p95 datasets stacked along `quantile`.
inline constexpr const char* kSummaryQuantiles = "quantiles";
// Version 3 links of a series' summaries in the scenario group: <series><suffix>.
inline constexpr const char* kSuffixMean = "_mean";
inline constexpr const char* kSuffixStderr = "_stderr";
inline constexpr const char* kSuffixQuantiles = "_quantiles";
// "paths/<series>"; "summary/<output>/<stat>" for an output named as in the file ("paths/x" -> x).
std::string paths_dataset(const std::string& series);
std::string summary_dataset(const std::string& output, const std::string& stat);

// ---- provenance -------------------------------------------------------------------------------
struct Provenance {
  std::string kind;  // kKind*
  std::int64_t version = 0;
  std::string command_line;
  std::string scenario_text;              // scenario/site YAML; omitted when empty
  std::optional<std::uint64_t> seed;      // omitted when none
  std::string data_snapshot_json = "{}";  // inputs the numbers came from (files, live values)
};
// Writes schema, schema_version, hashsim_version, git_sha, created_utc (now), command_line,
// Conventions and, when given, scenario_yaml, master_seed and data_snapshot on `root`.
void write_provenance(hid_t root, const Provenance& p);

// One way to write a whole file of one piece (site, backtest, block revenue): creates out's
// partial file, writes provenance `p` on its root, calls fill(root) for the file's own content,
// then flushes and closes it, checked, so a failed flush or close throws before the caller's
// out.commit() could rename it into place.
void write_file(AtomicOutput& out, const Provenance& p,
                const std::function<void(hid_t root)>& fill);
// The same into `path` through a temporary file renamed onto it on success.
void write_file(const std::filesystem::path& path, Overwrite mode, const Provenance& p,
                const std::function<void(hid_t root)>& fill);

// ---- dimension scales and CF attributes -------------------------------------------------------
// Writes `name` in `group` as a 1-D coordinate and makes it the dimension scale `name`.
void write_dimension(hid_t group, const std::string& name, const std::vector<double>& values,
                     const std::string& units, const std::string& long_name);
void write_dimension(hid_t group, const std::string& name, const std::vector<std::int64_t>& values,
                     const std::string& units, const std::string& long_name);
// Makes the existing 1-D dataset group/name (numbers or strings) the dimension scale `name`.
void make_scale(hid_t group, const std::string& name, const std::string& units,
                const std::string& long_name);
// 0..n-1 as the dimension `name` (an index dimension such as path or agent).
void write_index_dimension(hid_t group, const std::string& name, std::uint64_t n,
                           const std::string& long_name);
// Attaches the dimension scales named `dims` (datasets in the same group as `dataset`, in dimension
// order) to `dataset` (a path relative to `group`) and sets its units/long_name when non-empty.
void attach_dimensions(hid_t group, const std::string& dataset,
                       std::initializer_list<std::string> dims, const std::string& units = "",
                       const std::string& long_name = "");
void attach_dimensions(hid_t group, const std::string& dataset,
                       const std::vector<std::string>& dims, const std::string& units = "",
                       const std::string& long_name = "");
// CF `coordinates` attribute: auxiliary coordinates (e.g. "date", "machine strategy") of a dataset.
void set_coordinates(hid_t group, const std::string& dataset, const std::string& names);
void set_cf(hid_t dataset, const std::string& units, const std::string& long_name);
// The units a column name states by its suffix (hashsim names carry units: "profit_usd",
// "hashprice_usd_per_th_day", "power_w"); "" when the name states none.
std::string units_from_name(const std::string& name);

}  // namespace hashsim::io::schema
