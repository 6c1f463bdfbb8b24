#include "engine/blocks/sync.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "engine/chain/consensus.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"

namespace hashsim::blocks {

namespace {
constexpr std::int64_t kWalkBackStep = 64;

// Rolls the ledger back to the fork point with the source's chain; returns blocks deleted.
std::int64_t reconcile(BlockSource& src, LedgerStore& store, std::int64_t tip, SyncReport& report) {
  const auto top = store.max_height();
  if (!top) return 0;
  const std::int64_t lowest = *store.min_height();
  // A node whose tip is below the ledger's top but on the same chain is behind (still catching up,
  // restarted from an old datadir, a pruned or different node), not reorganised: delete nothing.
  if (tip < *top) {
    const auto stop = [&](const std::string& why) {
      throw LaggingNodeError(
          "the " + src.name() + " is behind the ledger: its tip is " + std::to_string(tip) +
          ", the ledger " + store.path().string() + " ends at " + std::to_string(*top) + " (" +
          why + "); nothing deleted. Sync again once the " + src.name() + " has caught up");
    };
    if (tip < lowest)
      stop("below the ledger's first block " + std::to_string(lowest) + ", so no hash to compare");
    if (src.hashes(tip, tip).front() == store.hash_at(tip)) stop("the hashes agree up to its tip");
  }
  const std::int64_t first_check = std::min(*top, tip);
  std::optional<std::int64_t> fork;
  if (first_check >= lowest) {
    // The common case costs one call: the top still matches.
    if (src.hashes(first_check, first_check).front() == store.hash_at(first_check))
      fork = first_check;
    for (std::int64_t h = first_check - 1; !fork && h >= lowest;) {
      const std::int64_t lo = std::max(lowest, h - kWalkBackStep + 1);
      const auto node = src.hashes(lo, h);
      const auto mine = store.range(lo, h);  // ascending, contiguous (no gaps by construction)
      for (std::int64_t k = h; k >= lo && !fork; --k) {
        const auto idx = static_cast<std::size_t>(k - lo);
        if (idx < mine.size() && mine[idx].height == k && mine[idx].hash == node[idx]) fork = k;
      }
      h = lo - 1;
    }
  }
  const std::int64_t f = fork.value_or(lowest - 1);
  if (f == *top) return 0;
  const std::int64_t n = store.delete_above(f);
  ++report.reorgs;
  report.blocks_rolled_back += n;
  report.fork_height = f;
  spdlog::warn(
      "reorg: the ledger's blocks above height {} are not on the {}'s best chain (tip {}); rolled "
      "back {} "
      "blocks ({}..{})",
      f, src.name(), tip, n, f + 1, *top);
  return n;
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}
}  // namespace

void check_block(const BlockRecord& b, std::int64_t expected_height) {
  const std::string at = "block " + std::to_string(expected_height);
  if (b.height != expected_height)
    throw Error(at + ": source returned height " + std::to_string(b.height) + " (out of sequence)");
  if (!is_hex64(b.hash))
    throw Error(at + ": hash '" + b.hash.substr(0, 80) + "' is not 64 hex digits");
  const std::int64_t consensus = chain::block_subsidy_sat(b.height);
  if (b.subsidy_sat != consensus)
    throw Error(at + ": subsidy " + std::to_string(b.subsidy_sat) +
                " sat differs from the consensus schedule (" + std::to_string(consensus) +
                " sat = 50 BTC >> " + std::to_string(b.height / chain::kHalvingInterval) +
                "); refusing to store it (wrong chain parameters or a broken source)");
  if (b.fee_sat < 0)
    throw Error(at + ": total fee " + std::to_string(b.fee_sat) + " sat is negative");
  if (b.time_unix <= 0)
    throw Error(at + ": time " + std::to_string(b.time_unix) + " is not a Unix time");
  if (!std::isfinite(b.network_hashrate_ths) || !(b.network_hashrate_ths > 0.0))
    throw Error(at + ": network hashrate estimate " + std::to_string(b.network_hashrate_ths) +
                " TH/s is not > 0");
}

SyncReport sync_ledger(BlockSource& src, LedgerStore& store, const SyncOptions& o) {
  if (o.batch_blocks < 1)
    throw OptionError("{batch} = " + std::to_string(o.batch_blocks) + " must be >= 1");
  SyncReport report;
  ChainInfo info = src.check(o.chain);
  if (const auto c = store.meta("chain"); c && *c != o.chain)
    throw OptionError(store.path().string() + " holds chain '" + *c + "', not '" + o.chain +
                      "' ({chain})");
  store.set_meta("chain", o.chain);
  report.tip_height = info.tip_height;

  reconcile(src, store, info.tip_height, report);
  std::int64_t next;
  if (const auto top = store.max_height()) {
    next = *top + 1;
    if (o.from_height && *o.from_height > next)
      throw OptionError("{from_height} " + std::to_string(*o.from_height) +
                        " would leave a gap: the ledger ends at " + std::to_string(*top) +
                        " (use a new {db} to start elsewhere)");
    if (o.from_height && *o.from_height < *store.min_height())
      report.note = "start height " + std::to_string(*o.from_height) +
                    " is below the ledger's first block " + std::to_string(*store.min_height()) +
                    ": the ledger only grows upwards; continuing at " + std::to_string(next);
  } else {
    if (o.from_height && *o.from_height < 0) throw OptionError("{from_height} must be >= 0");
    if (o.from_height && *o.from_height > info.tip_height)
      throw OptionError("{from_height} " + std::to_string(*o.from_height) + " is above the " +
                        src.name() + "'s tip " + std::to_string(info.tip_height) +
                        ": nothing to sync (is it the right chain, or still syncing?)");
    if (o.from_height)
      next = *o.from_height;
    else if (report.fork_height)
      next = *report.fork_height + 1;  // a reorg emptied the ledger
    else
      throw OptionError("the ledger is empty: give {from_height} to say where to start");
  }

  std::int64_t end_height = o.to_height ? std::min(*o.to_height, info.tip_height) : info.tip_height;
  int reorg_retries = 0;
  while (next <= end_height) {
    const std::int64_t last = std::min(end_height, next + o.batch_blocks - 1);
    const auto prev_stored = store.hash_at(next - 1);
    BlockSource::Batch batch = src.fetch(next, last, prev_stored ? next - 1 : -1);
    if (prev_stored && batch.prev_hash != *prev_stored) {
      // The chain below the batch changed while we were syncing: roll back and go on from there.
      if (++reorg_retries > 10)
        throw Error("the source's chain keeps reorganising; try again later");
      info = src.check(o.chain);
      report.tip_height = info.tip_height;
      end_height = o.to_height ? std::min(*o.to_height, info.tip_height) : info.tip_height;
      reconcile(src, store, info.tip_height, report);
      if (const auto top = store.max_height())
        next = *top + 1;
      else
        next = o.from_height.value_or(report.fork_height.value_or(next - 1) + 1);
      continue;
    }
    if (batch.blocks.size() != static_cast<std::size_t>(last - next + 1))
      throw Error(src.name() + " returned " + std::to_string(batch.blocks.size()) +
                  " blocks for heights " + std::to_string(next) + ".." + std::to_string(last));
    for (std::size_t i = 0; i < batch.blocks.size(); ++i)
      check_block(batch.blocks[i], next + static_cast<std::int64_t>(i));
    store.insert(batch.blocks);
    if (report.first_added < 0) report.first_added = next;
    report.last_added = last;
    report.blocks_added += last - next + 1;
    ++report.batches;
    spdlog::debug("stored blocks {}..{} (tip {})", next, last, info.tip_height);
    if (o.after_batch) o.after_batch(last);
    next = last + 1;
  }
  return report;
}

}  // namespace hashsim::blocks
