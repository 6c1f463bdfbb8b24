#include "engine/io/schema.h"
#include "engine/site/paths_input.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "engine/io/hdf5.h"
#include "engine/util/error.h"

namespace hashsim::site {

namespace {
constexpr std::uint64_t kBlockPaths = 512;
namespace sc = io::schema;
const std::string kHashprice = sc::paths_dataset(sc::kSeriesHashpriceUsd);
const std::string kPrice = sc::paths_dataset(sc::kSeriesPriceUsd);
}  // namespace

std::vector<std::string> list_scenarios(hid_t file) {
  if (!h5::exists(file, sc::kScenariosGroup))
    throw Error("the results file has no /scenarios group (not written by hashsim run/sweep?)");
  h5::Handle g = h5::open_group(file, sc::kScenariosGroup);
  return h5::list_children(g.get());
}

ScenarioInfo read_scenario_info(hid_t file, const std::string& name) {
  if (!h5::exists(file, sc::scenario_group(name))) {
    std::string known;
    for (const auto& s : list_scenarios(file)) known += (known.empty() ? "" : ", ") + s;
    throw Error("scenario '" + name + "' is not in the results file (it has: " + known + ")");
  }
  h5::Handle g = h5::open_group(file, sc::scenario_group(name));
  ScenarioInfo i;
  i.name = name;
  i.start_date = h5::get_string_attr(g.get(), sc::kAttrStartDate).value_or("");
  i.start_source = h5::get_string_attr(g.get(), sc::kAttrStartSource).value_or("");
  i.n_paths = h5::get_int_attr(g.get(), sc::kAttrNPaths).value_or(0);
  i.n_days = h5::get_int_attr(g.get(), sc::kAttrNDays).value_or(0);
  i.record_every_days = h5::get_int_attr(g.get(), sc::kAttrRecordEveryDays).value_or(1);
  i.start_price_usd = h5::get_double_attr(g.get(), sc::kAttrStartPriceUsd).value_or(0.0);
  i.start_difficulty = h5::get_double_attr(g.get(), sc::kAttrStartDifficulty).value_or(0.0);
  i.start_network_hashrate_ths =
      h5::get_double_attr(g.get(), sc::kAttrStartNetworkHashrateThs).value_or(0.0);
  i.start_height = h5::get_double_attr(g.get(), sc::kAttrStartHeight).value_or(0.0);
  i.live_snapshot_json = h5::get_string_attr(g.get(), sc::kAttrLiveSnapshot).value_or("{}");
  if (i.live_snapshot_json.empty()) i.live_snapshot_json = "{}";
  if (i.record_every_days < 1)
    throw Error("scenario '" + name + "': record_every_days must be >= 1");
  return i;
}

MarketPaths read_market_paths(hid_t file, const std::string& name, int years) {
  const ScenarioInfo info = read_scenario_info(file, name);
  const std::int64_t need_days = 365LL * years;
  if (info.n_days < need_days)
    throw Error("scenario '" + name + "' has " + std::to_string(info.n_days) +
                " simulated days but the site horizon of " + std::to_string(years) +
                " years needs " + std::to_string(need_days) + " (re-run the sweep with --days " +
                std::to_string(need_days) + " or shorten horizon_years)");
  h5::Handle g = h5::open_group(file, sc::scenario_group(name));
  for (const std::string& ds : {kHashprice, kPrice})
    if (!h5::exists(g.get(), ds))
      throw Error("scenario '" + name + "' has no " + ds +
                  " (record it: record.series in the scenario file)");
  h5::Handle hp_ds = h5::open_dataset(g.get(), kHashprice);
  h5::Handle px_ds = h5::open_dataset(g.get(), kPrice);
  const auto shape = h5::shape(hp_ds.get());
  if (shape.size() != 2 || h5::shape(px_ds.get()) != shape)
    throw Error("scenario '" + name + "': " + kHashprice + " and " + kPrice +
                " must both be [paths, recorded days]");
  const auto k = static_cast<std::uint64_t>(info.record_every_days);
  const std::uint64_t n_paths = shape[0];
  const std::uint64_t rec_needed = (static_cast<std::uint64_t>(need_days) + k - 1) / k;
  if (shape[1] < rec_needed)
    throw Error("scenario '" + name + "': " + kHashprice + " has " + std::to_string(shape[1]) +
                " recorded days, fewer than the " + std::to_string(rec_needed) +
                " the horizon needs");

  MarketPaths m;
  m.scenario = name;
  m.n_paths = n_paths;
  m.years = years;
  const std::size_t D = m.days();
  m.hashprice_usd_per_th_day.assign(n_paths * D, 0.0);
  m.price_usd.assign(n_paths * D, 0.0);
  std::vector<double> hp, px;
  for (std::uint64_t p0 = 0; p0 < n_paths; p0 += kBlockPaths) {
    const std::uint64_t np = std::min(kBlockPaths, n_paths - p0);
    hp.resize(np * rec_needed);
    px.resize(np * rec_needed);
    h5::read_box(hp_ds.get(), {p0, 0}, {np, rec_needed}, hp.data());
    h5::read_box(px_ds.get(), {p0, 0}, {np, rec_needed}, px.data());
    for (std::uint64_t i = 0; i < np; ++i) {
      // recorded day r stands for days [r k, r k + k)
      double* h = &m.hashprice_usd_per_th_day[(p0 + i) * D];
      double* x = &m.price_usd[(p0 + i) * D];
      for (std::size_t d = 0; d < D; ++d) {
        h[d] = hp[i * rec_needed + d / k];
        x[d] = px[i * rec_needed + d / k];
      }
      for (std::size_t d = 0; d < D; ++d)
        if (!(x[d] > 0.0) || !std::isfinite(h[d]) || h[d] < 0.0)
          throw Error("scenario '" + name + "' path " + std::to_string(p0 + i) + " day " +
                      std::to_string(d) + ": BTC price must be > 0 and hashprice >= 0 (found " +
                      std::to_string(x[d]) + ", " + std::to_string(h[d]) + ")");
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
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  const std::string key = "fx_usd_" + lower;
  nlohmann::json snap;
  try {
    snap = nlohmann::json::parse(info.live_snapshot_json);
  } catch (const std::exception& e) {
    throw Error("scenario '" + info.name +
                "': live_snapshot attribute is not valid JSON: " + e.what());
  }
  const auto* entry =
      snap.contains("values") && snap["values"].contains(key) ? &snap["values"][key] : nullptr;
  if ((!entry || !entry->contains("value") || !(*entry)["value"].is_number()) &&
      c.fx_fallback_usd_to_site) {
    fx.usd_to_site = *c.fx_fallback_usd_to_site;
    fx.source = "site file fallback (fx_fallback_usd_to_site: the results' data snapshot has no " +
                key + ")";
    return fx;
  }
  if (!entry || !entry->contains("value") || !(*entry)["value"].is_number())
    throw Error(c.file.string() + ": currency " + c.currency +
                " needs an FX rate, but the results' data snapshot (scenario '" + info.name +
                "', start source '" + info.start_source + "') has no " + key +
                "; set fx_usd_to_site or fx_fallback_usd_to_site (" + c.currency +
                " per USD) in the site file");
  fx.usd_to_site = (*entry)["value"].get<double>();
  if (!(fx.usd_to_site > 0.0))
    throw Error("scenario '" + info.name + "': snapshot " + key + " = " +
                std::to_string(fx.usd_to_site) + " must be > 0");
  auto str = [&](const char* f) {
    return entry->contains(f) && (*entry)[f].is_string() ? (*entry)[f].get<std::string>() : "";
  };
  fx.source = "snapshot " + key + (str("source").empty() ? "" : " (" + str("source") + ")");
  fx.provider_time = str("provider_time");
  fx.fetched_at = str("fetched_at");
  fx.stale =
      entry->contains("stale") && (*entry)["stale"].is_boolean() && (*entry)["stale"].get<bool>();
  return fx;
}

}  // namespace hashsim::site
