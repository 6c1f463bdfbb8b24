// Forecast scoring (engine/history/scoring.h) on synthetic data with known answers, and
// `hashsim score` (engine/history/score.h) on a few origins of real history.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/history/score.h"
#include "engine/history/scoring.h"
#include "engine/rng/distributions.h"
#include "engine/rng/streams.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"
#include "tests/engine/test_basics.h"

namespace hashsim::history {
namespace {

using namespace scoring;
using test_support::CliRun;
using test_support::error_of;
using test_support::run_hashsim;

const std::string kSource = HASHSIM_SOURCE_DIR;

TEST(Scoring, ForecastEqualToTheTruthScoresZero) {
  std::vector<DayScore> days;
  for (int d = 0; d < 50; ++d) {
    const double y = 20.0 + 0.01 * d;
    days.push_back(score_ensemble(std::vector<double>(16, y), y));  // every path on the truth
    const DayScore p = score_point(y, y);
    EXPECT_EQ(p.log_error, 0.0);
    EXPECT_EQ(p.crps, 0.0);
  }
  const Summary s = summarise(days);
  EXPECT_EQ(s.median_abs_log_error, 0.0);
  EXPECT_EQ(s.bias_mean_log_error, 0.0);
  EXPECT_EQ(s.crps_mean, 0.0);
  EXPECT_EQ(s.coverage_p5_p95, 1.0);
  EXPECT_EQ(s.coverage_p25_p75, 1.0);
}

TEST(Scoring, BandHoldingTheTruthHalfTheTimeCoversHalf) {
  // Ensemble 0, 1, ..., 100 (m = 101): P5 = 5, P95 = 95, P25 = 25, P75 = 75 exactly. Truth
  // alternates between inside both bands (50.5) and outside both (99.5, above P95).
  std::vector<double> members;
  for (int k = 0; k <= 100; ++k) members.push_back(k);
  std::vector<DayScore> days;
  for (int d = 0; d < 200; ++d) days.push_back(score_ensemble(members, d % 2 == 0 ? 50.5 : 99.5));
  const Summary s = summarise(days);
  EXPECT_DOUBLE_EQ(s.coverage_p5_p95, 0.5);
  EXPECT_DOUBLE_EQ(s.coverage_p25_p75, 0.5);
  // PIT interval of 50.5 is [51/102, 52/102] (bin 5), of 99.5 [100/102, 101/102] (bin 9).
  EXPECT_NEAR(s.pit_histogram[5], 0.5, 1e-12);
  EXPECT_NEAR(s.pit_histogram[9], 0.5, 1e-12);
  // Median error: 50 - 50.5 = -0.5 on inside days, 50 - 99.5 = -49.5 on the others.
  EXPECT_DOUBLE_EQ(s.bias_mean_log_error, -25.0);
  EXPECT_DOUBLE_EQ(s.median_abs_log_error, 25.0);  // median of 100 x 0.5 and 100 x 49.5
}

TEST(Scoring, CrpsOfAPointForecastIsItsAbsoluteError) {
  for (double x : {-3.0, 0.0, 0.25, 7.5})
    for (double y : {-1.0, 0.25, 4.0}) {
      EXPECT_DOUBLE_EQ(crps_ensemble({x}, y), std::fabs(x - y));
      // m identical members are still a point mass.
      EXPECT_NEAR(crps_ensemble(std::vector<double>(9, x), y), std::fabs(x - y), 1e-12);
      EXPECT_DOUBLE_EQ(score_point(x, y).crps, std::fabs(x - y));
    }
  // Two members a < b and y between them: (|a-y| + |b-y|)/2 - |a-b|/4.
  EXPECT_DOUBLE_EQ(crps_ensemble({1.0, 3.0}, 2.5), (1.5 + 0.5) / 2.0 - 2.0 / 4.0);
}

// A normal ensemble against the closed form. The empirical CRPS of m draws has expectation
// CRPS(F, y) + E|X - X'|/(2m) = CRPS + sigma/(m sqrt(pi)) (the pairwise term of the empirical
// distribution includes i = j), and to first order (Hajek projection) variance Var(h(X))/m with
// h(x) = |x - y| - E|x - X'|, E|x - X'| = sigma [2 phi(z) + z (2 Phi(z) - 1)], z = (x - mu)/sigma.
// Var(h) is computed here by quadrature; the tolerance is 5 of those standard deviations.
TEST(Scoring, CrpsOfANormalEnsembleMatchesTheClosedForm) {
  const double mu = 1.5, sigma = 0.4;
  const int m = 20000;
  rng::Engine e = rng::make_rng(20261130, rng::Stream::Price, 0);
  std::vector<double> x(m);
  for (double& v : x) v = mu + sigma * rng::standard_normal(e);
  for (double y : {mu, mu + sigma, mu - 2.0 * sigma, mu + 0.3 * sigma}) {
    const auto g = [&](double xv) {
      const double z = (xv - mu) / sigma;
      const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
      const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
      return sigma * (2.0 * pdf + z * (2.0 * cdf - 1.0));
    };
    double s1 = 0.0, s2 = 0.0, w = 0.0;
    for (double z = -10.0; z <= 10.0; z += 1e-3) {
      const double dens = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI) * 1e-3;
      const double h = std::fabs(mu + sigma * z - y) - g(mu + sigma * z);
      s1 += h * dens;
      s2 += h * h * dens;
      w += dens;
    }
    const double sd_h = std::sqrt(s2 / w - (s1 / w) * (s1 / w));
    const double expected = crps_normal(mu, sigma, y) + sigma / (m * std::sqrt(M_PI));
    EXPECT_NEAR(crps_ensemble(x, y), expected, 5.0 * sd_h / std::sqrt(static_cast<double>(m)))
        << "y = " << y;
  }
  // The closed form itself: at y = mu it is sigma (2 phi(0) - 1/sqrt(pi)) = sigma (sqrt(2) -
  // 1)/sqrt(pi).
  EXPECT_NEAR(crps_normal(0.0, 2.0, 0.0), 2.0 * (std::sqrt(2.0) - 1.0) / std::sqrt(M_PI), 1e-14);
}

TEST(Scoring, PitOfACalibratedForecastIsFlat) {
  // Truth and 9 members from the same normal: the rank of the truth is uniform on 0..9, so its PIT
  // interval [r/10, (r+1)/10] is exactly one bin, each bin a Binomial(N, 0.1)/N share with sd
  // sqrt(0.1 * 0.9 / N) = 0.0042 for N = 5000; tolerance 0.02 (4.7 sd).
  rng::Engine e = rng::make_rng(7, rng::Stream::Fees, 0);
  std::vector<DayScore> days;
  std::vector<double> members(9);
  for (int d = 0; d < 5000; ++d) {
    for (double& v : members) v = rng::standard_normal(e);
    days.push_back(score_ensemble(members, rng::standard_normal(e)));
  }
  const Summary s = summarise(days);
  for (double share : s.pit_histogram) EXPECT_NEAR(share, 0.1, 0.02);
}

TEST(Scoring, Baselines) {
  // Persistence repeats the origin; the trend reproduces an exact line.
  EXPECT_EQ(persistence_forecast(3.0, 4), std::vector<double>(4, 3.0));
  std::vector<double> line;
  for (int t = -9; t <= 0; ++t) line.push_back(2.0 + 0.01 * t);
  const auto f = trend_forecast(line, 3);
  ASSERT_EQ(f.size(), 3u);
  for (int d = 1; d <= 3; ++d)
    EXPECT_NEAR(f[static_cast<std::size_t>(d - 1)], 2.0 + 0.01 * d, 1e-12);
  // Elasticity: ln H = 4 + 0.7 ln P exactly.
  std::vector<double> h, p;
  for (int t = 0; t < 30; ++t) {
    p.push_back(10.0 + std::sin(t));
    h.push_back(4.0 + 0.7 * p.back());
  }
  EXPECT_NEAR(fit_price_elasticity(h, p), 0.7, 1e-12);
  EXPECT_THROW(fit_price_elasticity(std::vector<double>(30, 1.0), std::vector<double>(30, 2.0)),
               Error);
  EXPECT_THROW(trend_forecast({1.0}, 3), Error);
}

DailyTable daily() {
  return DailyTable::load(kSource + "/data/history/btc_daily_2020_2026_obm.csv");
}
DailyTable prices() { return DailyTable::load(kSource + "/data/history/btc_price_usd_daily.csv"); }

ScoreOptions small_options() {
  ScoreOptions o;
  o.from = "2024-01-01";
  o.to = "2024-03-01";
  o.every_months = 2;  // origins 2024-01-01, 2024-03-01
  o.horizons = {30, 90};
  o.paths = 4;
  o.threads = 2;
  return o;
}

TEST(Score, TwoOriginsBothModesAgainstBaselines) {
  ScoreOptions o = small_options();
  o.fan_origins = {"2024-03-01"};
  const ScoreResult r = run_score(scenario::load_scenario(kSource + "/scenarios/base.yaml"),
                                  std::nullopt, daily(), prices(), o);
  ASSERT_EQ(r.origins, (std::vector<std::string>{"2024-01-01", "2024-03-01"}));
  // 2 origins x 2 horizons x 2 modes x 2 variables x 4 forecasters.
  EXPECT_EQ(r.rows.size(), 64u);
  EXPECT_EQ(r.cells.size(), 32u);
  EXPECT_EQ(r.fans.size(), 4u);  // 2 modes x 2 variables
  for (const auto& c : r.cells) {
    EXPECT_EQ(c.origins, 2u);
    EXPECT_EQ(c.summary.days, 2u * static_cast<std::size_t>(c.horizon_days));
    EXPECT_GE(c.summary.crps_mean, 0.0);
    if (c.forecaster == 0) {
      EXPECT_GE(c.summary.coverage_p5_p95, c.summary.coverage_p25_p75);
      EXPECT_LE(c.summary.coverage_p5_p95, 1.0);
    } else {
      EXPECT_TRUE(std::isnan(c.summary.coverage_p5_p95));
      // A point forecast's CRPS is its absolute error, so the mean CRPS is the mean |e|.
      EXPECT_GE(c.summary.crps_mean, std::fabs(c.summary.bias_mean_log_error) - 1e-12);
    }
  }
  // Persistence of hashrate from 2024-03-01: its error on day 90 is ln(H(origin) / H(day 90)).
  const auto& fan = r.fans.front();
  EXPECT_EQ(fan.origin, "2024-03-01");
  ASSERT_EQ(fan.dates.size(), 91u);
  EXPECT_NEAR(fan.p50[0] / fan.actual[0], 1.0, 1e-9);  // day 0 is the start condition
  int checked = 0;
  for (const auto& row : r.rows) {
    if (row.origin == "2024-03-01" && row.forecaster == 1 && row.variable == 0 &&
        row.horizon_days == 90 && row.mode == ScoreMode::Replay) {
      EXPECT_NEAR(row.log_error_at_horizon, std::log(fan.actual[0] / fan.actual[90]), 1e-12);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 1);
  const std::string table = score_table(r);
  EXPECT_NE(table.find("median |log error|"), std::string::npos) << table;
  EXPECT_NE(table.find("elasticity"), std::string::npos) << table;
  const auto csv = std::filesystem::temp_directory_path() /
                   ("hashsim-score-test-" + std::to_string(::getpid()) + ".csv");
  write_score_csv(r, csv);
  const std::string text = read_file(csv);
  std::filesystem::remove(csv);
  EXPECT_EQ(text.rfind("mode,variable,forecaster,origin,horizon_days,", 0), 0u);
  EXPECT_NE(text.find("\nreplay,network_hashrate_ths,agents,2024-01-01,30,30,"), std::string::npos);
  EXPECT_NE(text.find("\nsimulated,hashprice_usd_per_th_day,trend,all,90,180,"), std::string::npos);
}

TEST(Score, SameSeedSameScores) {
  ScoreOptions o = small_options();
  o.to = "2024-01-01";
  o.modes = {ScoreMode::Simulated};
  const auto s = scenario::load_scenario(kSource + "/scenarios/base.yaml");
  const ScoreResult a = run_score(s, std::nullopt, daily(), prices(), o);
  o.threads = 1;
  const ScoreResult b = run_score(s, std::nullopt, daily(), prices(), o);
  ASSERT_EQ(a.cells.size(), b.cells.size());
  for (std::size_t k = 0; k < a.cells.size(); ++k)
    EXPECT_EQ(a.cells[k].summary.crps_mean, b.cells[k].summary.crps_mean);
}

TEST(Score, RefusesOriginsOutsideTheDataAndNonAgentScenarios) {
  const auto base = scenario::load_scenario(kSource + "/scenarios/base.yaml");
  ScoreOptions o = small_options();
  o.from = "2021-01-01";  // needs 365 days of hashrate before it: first origin 2021-07-27
  std::string msg = error_of([&] { run_score(base, std::nullopt, daily(), prices(), o); });
  EXPECT_NE(msg.find("origin 2021-01-01 is outside what the data allow"), std::string::npos) << msg;
  EXPECT_NE(msg.find("first 2021-07-27"), std::string::npos) << msg;
  o = small_options();
  o.from = "2026-06-01";
  o.to = "2026-06-01";
  msg = error_of([&] { run_score(base, std::nullopt, daily(), prices(), o); });
  EXPECT_NE(msg.find("last 2026-05-27"), std::string::npos) << msg;  // 2026-06-26 minus 30 days
  o = small_options();
  msg = error_of([&] {
    run_score(scenario::load_scenario(kSource + "/scenarios/exogenous-hashrate.yaml"), std::nullopt,
              daily(), prices(), o);
  });
  EXPECT_NE(msg.find("score needs network.model: agents"), std::string::npos) << msg;
  o.paths = 0;
  EXPECT_THROW(run_score(base, std::nullopt, daily(), prices(), o), Error);
  o = small_options();
  o.horizons = {0};
  EXPECT_THROW(run_score(base, std::nullopt, daily(), prices(), o), Error);
  o = small_options();
  o.modes.clear();
  EXPECT_THROW(run_score(base, std::nullopt, daily(), prices(), o), Error);
}

TEST(ScoreCli, PrintsTheTableAndWritesTheCsv) {
  const test_support::TempDir tmp;
  const std::filesystem::path& dir = tmp.path();
  const CliRun r = run_hashsim(
      "score --from 2024-06-01 --to 2024-06-01 --horizons 30 --paths 2 --modes replay -o '" +
          (dir / "score.csv").string() + "'",
      dir / "log");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("network hashrate (TH/s), real price and fees replayed: 1 origins "
                       "2024-06-01..2024-06-01"),
            std::string::npos)
      << r.out;
  EXPECT_NE(read_file(dir / "score.csv")
                .find("replay,hashprice_usd_per_th_day,persistence,2024-06-01,30,30,"),
            std::string::npos);
  const CliRun bad = run_hashsim("score --modes guess", dir / "log2");
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find("--modes: 'guess' is not one of: replay, simulated"), std::string::npos)
      << bad.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "none.csv"));
  std::filesystem::remove_all(dir);
}

// The report's forecast-scores section: score --json, then report --score embeds it and score.js.
TEST(ScoreCli, ReportEmbedsTheScoreSection) {
  const test_support::TempDir tmp;
  const std::filesystem::path& dir = tmp.path();
  const std::string d = dir.string();
  CliRun r = run_hashsim(
      "score --from 2024-06-01 --to 2024-07-01 --horizons 30 --paths 2 --json '" + d + "/s.json'",
      dir / "log1");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string json = read_file(dir / "s.json");
  EXPECT_NE(json.find("\"schema\": \"hashsim-score-1\""), std::string::npos) << json.substr(0, 200);
  EXPECT_NE(json.find("\"origin\": \"2024-07-01\""),
            std::string::npos);  // default fans: first, middle, last
  r = run_hashsim("run scenarios/base.yaml --paths 2 --days 30 --no-progress -o '" + d + "/r.h5'",
                  dir / "log2");
  ASSERT_EQ(r.status, 0) << r.out;
  r = run_hashsim("report '" + d + "/r.h5' --score '" + d + "/s.json' -o '" + d + "/report.html'",
                  dir / "log3");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string html = read_file(dir / "report.html");
  EXPECT_NE(html.find("id=\"score-body\""), std::string::npos);
  EXPECT_NE(html.find("hashsim-score-1"), std::string::npos);
  EXPECT_NE(html.find("Forecast vs realised"), std::string::npos);  // score.js is embedded
  write_file_atomic(dir / "bad.json", "{\"schema\": \"other\"}");
  r = run_hashsim("report '" + d + "/r.h5' --score '" + d + "/bad.json' -o '" + d + "/bad.html'",
                  dir / "log4");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("not a hashsim score file"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.html"));
  r = run_hashsim(
      "score --from 2024-06-01 --to 2024-06-01 --horizons 30 --paths 2 --fan-origins 2024-05-01",
      dir / "log5");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("--fan-origins: '2024-05-01' is not one of the origins"), std::string::npos)
      << r.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashsim::history
