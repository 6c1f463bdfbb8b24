// `hashsim blocks sync` (per-block ledger from a Bitcoin Core node or mempool.space into SQLite)
// and `hashsim blocks revenue` (what fleets of ASICs would have earned on each stored block).
// Library: engine/blocks; usage: README.md, "Per-block ledger from a node".
#include <spdlog/spdlog.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agents/machine_catalogue.h"
#include "engine/blocks/block_revenue.h"
#include "engine/blocks/block_source.h"
#include "engine/blocks/ledger_lock.h"
#include "engine/blocks/ledger_store.h"
#include "engine/blocks/rpc_client.h"
#include "engine/blocks/sync.h"
#include "engine/history/backtest.h"
#include "engine/util/daily_table.h"
#include "engine/util/data_paths.h"
#include "engine/live/options.h"
#include "engine/util/error.h"
#include "engine/io/schema.h"
#include "tools/hashsim/command.h"
#include "tools/hashsim/json_views.h"

namespace hashsim::cli {

namespace {

struct SyncFlags {
  std::string source = "node";
  std::string rpc_url, rpc_cookie;
  std::string mempool_url;
  std::string chain = "main";
  std::string db = "ledger.sqlite";
  std::optional<std::int64_t> from_height, to_height;
  std::int64_t batch = 500;
  std::string hashrate_from = "networkhashps";
  long timeout_ms = 120000;
  bool follow = false;
  bool json = false;
  std::int64_t interval_s = 600;
};

struct RevenueFlags {
  std::string db = "ledger.sqlite";
  std::vector<std::string> machines;
  std::string specs, catalogue;
  double mw = 1.0;
  double tariff_usd_per_kwh = 0.0;
  double pool_fee = 0.0;
  std::string prices;
  std::optional<std::int64_t> from_height, to_height;
  std::string csv, h5;
  std::string by;  // "", "day" or "month"
  bool json = false;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// asic_specs.csv first (also "S21" for "Antminer S21"), then the simulation catalogue by name.
blocks::RevenueMachine find_revenue_machine(const std::string& name, const RevenueFlags& f) {
  const auto specs_file =
      f.specs.empty() ? data_file("history/asic_specs.csv") : std::filesystem::path(f.specs);
  std::string specs_error;
  try {
    const auto m =
        agents::load_machine_catalogue(specs_file, agents::MachineColumns::Nameplate).find(name);
    return {m.full_name(), m.hashrate_ths, m.power_w, 0.0};
  } catch (const Error& e) {
    specs_error = std::string("--machine = ") + e.what();
  }
  std::filesystem::path cat_file = f.catalogue;
  if (cat_file.empty()) {
    cat_file = data_file("machines/current_2026.csv");
  }
  if (std::filesystem::exists(cat_file)) {
    for (const auto& m : agents::load_machine_catalogue(cat_file).machines)
      if (lower(m.name) == lower(name)) return {m.name, m.hashrate_ths, m.power_w, 0.0};
  }
  throw Error(specs_error + " (also not in " + cat_file.string() + ")");
}

void print_ledger_line(blocks::LedgerStore& store) {
  const auto lo = store.min_height(), hi = store.max_height();
  if (!lo) {
    std::printf("ledger %s: empty\n", store.path().c_str());
    return;
  }
  std::printf("ledger %s: %lld blocks, heights %lld..%lld\n", store.path().c_str(),
              static_cast<long long>(store.count()), static_cast<long long>(*lo),
              static_cast<long long>(*hi));
}

std::unique_ptr<blocks::BlockSource> make_source(const SyncFlags& f) {
  if (f.source == "node") {
    // Read afresh every time: a restarted bitcoind writes a new cookie.
    blocks::RpcOptions o = blocks::rpc_options_from_env(f.rpc_url, f.rpc_cookie);
    o.total_timeout_ms = f.timeout_ms;
    o.connect_timeout_ms = std::min(o.connect_timeout_ms, f.timeout_ms);
    return blocks::make_node_source(o, f.hashrate_from == "difficulty"
                                           ? blocks::HashrateFrom::Difficulty
                                           : blocks::HashrateFrom::NetworkHashps);
  }
  const live::LiveOptions lo = live::live_options_from_env();
  return blocks::make_mempool_source(
      f.mempool_url.empty() ? lo.endpoints.mempool_space : f.mempool_url, lo.retry, lo.user_agent);
}

void remove_ledger_files(const std::string& db) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    std::filesystem::remove(db + suffix, ec);
}

// Set by SIGINT/SIGTERM during `blocks sync --follow`; checked between batches and while waiting.
std::atomic<bool> g_stop_requested{false};
extern "C" void on_stop_signal(int) { g_stop_requested.store(true); }

struct StopRequested {};

// One sync round. A ledger file this round created is removed again if it ends up empty (a failed
// first sync, e.g. bad credentials, must not leave an empty ledger behind).
blocks::SyncReport sync_once(const SyncFlags& f, bool stop_between_batches, bool print_up_to_date) {
  const bool existed = std::filesystem::exists(f.db);
  auto source = make_source(f);
  std::optional<blocks::LedgerStore> store;
  try {
    store.emplace(f.db);
    blocks::SyncOptions so;
    so.chain = f.chain;
    so.from_height = f.from_height;
    so.to_height = f.to_height;
    so.batch_blocks = f.batch;
    // Progress for long syncs, every 10,000 blocks (-v: every batch at debug level).
    so.after_batch = [last = std::int64_t{-1}, stop_between_batches](std::int64_t h) mutable {
      if (last >= 0 && h / 10000 != last / 10000) spdlog::info("stored up to height {}", h);
      last = h;
      if (stop_between_batches && g_stop_requested.load()) throw StopRequested{};
    };
    const auto t0 = std::chrono::steady_clock::now();
    blocks::SyncReport r = blocks::sync_ledger(*source, *store, so);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (f.json) {
      print_json(blocks_sync_json(r, source->name(), f.db));
      return r;
    }
    if (!r.note.empty()) std::printf("note: %s\n", r.note.c_str());
    if (r.reorgs > 0)
      std::printf("reorg: rolled back %lld blocks above fork point %lld\n",
                  static_cast<long long>(r.blocks_rolled_back),
                  static_cast<long long>(*r.fork_height));
    if (r.blocks_added == 0) {
      if (print_up_to_date)
        std::printf("up to date: no new blocks (%s tip %lld)\n", source->name().c_str(),
                    static_cast<long long>(r.tip_height));
    } else {
      std::printf(
          "added %lld blocks (%lld..%lld) in %lld batches, %.1f s, %.0f blocks/s; %s tip %lld\n",
          static_cast<long long>(r.blocks_added), static_cast<long long>(r.first_added),
          static_cast<long long>(r.last_added), static_cast<long long>(r.batches), s,
          s > 0 ? static_cast<double>(r.blocks_added) / s : 0.0, source->name().c_str(),
          static_cast<long long>(r.tip_height));
    }
    if (print_up_to_date || r.blocks_added > 0 || r.reorgs > 0) print_ledger_line(*store);
    std::fflush(stdout);
    return r;
  } catch (...) {
    if (!existed && (!store || store->count() == 0)) {
      store.reset();
      remove_ledger_files(f.db);
    }
    throw;
  }
}

// Waits up to `seconds`, returning early (true) when a stop was requested.
bool wait_or_stop(std::int64_t seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (g_stop_requested.load()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return g_stop_requested.load();
}

// `blocks sync --follow`: a sync every interval until SIGINT/SIGTERM. Any failure (node down or
// restarting, still loading, behind the ledger, bad reply) is logged and retried after
// min(interval, 30 s); the ledger never holds more than whole batches, so a stop is clean at any
// moment: between batches, or while waiting.
void follow(const SyncFlags& f) {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  std::printf("following the chain into %s every %lld s (Ctrl-C or SIGTERM stops)\n", f.db.c_str(),
              static_cast<long long>(f.interval_s));
  std::fflush(stdout);
  SyncFlags round = f;
  bool first = true;
  while (!g_stop_requested.load()) {
    std::int64_t wait_s = f.interval_s;
    try {
      sync_once(round, /*stop_between_batches=*/true, /*print_up_to_date=*/first);
      first = false;
      // --from-height only matters for the first block; later rounds continue the ledger.
      round.from_height.reset();
    } catch (const StopRequested&) {
      break;
    } catch (const std::exception& e) {
      wait_s = std::min<std::int64_t>(f.interval_s, 30);
      spdlog::warn("sync failed: {}; trying again in {} s", e.what(), wait_s);
    }
    if (wait_or_stop(wait_s)) break;
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  std::printf("stopped on signal; ");
  if (std::filesystem::exists(f.db)) {
    blocks::LedgerStore store(f.db);
    print_ledger_line(store);
  } else {
    std::printf("no ledger written\n");
  }
  std::fflush(stdout);
}

// The run's scope and each machine's totals.
void print_revenue_totals(const blocks::BlockRevenueResult& r, const blocks::BlockRevenueOptions& o,
                          const std::filesystem::path& price_file) {
  const double span_s =
      r.column(io::schema::kBlockTimeUnix).back() - r.column(io::schema::kBlockTimeUnix).front();
  std::printf(
      "blocks %lld..%lld (%zu blocks, %.1f days), prices %s, tariff %.4f USD/kWh, pool fee "
      "%.2f%%\n",
      static_cast<long long>(r.heights.front()), static_cast<long long>(r.heights.back()),
      r.heights.size(), span_s / 86400.0, price_file.c_str(), o.tariff_usd_per_kwh,
      100.0 * o.pool_fee);
  std::printf("intervals: %lld negative clamped to 0, %lld unknown (no previous block stored)\n",
              static_cast<long long>(r.clamped_intervals),
              static_cast<long long>(r.unknown_intervals));
  for (const auto& m : o.machines) {
    const std::string s = blocks::machine_slug(m.name);
    std::printf(
        "%-28s %5.0f x %6.1f TH/s %5.0f W: revenue %.6f BTC = %.2f USD, power %.2f USD, profit "
        "%.2f USD\n",
        m.name.c_str(), m.count, m.hashrate_ths, m.power_w,
        r.total(s + io::schema::kMachineRevenueBtc), r.total(s + io::schema::kMachineRevenueUsd),
        r.total(s + io::schema::kMachinePowerCost), r.total(s + io::schema::kMachineProfit));
  }
}

// Profit per machine per day or month, one row a period.
void print_revenue_summary(const blocks::RevenueSummary& sum, const blocks::BlockRevenueOptions& o,
                           const std::string& by) {
  std::printf("\n%-10s %6s", by.c_str(), "blocks");
  for (const auto& m : o.machines) std::printf("  %22.22s", (m.name + " profit USD").c_str());
  std::printf("\n");
  for (std::size_t i = 0; i < sum.keys.size(); ++i) {
    std::printf("%-10s %6.0f", sum.keys[i].c_str(), sum.columns[0].values[i]);
    for (const auto& m : o.machines)
      for (const auto& c : sum.columns)
        if (c.name == blocks::machine_slug(m.name) + io::schema::kMachineProfit)
          std::printf("  %22.2f", c.values[i]);
    std::printf("\n");
  }
}

// `hashsim blocks revenue`: the fleets, the blocks and prices, the table and the outputs.
void run_revenue(const RevenueFlags& f, const GlobalOptions& global) {
  for (const std::string* out : {&f.csv, &f.h5})
    if (!out->empty()) check_output_path(*out, global.overwrite());
  if (!(f.mw > 0.0)) throw Error("--mw must be > 0");
  if (!std::filesystem::exists(f.db))
    throw Error(f.db + ": no such ledger; run `hashsim blocks sync --db " + f.db + "` first");
  blocks::BlockRevenueOptions o;
  o.tariff_usd_per_kwh = f.tariff_usd_per_kwh;
  o.pool_fee = f.pool_fee;
  for (const auto& name : f.machines) {
    blocks::RevenueMachine m = find_revenue_machine(name, f);
    m.count = std::floor(f.mw * 1e6 / m.power_w);
    if (m.count < 1.0) throw Error("--mw is less than one " + m.name);
    o.machines.push_back(m);
  }
  blocks::LedgerStore store(f.db);
  const auto blocks_in =
      store.range(f.from_height.value_or(INT64_MIN), f.to_height.value_or(INT64_MAX));
  const auto price_file = f.prices.empty() ? data_file("history/btc_price_usd_daily.csv")
                                           : std::filesystem::path(f.prices);
  const blocks::DailyCloses closes = blocks::DailyCloses::load(DailyTable::load(price_file));
  const blocks::BlockRevenueResult r = blocks::block_revenue(blocks_in, closes, o);
  std::optional<blocks::RevenueSummary> sum;
  if (!f.by.empty())
    sum = blocks::summarize_block_revenue(
        r, f.by == "day" ? blocks::SummaryPeriod::Day : blocks::SummaryPeriod::Month);
  if (f.json) {
    print_json(blocks_revenue_json(r, o, price_file.string(), sum ? &*sum : nullptr));
  } else {
    print_revenue_totals(r, o, price_file);
    if (sum) print_revenue_summary(*sum, o, f.by);
  }
  if (sum && !f.csv.empty()) {
    blocks::write_revenue_summary_csv(*sum, f.csv, global.overwrite());
    report_written(f.csv + " (per " + f.by + ")", f.json);
  } else if (!f.csv.empty()) {
    blocks::write_block_revenue_csv(r, f.csv, global.overwrite());
    report_written(f.csv, f.json);
  }
  if (!f.h5.empty()) {
    blocks::write_block_revenue_hdf5(r, o, f.h5, global.command_line, f.db, price_file.string(),
                                     global.overwrite());
    report_written(f.h5, f.json);
  }
}

void add_sync_command(CLI::App* blocks_cmd) {
  auto sf = std::make_shared<SyncFlags>();
  CLI::App* sync = blocks_cmd->add_subcommand(
      "sync", "Follow the chain into an SQLite ledger (resumable, reorg-safe)");
  sync->add_option("--source", sf->source,
                   "node (Bitcoin Core JSON-RPC, default) or mempool (mempool.space REST)")
      ->check(CLI::IsMember({"node", "mempool"}));
  sync->add_option("--rpc-url", sf->rpc_url,
                   "Node RPC URL (else BITCOIN_RPC_URL, else http://127.0.0.1:8332/)");
  sync->add_option(
      "--rpc-cookie", sf->rpc_cookie,
      "Node cookie file (else BITCOIN_RPC_COOKIE, else BITCOIN_RPC_USER/BITCOIN_RPC_PASSWORD)");
  sync->add_option("--mempool-url", sf->mempool_url,
                   "mempool.space base URL (else LIVE_DATA_MEMPOOL_URL)");
  sync->add_option("--chain", sf->chain, "Expected chain: main (default), test, testnet4, signet");
  sync->add_option("--db", sf->db, "SQLite ledger file (default ledger.sqlite)");
  sync->add_option("--from-height", sf->from_height, "First height on an empty ledger");
  sync->add_option("--to-height", sf->to_height, "Stop at this height instead of the tip");
  sync->add_option("--batch", sf->batch,
                   "Blocks per JSON-RPC batch and SQLite transaction (default 500)");
  sync->add_option("--hashrate-from", sf->hashrate_from,
                   "networkhashps (getnetworkhashps 120 h, default) or difficulty (getblockheader)")
      ->check(CLI::IsMember({"networkhashps", "difficulty"}));
  sync->add_option("--timeout-ms", sf->timeout_ms, "Per-request timeout, ms (default 120000)");
  CLI::Option* follow_flag =
      sync->add_flag("--follow", sf->follow,
                     "Keep the ledger current: sync again every --interval seconds until "
                     "SIGINT/SIGTERM, surviving "
                     "node restarts");
  sync->add_option("--interval", sf->interval_s,
                   "Seconds between syncs with --follow (default 600)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}));
  add_json_flag(sync, sf->json)->excludes(follow_flag);
  sync->callback([sf] {
    const SyncFlags& f = *sf;
    // One writer per ledger (a second sync would race this one into duplicate heights).
    const blocks::LedgerLock lock(f.db);
    if (f.follow) return follow(f);
    sync_once(f, /*stop_between_batches=*/false, /*print_up_to_date=*/true);
  });
}

void add_revenue_command(CLI::App* blocks_cmd, GlobalOptions& global) {
  auto rf = std::make_shared<RevenueFlags>();
  CLI::App* rev = blocks_cmd->add_subcommand(
      "revenue", "What 1 MW of each machine would have earned on each stored block");
  rev->add_option("--db", rf->db, "SQLite ledger file (default ledger.sqlite)");
  rev->add_option("--machine", rf->machines, "Machine model (repeatable), e.g. 'Antminer S21'")
      ->required();
  rev->add_option("--specs", rf->specs, "Machine spec CSV (default data/history/asic_specs.csv)");
  rev->add_option("--catalogue", rf->catalogue,
                  "Second place to look (default data/machines/current_2026.csv)");
  rev->add_option("--mw", rf->mw, "Fleet size per machine in MW (whole machines; default 1)");
  rev->add_option("--tariff-usd-per-kwh", rf->tariff_usd_per_kwh,
                  "Electricity price, USD/kWh (default 0)");
  rev->add_option("--pool-fee", rf->pool_fee, "Pool fee as a fraction of revenue (default 0)");
  rev->add_option("--prices", rf->prices,
                  "Daily price CSV (default data/history/btc_price_usd_daily.csv)");
  rev->add_option("--from-height", rf->from_height, "First block (default: first stored)");
  rev->add_option("--to-height", rf->to_height, "Last block (default: last stored)");
  add_output_option(rev, "-o,--output", rf->csv, "Per-block CSV output");
  add_output_option(rev, "--h5", rf->h5, "Per-block HDF5 output");
  add_force_flag(rev, global);
  rev->add_option("--by", rf->by,
                  "Also sum per UTC day or month (table; with -o the CSV holds the sums)")
      ->check(CLI::IsMember({"day", "month"}));
  add_json_flag(rev, rf->json);
  rev->callback([rf, &global] { run_revenue(*rf, global); });
}

}  // namespace

void register_blocks_commands(CLI::App& app, GlobalOptions& global) {
  CLI::App* blocks_cmd =
      app.add_subcommand("blocks", "Per-block ledger from a Bitcoin node, and per-block revenue");
  blocks_cmd->require_subcommand(1);
  add_sync_command(blocks_cmd);
  add_revenue_command(blocks_cmd, global);
}

}  // namespace hashsim::cli
