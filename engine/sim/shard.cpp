#include "engine/sim/shard.h"

#include <cstdlib>

#include "engine/util/error.h"

#if HASHSIM_WITH_MPI
#include <mpi.h>

#include <algorithm>
#endif

namespace hashsim::sim {

#if HASHSIM_WITH_MPI
namespace {
bool g_started = false;
Shard g_world;
constexpr int kBlockTag = 7;
constexpr std::uint64_t kPiece = std::uint64_t{1} << 30;  // doubles per message (int count)

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw Error(std::string("MPI: ") + what + " failed");
}
}  // namespace

bool mpi_built() { return true; }

void shard_init(int* argc, char*** argv) {
  const bool launched =
      std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
  if (!launched) return;
  int provided = 0;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  g_started = true;
  if (provided < MPI_THREAD_SERIALIZED) {
    shard_abort(1);
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &g_world.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_world.size);
}

void shard_finalize() {
  if (g_started) MPI_Finalize();
  g_started = false;
}

void shard_abort(int code) {
  if (g_started) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

Shard shard_world() { return g_world; }

void shard_barrier() {
  if (g_started) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void shard_send(int dest, const double* data, std::uint64_t count) {
  // At least one message, so an empty block still pairs a send with its receive.
  std::uint64_t done = 0;
  do {
    const auto n = static_cast<int>(std::min(kPiece, count - done));
    check(MPI_Send(data + done, n, MPI_DOUBLE, dest, kBlockTag, MPI_COMM_WORLD), "MPI_Send");
    done += static_cast<std::uint64_t>(n);
  } while (done < count);
}

void shard_recv(int source, double* data, std::uint64_t count) {
  // At least one message, so an empty block still pairs a send with its receive.
  std::uint64_t done = 0;
  do {
    const auto n = static_cast<int>(std::min(kPiece, count - done));
    check(
        MPI_Recv(data + done, n, MPI_DOUBLE, source, kBlockTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
    done += static_cast<std::uint64_t>(n);
  } while (done < count);
}

void shard_broadcast(std::string& bytes) {
  if (!g_started) return;
  auto n = static_cast<unsigned long long>(bytes.size());
  check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  bytes.resize(n);
  if (n > 0)
    check(MPI_Bcast(bytes.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
}

#else  // built without MPI: one rank

bool mpi_built() { return false; }
void shard_init(int*, char***) {}
void shard_finalize() {}
void shard_abort(int code) { std::_Exit(code); }
Shard shard_world() { return {}; }
void shard_barrier() {}
void shard_send(int, const double*, std::uint64_t) {
  throw Error("internal: MPI send in a build without MPI");
}
void shard_recv(int, double*, std::uint64_t) {
  throw Error("internal: MPI receive in a build without MPI");
}
void shard_broadcast(std::string&) {}

#endif

}  // namespace hashsim::sim
