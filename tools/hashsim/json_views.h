#pragma once
// The --json twins of the tables that calibrate, backtest, validate, fit, blocks sync and blocks
// revenue print (README "Machine-readable output" documents each schema). Every document has
// "schema" (hashsim.<command>) and "schema_version"; numbers that are not defined (NaN, e.g. a
// standard error that could not be computed) are null. The command prints the document alone on
// stdout, so `hashsim <command> --json | python3 -m json.tool` works.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/blocks/block_revenue.h"
#include "engine/blocks/sync.h"
#include "engine/history/backtest.h"
#include "engine/history/calibrate.h"
#include "engine/history/fit.h"
#include "engine/history/validate.h"

namespace hashsim::cli {

inline constexpr int kJsonSchemaVersion = 1;

nlohmann::json calibrate_json(const history::Calibration& c);
nlohmann::json backtest_json(const history::BacktestResult& r, const history::BacktestOptions& o);
nlohmann::json validate_json(const history::ValidateResult& r);
nlohmann::json fit_json(const history::FitResult& r);
nlohmann::json blocks_sync_json(const blocks::SyncReport& r, const std::string& source,
                                const std::string& db);
nlohmann::json blocks_revenue_json(const blocks::BlockRevenueResult& r,
                                   const blocks::BlockRevenueOptions& o,
                                   const std::string& price_file,
                                   const blocks::RevenueSummary* by_period);

// Prints the document (2-space indent) and a newline on stdout.
void print_json(const nlohmann::json& j);

}  // namespace hashsim::cli
