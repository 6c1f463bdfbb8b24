#include "engine/site/paths_input.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "engine/io/hdf5.h"
#include "engine/util/error.h"

namespace hashsim::site {

namespace {
constexpr std::uint64_t kBlockPaths = 512;
const char* kHashprice = "paths/hashprice_usd_per_th_day";
const char* kPrice = "paths/price_usd";
}  // namespace

std::vector<std::string> list_scenarios(hid_t file) {
  if (!h5::exists(file, "scenarios")) throw Error("the results file has no /scenarios group (not written by hashsim run/sweep?)");
  h5::Handle g = h5::open_group(file, "scenarios");
  return h5::list_children(g.get());
}

ScenarioInfo read_scenario_info(hid_t file, const std::string& name) {
  if (!h5::exists(file, "scenarios/" + name)) {
    std::string known;
    for (const auto& s : list_scenarios(file)) known += (known.empty() ? "" : ", ") + s;
    throw Error("scenario '" + name + "' is not in the results file (it has: " + known + ")");
  }
  h5::Handle g = h5::open_group(file, "scenarios/" + name);
  ScenarioInfo i;
  i.name = name;
  i.start_date = h5::get_string_attr(g.get(), "start_date").value_or("");
  i.start_source = h5::get_string_attr(g.get(), "start_source").value_or("");
  i.n_paths = h5::get_int_attr(g.get(), "n_paths").value_or(0);
  i.n_days = h5::get_int_attr(g.get(), "n_days").value_or(0);
  i.record_every_days = h5::get_int_attr(g.get(), "record_every_days").value_or(1);
  i.start_price_usd = h5::get_double_attr(g.get(), "start_price_usd").value_or(0.0);
  i.start_difficulty = h5::get_double_attr(g.get(), "start_difficulty").value_or(0.0);
  i.start_network_hashrate_ths = h5::get_double_attr(g.get(), "start_network_hashrate_ths").value_or(0.0);
  i.start_height = h5::get_double_attr(g.get(), "start_height").value_or(0.0);
  i.live_snapshot_json = h5::get_string_attr(g.get(), "live_snapshot").value_or("{}");
  if (i.live_snapshot_json.empty()) i.live_snapshot_json = "{}";
  if (i.record_every_days < 1) throw Error("scenario '" + name + "': record_every_days must be >= 1");
  return i;
}

MarketPaths read_market_paths(hid_t file, const std::string& name, int years) {
  const ScenarioInfo info = read_scenario_info(file, name);
  const std::int64_t need_days = 365LL * years;
  if (info.n_days < need_days)
    throw Error("scenario '" + name + "' has " + std::to_string(info.n_days) + " simulated days but the site horizon of " +
                std::to_string(years) + " years needs " + std::to_string(need_days) +
                " (re-run the sweep with --days " + std::to_string(need_days) + " or shorten horizon_years)");
  h5::Handle g = h5::open_group(file, "scenarios/" + name);
  for (const char* ds : {kHashprice, kPrice})
    if (!h5::exists(g.get(), ds))
      throw Error("scenario '" + name + "' has no " + ds + " (record it: record.series in the scenario file)");
  h5::Handle hp_ds = h5::open_dataset(g.get(), kHashprice);
  h5::Handle px_ds = h5::open_dataset(g.get(), kPrice);
  const auto shape = h5::shape(hp_ds.get());
  if (shape.size() != 2 || h5::shape(px_ds.get()) != shape)
    throw Error("scenario '" + name + "': " + kHashprice + " and " + kPrice + " must both be [paths, recorded days]");
  const auto k = static_cast<std::uint64_t>(info.record_every_days);
  const std::uint64_t n_paths = shape[0];
  const std::uint64_t rec_needed = (static_cast<std::uint64_t>(need_days) + k - 1) / k;
  if (shape[1] < rec_needed)
    throw Error("scenario '" + name + "': " + kHashprice + " has " + std::to_string(shape[1]) +
                " recorded days, fewer than the " + std::to_string(rec_needed) + " the horizon needs");

  MarketPaths m;
  m.scenario = name;
  m.n_paths = n_paths;
  m.years = years;
  const auto Y = static_cast<std::size_t>(years);
  const auto M = static_cast<std::size_t>(months(years));
  m.hashprice_year_usd_per_th.assign(n_paths * Y, 0.0);
  m.hashprice_month_usd_per_th.assign(n_paths * M, 0.0);
  // month of each day of the horizon
  std::vector<std::uint32_t> month_of(static_cast<std::size_t>(need_days));
  for (std::size_t mm = 0, d = 0; mm < M; ++mm)
    for (; d <= static_cast<std::size_t>(month_end_day(static_cast<int>(mm))); ++d) month_of[d] = static_cast<std::uint32_t>(mm);
  m.price_usd_day0.resize(n_paths);
  m.price_usd_month_end.resize(n_paths * M);
  std::vector<double> hp, px;
  for (std::uint64_t p0 = 0; p0 < n_paths; p0 += kBlockPaths) {
    const std::uint64_t np = std::min(kBlockPaths, n_paths - p0);
    hp.resize(np * rec_needed);
    px.resize(np * rec_needed);
    h5::read_box(hp_ds.get(), {p0, 0}, {np, rec_needed}, hp.data());
    h5::read_box(px_ds.get(), {p0, 0}, {np, rec_needed}, px.data());
    for (std::uint64_t i = 0; i < np; ++i) {
      const double* h = &hp[i * rec_needed];
      const double* x = &px[i * rec_needed];
      double* year = &m.hashprice_year_usd_per_th[(p0 + i) * Y];
      double* month = &m.hashprice_month_usd_per_th[(p0 + i) * M];
      // recorded day r stands for days [r k, r k + k); each is counted in the month and year it falls in
      for (std::uint64_t r = 0; r < rec_needed; ++r) {
        for (std::uint64_t d = r * k; d < std::min<std::uint64_t>(r * k + k, static_cast<std::uint64_t>(need_days)); ++d) {
          year[d / 365] += h[r];
          month[month_of[d]] += h[r];
        }
      }
      m.price_usd_day0[p0 + i] = x[0];
      for (std::size_t mm = 0; mm < M; ++mm)
        m.price_usd_month_end[(p0 + i) * M + mm] = x[static_cast<std::uint64_t>(month_end_day(static_cast<int>(mm))) / k];
    }
  }
  return m;
}

FxRate resolve_fx(const SiteConfig& c, const ScenarioInfo& info) {
  FxRate fx;
  if (c.currency == "USD") {
    fx.usd_to_site = 1.0;
    fx.source = "identity (USD site)";
    return fx;
  }
  if (c.fx_usd_to_site) {
    fx.usd_to_site = *c.fx_usd_to_site;
    fx.source = "site file (fx_usd_to_site)";
    return fx;
  }
  std::string lower = c.currency;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  const std::string key = "fx_usd_" + lower;
  nlohmann::json snap;
  try {
    snap = nlohmann::json::parse(info.live_snapshot_json);
  } catch (const std::exception& e) {
    throw Error("scenario '" + info.name + "': live_snapshot attribute is not valid JSON: " + e.what());
  }
  const auto* entry = snap.contains("values") && snap["values"].contains(key) ? &snap["values"][key] : nullptr;
  if ((!entry || !entry->contains("value") || !(*entry)["value"].is_number()) && c.fx_fallback_usd_to_site) {
    fx.usd_to_site = *c.fx_fallback_usd_to_site;
    fx.source = "site file fallback (fx_fallback_usd_to_site: the results' data snapshot has no " + key + ")";
    return fx;
  }
  if (!entry || !entry->contains("value") || !(*entry)["value"].is_number())
    throw Error(c.file.string() + ": currency " + c.currency + " needs an FX rate, but the results' data snapshot (scenario '" +
                info.name + "', start source '" + info.start_source + "') has no " + key +
                "; set fx_usd_to_site or fx_fallback_usd_to_site (" + c.currency + " per USD) in the site file");
  fx.usd_to_site = (*entry)["value"].get<double>();
  if (!(fx.usd_to_site > 0.0))
    throw Error("scenario '" + info.name + "': snapshot " + key + " = " + std::to_string(fx.usd_to_site) + " must be > 0");
  auto str = [&](const char* f) { return entry->contains(f) && (*entry)[f].is_string() ? (*entry)[f].get<std::string>() : ""; };
  fx.source = "snapshot " + key + (str("source").empty() ? "" : " (" + str("source") + ")");
  fx.provider_time = str("provider_time");
  fx.fetched_at = str("fetched_at");
  fx.stale = entry->contains("stale") && (*entry)["stale"].is_boolean() && (*entry)["stale"].get<bool>();
  return fx;
}

}  // namespace hashsim::site
