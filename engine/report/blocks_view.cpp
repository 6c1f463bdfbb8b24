#include "engine/report/blocks_view.h"

#include <cstdio>
#include <string>

#include "engine/blocks/block_revenue.h"
#include "engine/report/json_numbers.h"
#include "engine/util/dates.h"
#include "engine/io/schema.h"

namespace hashsim::report {

namespace {
constexpr const char* kMoneyFields[] = {"revenue_btc", "revenue_usd", "power_cost_usd",
                                        "profit_usd"};

std::string utc_of(double time_unix) {
  const auto t = static_cast<std::int64_t>(time_unix);
  const std::int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  const std::int64_t s = t - day * 86400;
  char hms[16];
  std::snprintf(hms, sizeof hms, "T%02d:%02d:%02dZ", static_cast<int>(s / 3600),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return civil_from_days(day) + hms;
}

const std::vector<double>& column_of(const std::vector<Column>& cols, const std::string& name) {
  for (const auto& c : cols)
    if (c.name == name) return c.values;
  static const std::vector<double> none;
  return none;
}
}  // namespace

nlohmann::json blocks_view_json(const std::filesystem::path& revenue_file) {
  const blocks::BlockRevenueFile f = blocks::read_block_revenue_hdf5(revenue_file);
  const blocks::BlockRevenueResult& r = f.result;
  const blocks::RevenueSummary days =
      blocks::summarize_block_revenue(r, blocks::SummaryPeriod::Day);
  const auto& time = r.column(io::schema::kBlockTimeUnix);

  nlohmann::json j;
  j["file"] = f.path;
  j["provenance"] = {{"command_line", f.command_line},       {"created_utc", f.created_utc},
                     {"hashsim_version", f.hashsim_version}, {"git_sha", f.git_sha},
                     {"ledger_file", f.ledger_file},         {"price_file", f.price_file}};
  j["tariff_usd_per_kwh"] = f.options.tariff_usd_per_kwh;
  j["pool_fee"] = f.options.pool_fee;
  j["n_blocks"] = r.heights.size();
  j["first_height"] = r.heights.front();
  j["last_height"] = r.heights.back();
  j["first_time_utc"] = utc_of(time.front());
  j["last_time_utc"] = utc_of(time.back());
  j["clamped_intervals"] = r.clamped_intervals;
  j["unknown_intervals"] = r.unknown_intervals;

  // Per block only what the page draws (a year is ~52,000 blocks): height, time, and per machine
  // revenue and profit in USD; the daily sums carry every money column.
  nlohmann::json block;
  block["height"] = r.heights;
  block["time_unix"] = json_numbers(time);
  nlohmann::json day;
  day["day"] = days.keys;
  day["blocks"] = json_numbers(column_of(days.columns, "blocks"));
  nlohmann::json machines = nlohmann::json::array();
  for (std::size_t m = 0; m < f.options.machines.size(); ++m) {
    const auto& spec = f.options.machines[m];
    const std::string& slug = f.slugs[m];
    nlohmann::json total, per_block, per_day;
    for (const char* field : kMoneyFields) {
      const std::string name = slug + "_" + field;
      total[field] = json_number(r.total(name));
      per_day[field] = json_numbers(column_of(days.columns, name));
    }
    for (const char* field : {"revenue_usd", "profit_usd"})
      per_block[field] = json_numbers(r.column(slug + "_" + field));
    machines.push_back({{"name", spec.name},
                        {"slug", slug},
                        {"hashrate_ths", spec.hashrate_ths},
                        {"power_w", spec.power_w},
                        {"count", spec.count},
                        {"total", total}});
    block[slug] = per_block;
    day[slug] = per_day;
  }
  j["machines"] = machines;
  j["block"] = block;
  j["day"] = day;
  return j;
}

}  // namespace hashsim::report
