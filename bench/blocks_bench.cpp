// Ledger sync throughput: 100,000 synthetic blocks from the loopback Bitcoin Core
// (tests/blocks/fake_node, answering at once) into a fresh SQLite ledger, batched JSON-RPC
// (getblockstats + getnetworkhashps per block, Arg = blocks per POST), one transaction per batch.
// The node and the chain are built outside the timed loop; rate as blocks/s.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "engine/blocks/sync.h"
#include "tests/blocks/fake_node.h"

using namespace hashsim::blocks;

namespace {

constexpr std::int64_t kBlocks = 100'000;

void BM_SyncBlocks(benchmark::State& state) {
  static testing::FakeNode node(testing::synthetic_chain(800'000, kBlocks));
  const auto db = std::filesystem::temp_directory_path() /
                  ("hashsim_blocks_bench_" + std::to_string(::getpid()));
  RpcOptions o;
  o.url = node.url();
  auto source = make_node_source(o, HashrateFrom::NetworkHashps);
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + ext);
    state.ResumeTiming();
    LedgerStore store(db);
    SyncOptions so;
    so.from_height = 800'000;
    so.batch_blocks = state.range(0);
    const SyncReport r = sync_ledger(*source, store, so);
    if (r.blocks_added != kBlocks) state.SkipWithError("not every block was stored");
  }
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + ext);
  state.counters["blocks_per_s"] =
      benchmark::Counter(static_cast<double>(kBlocks) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SyncBlocks)
    ->Arg(1000)
    ->Arg(250)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
