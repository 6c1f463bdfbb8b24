#pragma once
// MPI scale-out of the path runner (README "Many machines (MPI)"). Under `mpirun -np N hashsim
// run|sweep`, the blocks of paths of every scenario are dealt round-robin to the ranks (block b to
// rank b mod N); every rank simulates its blocks with TBB on its own cores and sends them to rank
// 0, which writes all blocks in path order through the one results writer (the same calls, in the
// same order, as a single process), so the datasets, summaries included, are byte-identical to a
// single-process run. Only rank 0 touches the output, through <output>.partial renamed on success.
//
// Built without MPI (HASHSIM_MPI off or no MPI found), or launched without mpirun, the world is
// one rank and every call here is a no-op.
#include <cstdint>
#include <string>

namespace hashsim::sim {

struct Shard {
  int rank = 0;
  int size = 1;
};

bool mpi_built();
// Starts MPI (threads serialized: TBB's serial pipeline stage sends and receives) when the process
// was launched by an MPI launcher (OMPI_COMM_WORLD_SIZE / PMI_SIZE / PMIX_RANK set); else nothing.
void shard_init(int* argc, char*** argv);
void shard_finalize();
// Ends every rank of the job with `code` (an error on one rank must not leave the others waiting).
[[noreturn]] void shard_abort(int code);
Shard shard_world();
void shard_barrier();
// Point-to-point transfer of doubles, in order (one tag), any count (sent in pieces below 2^31).
void shard_send(int dest, const double* data, std::uint64_t count);
void shard_recv(int source, double* data, std::uint64_t count);
// Rank 0's bytes to every rank.
void shard_broadcast(std::string& bytes);

}  // namespace hashsim::sim
