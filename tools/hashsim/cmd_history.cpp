// `hashsim calibrate` (fit the price and fee models to daily history), `hashsim backtest`
// (daily hashprice and fleet cashflows on real history) and `hashsim validate` (the agent model on
// the real price path, simulated vs actual network hashrate). Formulas: engine/history/calibrate.h,
// engine/history/backtest.h; usage: README.md, "History: calibration and backtests".
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/machine_catalogue.h"
#include "engine/history/backtest.h"
#include "engine/history/calibrate.h"
#include "engine/history/fit.h"
#include "engine/history/halvings.h"
#include "engine/history/scenario_summary.h"
#include "engine/util/daily_table.h"
#include "engine/util/data_paths.h"
#include "engine/history/score.h"
#include "engine/history/validate.h"
#include "engine/scenario/scenario.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"
#include "tools/hashsim/command.h"
#include "tools/hashsim/json_views.h"

namespace hashsim::cli {

namespace {

constexpr const char* kDailyFile = "btc_daily_2020_2026_obm.csv";
constexpr const char* kSpecsFile = "asic_specs.csv";
constexpr const char* kPriceFile = "btc_price_usd_daily.csv";

// A shipped history file (data/history/<name>), found as engine/util/data_paths.h says.
std::filesystem::path history_data_file(const char* name) {
  return data_file(std::filesystem::path("history") / name);
}

// --data / --prices: the given CSV, else the default file under data/history/.
DailyTable load_daily(const std::string& flag_value, const char* default_file) {
  return DailyTable::load(flag_value.empty() ? history_data_file(default_file)
                                             : std::filesystem::path(flag_value));
}

// --data, --from, --to: shared by both commands.
struct WindowFlags {
  std::string data;
  std::string from, to;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--data", data, "Daily CSV (default data/history/btc_daily_2020_2026_obm.csv)");
    cmd->add_option("--from", from, "First day YYYY-MM-DD (default: first day of the data)");
    cmd->add_option("--to", to, "Last day YYYY-MM-DD (default: last day of the data)");
  }
  DailyTable load() const { return load_daily(data, kDailyFile); }
};

// The model and the history it runs on, shared by score, fit and halvings: --scenario,
// --early-scenario, --early-before (into the command's own options), --data, --prices.
struct ModelHistoryFlags {
  std::string scenario = "scenarios/base.yaml";
  std::string early_scenario, data, prices;

  // `starts`: what --early-before splits ("origins" for score and fit, "starts" for halvings).
  void add_to(CLI::App* cmd, std::string& early_before, const char* starts) {
    cmd->add_option("--scenario", scenario,
                    "Scenario with the agents config (default scenarios/base.yaml)");
    cmd->add_option("--early-scenario", early_scenario,
                    std::string("Scenario for ") + starts +
                        " before --early-before (e.g. scenarios/history-2021.yaml)");
    cmd->add_option("--early-before", early_before,
                    std::string("YYYY-MM-DD: ") + starts + " before it use --early-scenario");
    cmd->add_option("--data", data, "Daily CSV (default data/history/btc_daily_2020_2026_obm.csv)");
    cmd->add_option("--prices", prices,
                    "Daily price CSV for fits before the daily file (default "
                    "data/history/btc_price_usd_daily.csv)");
  }
  scenario::Scenario model() const { return scenario::load_scenario(scenario); }
  std::optional<scenario::Scenario> early() const {
    if (early_scenario.empty()) return std::nullopt;
    return scenario::load_scenario(early_scenario);
  }
  DailyTable daily() const { return load_daily(data, kDailyFile); }
  DailyTable daily_prices() const { return load_daily(prices, kPriceFile); }
};

struct CalibrateFlags {
  WindowFlags window;
  std::string output;
  bool jumps = false;
  bool no_price = false;
  bool no_fees = false;
  bool json = false;
};

struct BacktestFlags {
  WindowFlags window;
  std::string machine;
  std::string specs;
  std::optional<double> mw;
  std::optional<double> count;
  std::optional<double> hashrate_ths;
  std::optional<double> power_w;
  double tariff_usd_per_kwh = 0.0;
  double pool_fee = 0.0;
  std::optional<double> capex_usd;
  std::string hashrate_method = "implied";
  int hashrate_window = 7;
  std::string csv;
  std::string h5;
  bool fill_price_gaps = false;
  bool json = false;
};

struct ValidateFlags {
  WindowFlags window;  // --to unused: the window is --from plus --days
  std::string scenario = "scenarios/base.yaml";
  int days = 365;
  std::int64_t paths = 16;
  int threads = 0;
  bool simulate_fees = false;
  std::string csv;
  bool json = false;
};

struct FitFlags {
  ModelHistoryFlags model;
  history::FitOptions options;
  std::vector<std::string> grid;
  std::string yaml;
  bool json = false;
};

struct ScoreFlags {
  ModelHistoryFlags model;
  history::ScoreOptions options;
  std::vector<std::string> modes{"replay", "simulated"};
  std::string csv, json;
};

std::string fmt_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void require_positive(const char* flag, const std::optional<double>& v) {
  if (v && !(*v > 0.0)) throw Error(std::string(flag) + " = " + fmt_number(*v) + " must be > 0");
}

std::optional<history::Fleet> fleet_from_flags(const BacktestFlags& f) {
  require_positive("--mw", f.mw);
  require_positive("--count", f.count);
  require_positive("--hashrate-ths", f.hashrate_ths);
  require_positive("--power-w", f.power_w);
  const bool explicit_spec = f.hashrate_ths || f.power_w;
  if (!f.machine.empty() && explicit_spec)
    throw Error("--machine = '" + f.machine +
                "' cannot be combined with --hashrate-ths / --power-w");
  if (explicit_spec && !(f.hashrate_ths && f.power_w))
    throw Error("an explicit machine needs both --hashrate-ths and --power-w");
  if (f.mw && f.count) throw Error("give either --mw or --count, not both");
  if (f.machine.empty() && !explicit_spec) {
    if (f.mw || f.count)
      throw Error("--mw / --count need --machine or --hashrate-ths and --power-w");
    return std::nullopt;
  }
  history::Fleet fleet;
  std::string what;
  if (!f.machine.empty()) {
    const auto file =
        f.specs.empty() ? history_data_file(kSpecsFile) : std::filesystem::path(f.specs);
    const auto specs = agents::load_machine_catalogue(file, agents::MachineColumns::Nameplate);
    const agents::MachineSpec m = [&] {
      try {
        return specs.find(f.machine);
      } catch (const Error& e) {
        throw Error(std::string("--machine = ") + e.what());
      }
    }();
    fleet.machine_hashrate_ths = m.hashrate_ths;
    fleet.machine_power_w = m.power_w;
    what = m.full_name() + " (" + fmt_number(m.hashrate_ths) + " TH/s, " + fmt_number(m.power_w) +
           " W)";
  } else {
    fleet.machine_hashrate_ths = *f.hashrate_ths;
    fleet.machine_power_w = *f.power_w;
    what = "machine of " + fmt_number(*f.hashrate_ths) + " TH/s, " + fmt_number(*f.power_w) + " W";
  }
  if (f.mw) {
    // Whole machines that fit in the power budget.
    fleet.count = std::floor(*f.mw * 1e6 / fleet.machine_power_w);
    if (fleet.count < 1.0)
      throw Error("--mw = " + fmt_number(*f.mw) + " is less than one machine's power (" +
                  fmt_number(fleet.machine_power_w) + " W)");
    fleet.label = fmt_number(*f.mw) + " MW = " + fmt_number(fleet.count) + " x " + what;
  } else {
    fleet.count = f.count.value_or(1.0);
    fleet.label = fmt_number(fleet.count) + " x " + what;
  }
  return fleet;
}

void print_backtest_summary(const history::BacktestResult& r, const history::BacktestOptions& o) {
  const auto& hp = r.column("hashprice_usd_per_th_day");
  const std::size_t n = r.dates.size();
  std::printf("backtest %s..%s (%zu days), data %s\n", r.dates.front().c_str(),
              r.dates.back().c_str(), n, r.data_file.c_str());
  std::printf("network hashrate: %s\n", o.method == history::HashrateMethod::Implied
                                            ? ("implied from blocks and difficulty, trailing " +
                                               std::to_string(o.trailing_days) + "-day mean")
                                                  .c_str()
                                            : "difficulty * 2^32 / 600 (expected pace)");
  for (const auto& d : r.filled_price_dates)
    std::printf("price of %s interpolated (blank in the data)\n", d.c_str());
  std::printf("hashprice USD/TH/day: first %.4f, last %.4f, mean %.4f\n", hp.front(), hp.back(),
              r.total("hashprice_usd_per_th_day") / static_cast<double>(n));
  if (!o.fleet) return;
  std::printf("fleet: %s, tariff %.4f USD/kWh, pool fee %.2f%%\n", o.fleet->label.c_str(),
              o.tariff_usd_per_kwh, 100.0 * o.pool_fee);
  std::printf("revenue %.6f BTC = %.2f USD, power cost %.2f USD, profit %.2f USD\n",
              r.total("fleet_revenue_btc"), r.total("fleet_revenue_usd"), r.total("power_cost_usd"),
              r.total("profit_usd"));
  if (o.capex_usd) {
    std::printf("capex %.2f USD, cumulative cashflow at end %.2f USD, ", *o.capex_usd,
                r.column("cumulative_cashflow_usd").back());
    if (r.payback_date)
      std::printf("payback on %s (day %d)\n", r.payback_date->c_str(), *r.payback_days);
    else
      std::printf("no payback within the window\n");
  }
}

// `hashsim calibrate`: fit the price and fee models to daily history.
void add_calibrate_command(CLI::App& app, GlobalOptions& global) {
  auto cf = std::make_shared<CalibrateFlags>();
  CLI::App* cal = app.add_subcommand(
      "calibrate", "Fit the price (GBM, optional Merton jumps) and fee models to daily history");
  cf->window.add_to(cal);
  add_output_option(cal, "-o,--output", cf->output,
                    "Write the fitted price:/fees: sections as YAML");
  add_force_flag(cal, global);
  cal->add_flag("--jumps", cf->jumps, "Also fit Merton jumps (intensity, log mean, log sd)");
  cal->add_flag("--no-price", cf->no_price, "Skip the price fit");
  cal->add_flag("--no-fees", cf->no_fees, "Skip the fee fit");
  add_json_flag(cal, cf->json);
  cal->callback([cf, &global] {
    const CalibrateFlags& f = *cf;
    if (f.no_price && f.no_fees) throw Error("--no-price and --no-fees leave nothing to fit");
    if (!f.output.empty()) check_output_path(f.output, global.overwrite());
    const DailyTable table = f.window.load();
    history::CalibrationOptions o;
    o.from = f.window.from;
    o.to = f.window.to;
    o.fit_price = !f.no_price;
    o.fit_jumps = f.jumps && !f.no_price;
    o.fit_fees = !f.no_fees;
    const history::Calibration c = history::calibrate(table, o);
    if (f.json)
      print_json(calibrate_json(c));
    else
      std::fputs(history::calibration_report(c).c_str(), stdout);
    if (!f.output.empty()) {
      write_file_atomic(f.output, history::calibration_yaml(c, global.command_line),
                        global.overwrite());
      report_written(f.output, f.json);
    }
  });
}

// `hashsim backtest`: daily hashprice and fleet cashflows on real history.
void add_backtest_command(CLI::App& app, GlobalOptions& global) {
  auto bf = std::make_shared<BacktestFlags>();
  CLI::App* bt =
      app.add_subcommand("backtest", "Daily hashprice and fleet cashflows on real history");
  bf->window.add_to(bt);
  bt->add_option("--machine", bf->machine, "Machine model from the spec file, e.g. 'S19 Pro'");
  bt->add_option("--specs", bf->specs, "Machine spec CSV (default data/history/asic_specs.csv)");
  bt->add_option("--mw", bf->mw, "Fleet size in MW of machine power (whole machines)");
  bt->add_option("--count", bf->count, "Fleet size in machines (default 1)");
  bt->add_option("--hashrate-ths", bf->hashrate_ths, "Explicit machine hashrate, TH/s");
  bt->add_option("--power-w", bf->power_w, "Explicit machine power, W");
  bt->add_option("--tariff-usd-per-kwh", bf->tariff_usd_per_kwh,
                 "Electricity price, USD/kWh (default 0)");
  bt->add_option("--pool-fee", bf->pool_fee,
                 "Pool fee as a fraction of revenue, e.g. 0.02 (default 0)");
  bt->add_option("--capex-usd", bf->capex_usd, "Up-front cost; enables the payback date");
  bt->add_option("--hashrate-method", bf->hashrate_method,
                 "implied (blocks*difficulty, default) or difficulty");
  bt->add_option("--hashrate-window", bf->hashrate_window,
                 "Trailing days averaged for the implied hashrate (default 7)");
  bt->add_flag("--fill-price-gaps", bf->fill_price_gaps,
               "Interpolate blank prices (log-linear) instead of failing");
  add_output_option(bt, "-o,--output", bf->csv, "Daily CSV output");
  add_output_option(bt, "--h5", bf->h5, "Daily HDF5 output");
  add_force_flag(bt, global);
  add_json_flag(bt, bf->json);
  bt->callback([bf, &global] {
    const BacktestFlags& f = *bf;
    for (const std::string* out : {&f.csv, &f.h5})
      if (!out->empty()) check_output_path(*out, global.overwrite());
    history::BacktestOptions o;
    o.from = f.window.from;
    o.to = f.window.to;
    if (f.hashrate_method == "implied")
      o.method = history::HashrateMethod::Implied;
    else if (f.hashrate_method == "difficulty")
      o.method = history::HashrateMethod::DifficultyPace;
    else
      throw Error("--hashrate-method = '" + f.hashrate_method +
                  "' is not one of: implied, difficulty");
    o.trailing_days = f.hashrate_window;
    o.tariff_usd_per_kwh = f.tariff_usd_per_kwh;
    o.pool_fee = f.pool_fee;
    o.capex_usd = f.capex_usd;
    o.fill_price_gaps = f.fill_price_gaps;
    if (o.capex_usd && !(*o.capex_usd >= 0.0))
      throw Error("--capex-usd = " + fmt_number(*o.capex_usd) + " must be >= 0");
    o.fleet = fleet_from_flags(f);
    const history::BacktestResult r = history::run_backtest(f.window.load(), o);
    if (f.json)
      print_json(backtest_json(r, o));
    else
      print_backtest_summary(r, o);
    if (!f.csv.empty()) {
      history::write_backtest_csv(r, f.csv, global.overwrite());
      report_written(f.csv, f.json);
    }
    if (!f.h5.empty()) {
      history::write_backtest_hdf5(r, o, f.h5, global.command_line, global.overwrite());
      report_written(f.h5, f.json);
    }
  });
}

// `hashsim validate`: a scenario's simulated hashrate against history.
void add_validate_command(CLI::App& app, GlobalOptions& global) {
  auto vf = std::make_shared<ValidateFlags>();
  CLI::App* val = app.add_subcommand(
      "validate", "Agents on history: real prices replayed, simulated vs actual network hashrate");
  val->add_option("--scenario", vf->scenario,
                  "Scenario with the agents config (default scenarios/base.yaml)");
  val->add_option("--data", vf->window.data,
                  "Daily CSV (default data/history/btc_daily_2020_2026_obm.csv)");
  val->add_option("--from", vf->window.from,
                  "Start day YYYY-MM-DD (start conditions from that day)")
      ->required();
  val->add_option("--days", vf->days, "Days to simulate (default 365)");
  val->add_option("--paths", vf->paths,
                  "Paths (default 16; they differ only with --simulate-fees)");
  val->add_option("--threads", vf->threads, "Worker threads (default: all cores)");
  val->add_flag("--simulate-fees", vf->simulate_fees,
                "Use the scenario's fee model instead of replaying real fees");
  add_output_option(val, "-o,--output", vf->csv,
                    "Daily CSV: actual and simulated hashrate, log error");
  add_force_flag(val, global);
  add_json_flag(val, vf->json);
  val->callback([vf, &global] {
    const ValidateFlags& f = *vf;
    if (!f.csv.empty()) check_output_path(f.csv, global.overwrite());
    history::ValidateOptions o;
    o.from = f.window.from;
    o.days = f.days;
    o.paths = f.paths;
    o.threads = f.threads;
    o.replay_fees = !f.simulate_fees;
    const history::ValidateResult r =
        history::run_validate(scenario::load_scenario(f.scenario), f.window.load(), o);
    if (f.json)
      print_json(validate_json(r));
    else
      std::fputs(history::validate_report(r).c_str(), stdout);
    if (!f.csv.empty()) {
      std::vector<double> err;
      for (std::size_t d = 0; d < r.dates.size(); ++d)
        err.push_back(std::log(r.simulated_p50_ths[d] / r.actual_ths[d]));
      write_columns_csv(f.csv, "date", r.dates,
                        {{"price_usd", r.price_usd},
                         {"actual_network_hashrate_ths", r.actual_ths},
                         {"simulated_network_hashrate_ths_p5", r.simulated_p5_ths},
                         {"simulated_network_hashrate_ths_p50", r.simulated_p50_ths},
                         {"simulated_network_hashrate_ths_p95", r.simulated_p95_ths},
                         {"log_error", err}},
                        ",%.10g", global.overwrite());
      report_written(f.csv, f.json);
    }
  });
}

// --modes: replay and/or simulated.
std::vector<history::ScoreMode> parse_score_modes(const std::vector<std::string>& names) {
  std::vector<history::ScoreMode> modes;
  for (const auto& m : names) {
    if (m == "replay")
      modes.push_back(history::ScoreMode::Replay);
    else if (m == "simulated")
      modes.push_back(history::ScoreMode::Simulated);
    else
      throw Error("--modes: '" + m + "' is not one of: replay, simulated");
  }
  return modes;
}

// One --grid entry: KEY=V1,V2,... with finite numbers.
history::FitParameter parse_grid_entry(const std::string& g) {
  const auto eq = g.find('=');
  if (eq == std::string::npos || eq == 0) throw Error("--grid: '" + g + "' is not KEY=V1,V2,...");
  history::FitParameter p;
  p.key = g.substr(0, eq);
  const std::string rest = g.substr(eq + 1);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    const std::size_t comma = std::min(rest.find(',', pos), rest.size());
    const std::string v = rest.substr(pos, comma - pos);
    std::size_t used = 0;
    double x = 0.0;
    try {
      x = std::stod(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (v.empty() || used != v.size() || !std::isfinite(x))
      throw Error("--grid " + p.key + ": '" + v + "' is not a number");
    p.values.push_back(x);
    pos = comma + 1;
  }
  return p;
}

// `hashsim score`: forecast scores over many origins.
void add_score_command(CLI::App& app, GlobalOptions& global) {
  auto sf = std::make_shared<ScoreFlags>();
  CLI::App* sc = app.add_subcommand("score",
                                    "Score the agents' hashrate and hashprice forecasts on rolling "
                                    "origins of history, beside baselines");
  sf->model.add_to(sc, sf->options.early_before, "origins");
  sc->add_option("--from", sf->options.from, "First origin YYYY-MM-DD (default 2021-08-01)");
  sc->add_option("--to", sf->options.to, "Last origin at most YYYY-MM-DD (default 2025-06-01)");
  sc->add_option("--every-months", sf->options.every_months, "Months between origins (default 1)");
  sc->add_option("--horizons", sf->options.horizons, "Horizons in days (default 30 90 180 365)")
      ->delimiter(',');
  sc->add_option("--modes", sf->modes, "replay and/or simulated (default both)")->delimiter(',');
  sc->add_option("--paths", sf->options.paths, "Paths per origin and mode (default 32)");
  sc->add_option("--threads", sf->options.threads, "Worker threads (default: all cores)");
  sc->add_option("--hashrate-window", sf->options.trailing_days,
                 "Trailing days of the actual hashrate (default 7)");
  sc->add_flag("--fleet-hashrate{false}", sf->options.observed_hashrate,
               "Score the agents' fleet hashrate itself (expected block arrivals) instead of the "
               "trailing-window implied hashrate of simulated Poisson blocks, measured as the "
               "truth is");
  sc->add_option("--fan-origins", sf->options.fan_origins,
                 "Origins whose daily bands go into --json (default with --json: first, middle and "
                 "last origin)")
      ->delimiter(',');
  add_output_option(sc, "--json", sf->json,
                    "JSON for the report's forecast-scores section (hashsim report --score FILE)");
  add_output_option(
      sc, "-o,--output", sf->csv,
      "CSV, one line per mode x variable x forecaster x origin x horizon (origin 'all': pooled)");
  add_force_flag(sc, global);
  sc->callback([sf, &global] {
    ScoreFlags& f = *sf;
    for (const std::string* out : {&f.csv, &f.json})
      if (!out->empty()) check_output_path(*out, global.overwrite());
    f.options.modes = parse_score_modes(f.modes);
    if (!f.json.empty() && f.options.fan_origins.empty())
      f.options.fan_origins = {"first", "middle", "last"};
    const history::ScoreResult r = history::run_score(
        f.model.model(), f.model.early(), f.model.daily(), f.model.daily_prices(), f.options);
    std::fputs(history::score_table(r).c_str(), stdout);
    if (!f.csv.empty()) {
      history::write_score_csv(r, f.csv, global.overwrite());
      std::printf("wrote %s\n", f.csv.c_str());
    }
    if (!f.json.empty()) {
      history::write_score_json(r, f.json, global.overwrite());
      std::printf("wrote %s\n", f.json.c_str());
    }
  });
}

// `hashsim fit`: grid search of agent parameters on the training window.
void add_fit_command(CLI::App& app, GlobalOptions& global) {
  auto ff = std::make_shared<FitFlags>();
  ff->options.score.from = "2022-01-01";
  ff->options.score.to = "2024-06-01";
  ff->options.score.every_months = 3;
  ff->options.score.paths = 16;
  ff->options.score.horizons = {90, 180, 365};
  ff->options.score.modes = {history::ScoreMode::Replay};
  CLI::App* fc = app.add_subcommand("fit",
                                    "Calibrate agent parameters: grid search minimising the CRPS "
                                    "of network hashrate on rolling origins (training window)");
  ff->model.add_to(fc, ff->options.score.early_before, "origins");
  fc->add_option("--from", ff->options.score.from, "First training origin (default 2022-01-01)");
  fc->add_option("--to", ff->options.score.to,
                 "Last training origin, at most --train-until (default 2024-06-01)");
  fc->add_option("--train-until", ff->options.train_until,
                 "End of the training window (default 2024-06-01)");
  fc->add_option("--every-months", ff->options.score.every_months,
                 "Months between origins (default 3)");
  fc->add_option("--horizons", ff->options.score.horizons, "Horizons in days (default 90,180,365)")
      ->delimiter(',');
  fc->add_option("--paths", ff->options.score.paths, "Paths per origin (default 16)");
  fc->add_option("--threads", ff->options.score.threads, "Worker threads (default: all cores)");
  fc->add_flag("--fleet-hashrate{false}", ff->options.score.observed_hashrate,
               "Score the fleet hashrate itself (see hashsim score --fleet-hashrate)");
  fc->add_option("--grid", ff->grid,
                 "KEY=V1,V2,... (repeatable); default "
                 "rules.expected_difficulty_growth_per_year=0.25,0.35,0.5 "
                 "rules.reinvest_fraction=0.3,0.5,0.7 shocks.rate_per_year=0,2,4")
      ->take_all();
  add_output_option(fc, "-o,--output", ff->yaml,
                    "YAML fragment with the winning values (agents: rules/shocks/supply)");
  add_force_flag(fc, global);
  add_json_flag(fc, ff->json);
  fc->callback([ff, &global] {
    FitFlags& f = *ff;
    if (!f.yaml.empty()) check_output_path(f.yaml, global.overwrite());
    std::vector<std::string> grid = f.grid;
    if (grid.empty())
      grid = {"rules.expected_difficulty_growth_per_year=0.25,0.35,0.5",
              "rules.reinvest_fraction=0.3,0.5,0.7", "shocks.rate_per_year=0,2,4"};
    f.options.grid.clear();
    for (const auto& g : grid) f.options.grid.push_back(parse_grid_entry(g));
    const history::FitResult r = history::run_fit(f.model.model(), f.model.early(), f.model.daily(),
                                                  f.model.daily_prices(), f.options);
    if (f.json) {
      print_json(fit_json(r));
    } else {
      std::fputs(history::fit_table(r).c_str(), stdout);
      std::fputs(history::fit_yaml(r).c_str(), stdout);
    }
    if (!f.yaml.empty()) {
      history::write_fit_yaml(r, f.yaml, global.overwrite());
      report_written(f.yaml, f.json);
    }
  });
}

// `hashsim halvings`: the agents' hashrate trough after each real halving in the data.
void add_halvings_command(CLI::App& app) {
  struct HalvingFlags {
    ModelHistoryFlags model;
    history::HalvingOptions options;
  };
  auto hf = std::make_shared<HalvingFlags>();
  CLI::App* hc = app.add_subcommand(
      "halvings",
      "Hashrate trough after each real halving in the data: the agents driven by the real price "
      "and fees vs history");
  hf->model.add_to(hc, hf->options.early_before, "starts");
  hc->add_option("--lead-days", hf->options.lead_days,
                 "Start this many days before the halving (default 60)");
  hc->add_option("--window-days", hf->options.window_days,
                 "Trough searched over this many days after it (default 60)");
  hc->add_option("--paths", hf->options.paths, "Paths (default 16)");
  hc->add_option("--threads", hf->options.threads, "Worker threads (default: all cores)");
  hc->add_flag("--fleet-hashrate{false}", hf->options.observed_hashrate,
               "The model's fleet hashrate instead of its measured (Poisson-block) hashrate");
  hc->callback([hf] {
    const HalvingFlags& f = *hf;
    const history::HalvingResult r = history::run_halvings(
        f.model.model(), f.model.early(), f.model.daily(), f.model.daily_prices(), f.options);
    std::fputs(history::halvings_table(r).c_str(), stdout);
  });
}

// `hashsim scenario-summary`: the per-scenario figures of the README tables.
void add_scenario_summary_command(CLI::App& app) {
  struct SummaryFlags {
    std::vector<std::string> scenarios;
    std::int64_t paths = 32;
    std::string variant = "both";
    int threads = 0;
  };
  auto f = std::make_shared<SummaryFlags>();
  CLI::App* c = app.add_subcommand(
      "scenario-summary",
      "Hashrate P50 at 1/2/5 years, halving trough, final fleet J/TH and tariff-band shares of "
      "scenarios (Markdown table)");
  c->add_option("scenarios", f->scenarios, "Scenario files")->required();
  c->add_option("--paths", f->paths, "Paths per scenario (default 32)");
  c->add_option("--variant", f->variant,
                "current, pre-issue-15 (rules before issue 15) or both (default)");
  c->add_option("--threads", f->threads, "Worker threads (default: all cores)");
  c->callback([f] {
    if (f->variant != "both" && f->variant != "current" && f->variant != "pre-issue-15")
      throw Error("--variant: '" + f->variant + "' is not one of: current, pre-issue-15, both");
    std::vector<history::ScenarioSummary> rows;
    for (const auto& file : f->scenarios) {
      const scenario::Scenario s = scenario::load_scenario(file);
      for (const char* v : {"pre-issue-15", "current"})
        if (f->variant == "both" || f->variant == v)
          rows.push_back(history::summarise_scenario(s, f->paths, v, f->threads));
    }
    std::fputs(history::scenario_summary_table(rows).c_str(), stdout);
  });
}

}  // namespace

void register_history_commands(CLI::App& app, GlobalOptions& global) {
  add_halvings_command(app);
  add_scenario_summary_command(app);
  add_calibrate_command(app, global);
  add_backtest_command(app, global);
  add_validate_command(app, global);
  add_score_command(app, global);
  add_fit_command(app, global);
}

}  // namespace hashsim::cli
