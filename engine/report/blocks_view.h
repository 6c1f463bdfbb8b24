#pragma once
// The "Block revenue" section of the report and the dashboard: what fleets would have earned on
// each block of a ledger, read from a `hashsim blocks revenue --h5` file (engine/blocks/
// block_revenue.h). The page draws the per-block revenue and profit of every machine and, for
// readability over thousands of blocks, their sums per UTC day; every number comes from the file
// (per block) or from blocks::summarize_block_revenue (per day), never recomputed in the browser.
#include <nlohmann/json.hpp>

#include <filesystem>

namespace hashsim::report {

// {"file", "provenance": {...}, "tariff_usd_per_kwh", "pool_fee", "n_blocks",
//  "first_height", "last_height", "first_time_utc", "last_time_utc",
//  "machines": [{"name", "slug", "hashrate_ths", "power_w", "count",
//                "total": {"revenue_btc", "revenue_usd", "power_cost_usd", "profit_usd"}}],
//  "block": {"height": [...], "time_unix": [...], "<slug>": {"revenue_usd": [...], "profit_usd":
//  [...]}}, "day": {"day": ["YYYY-MM-DD", ...], "blocks": [...],
//          "<slug>": {"revenue_btc": [...], "revenue_usd": [...], "power_cost_usd": [...],
//          "profit_usd": [...]}}}
// Throws hashsim::Error naming the file when it is not a block revenue file.
nlohmann::json blocks_view_json(const std::filesystem::path& revenue_file);

}  // namespace hashsim::report
