#pragma once
// Follows a block source from a start height to its tip into the ledger, resumably.
//
// 1. source.check(chain): right chain, not in initial block download; the tip height T.
// 2. Lagging node: T < S and the hashes agree at T (or T is below the ledger's first block): the
//    node is behind, not on another chain; LaggingNodeError, nothing deleted.
//    Reorg check: with stored top height S, compare the stored hash at min(S, T) with the source's;
//    on a mismatch walk back (64 heights per round trip) to the highest height whose hashes agree
//    (the fork point F) and delete every stored block above F in one transaction.
// 3. From max(stored) + 1 (or --from-height on an empty ledger) to T in batches of `batch_blocks`:
//    one round trip per batch (node: one JSON-RPC batch POST), which also asks for the hash of the
//    block below the batch; if that no longer matches the ledger a reorg happened during the sync:
//    back to step 2. Every block is checked (height sequence, 64-hex hash, subsidy equal to the
//    consensus schedule 50 BTC >> (height / 210000), fees >= 0, hashrate > 0) and a batch is
//    stored in one SQLite transaction, so a kill at any moment leaves whole batches only and the
//    next run resumes at the first missing height: no gaps, no duplicates.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/blocks/block_source.h"
#include "engine/blocks/ledger_store.h"
#include "engine/util/error.h"

namespace hashsim::blocks {

// The source's tip is below the ledger's top on the same chain; the ledger is left as it was.
class LaggingNodeError : public Error {
 public:
  using Error::Error;
};

struct SyncOptions {
  std::string chain = "main";
  std::optional<std::int64_t> from_height;  // needed on an empty ledger; else must not leave a gap
  std::int64_t batch_blocks = 500;
  std::optional<std::int64_t> to_height;  // stop here instead of the tip (tests, partial syncs)
  // Called after each committed batch with the last stored height (progress, tests).
  std::function<void(std::int64_t last_height)> after_batch;
};

struct SyncReport {
  std::int64_t tip_height = 0;
  std::int64_t first_added = -1, last_added = -1;  // -1: nothing added
  std::int64_t blocks_added = 0;
  std::int64_t batches = 0;
  std::int64_t reorgs = 0;  // rollbacks performed
  std::int64_t blocks_rolled_back = 0;
  std::optional<std::int64_t> fork_height;  // last rollback's fork point
  std::string note;                         // e.g. why --from-height was ignored
};

// Throws Error (nothing half-written: completed batches stay, the failing one is not stored).
SyncReport sync_ledger(BlockSource& source, LedgerStore& store, const SyncOptions& options);

// Checks one block as the sync does; throws Error naming the height and the problem.
void check_block(const BlockRecord& b, std::int64_t expected_height);

}  // namespace hashsim::blocks
