// `mpirun -np 2 hashsim run|sweep` writes the same datasets (summaries included) as one process,
// and a job that loses a rank leaves no complete-looking output (README "Many machines (MPI)").
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/engine/scenarios.h"
#include "tests/engine/test_support.h"

namespace ts = hashsim::test_support;
using ts::TempDir;

namespace {
using ts::exit_code;
using ts::kHashsim;
const std::string kCatalogue = (ts::kSourceDir / "data/machines/current_2026.csv").string();

#if HASHSIM_WITH_MPI
const std::string kMpirun = HASHSIM_MPIEXEC;
#else
const std::string kMpirun;
#endif

#define SKIP_WITHOUT_MPI()                                                        \
  do {                                                                            \
    if (kMpirun.empty() || !std::filesystem::exists(kMpirun))                     \
      GTEST_SKIP() << "hashsim was built without MPI (HASHSIM_MPI) or no mpirun"; \
  } while (0)

// --oversubscribe: 2 ranks on a machine that may have fewer free cores; as root (CI containers)
// OpenMPI also needs --allow-run-as-root.
std::string mpirun(int ranks) {
  return kMpirun + " -np " + std::to_string(ranks) + " --oversubscribe" +
         (::geteuid() == 0 ? " --allow-run-as-root" : "") + " ";
}

// Every dataset of both files, compared byte for byte (each file must hold some).
void expect_same_datasets(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto da = ts::read_all_datasets(a), db = ts::read_all_datasets(b);
  ASSERT_GT(da.size(), 5u);
  ASSERT_EQ(da.size(), db.size());
  for (const auto& [name, d] : da) {
    const auto it = db.find(name);
    ASSERT_NE(it, db.end()) << name;
    EXPECT_TRUE(d == it->second) << name << " differs between one process and mpirun";
  }
}
}  // namespace

TEST(MpiRun, TwoRanksWriteTheDatasetsOfOneProcess) {
  SKIP_WITHOUT_MPI();
  TempDir dir;
  // 7 paths in blocks of 2: 4 blocks, the last one short, dealt 0,1,0,1 to the ranks.
  ts::write_text(dir / "agents.yaml", ts::agents_yaml("mpi-agents", kCatalogue, 7, 90, 11));
  const std::string in = (dir / "agents.yaml").string();
  const std::string flags =
      " -q run " + in + " --threads 1 --block-size 2 --no-progress --no-summary -o ";
  ASSERT_EQ(exit_code(kHashsim + flags + (dir / "one.h5").string() + " >/dev/null"), 0);
  ASSERT_EQ(exit_code(mpirun(2) + kHashsim + flags + (dir / "two.h5").string() + " >/dev/null"), 0);
  expect_same_datasets(dir / "one.h5", dir / "two.h5");
  // More ranks than blocks: a rank with nothing to do.
  ASSERT_EQ(exit_code(mpirun(3) + kHashsim + " -q run " + in +
                      " --threads 1 --block-size 4 --no-progress --no-summary -o " +
                      (dir / "three.h5").string() + " >/dev/null"),
            0);
  expect_same_datasets(dir / "one.h5", dir / "three.h5");
}

TEST(MpiRun, SweepOfTwoScenariosMatchesOneProcess) {
  SKIP_WITHOUT_MPI();
  TempDir dir;
  ts::write_text(dir / "exo.yaml", ts::exogenous_yaml("mpi-exo", 5, 60, 3));
  ts::write_text(
      dir / "sweep.yaml",
      "name: mpi-sweep\nscenarios: [exo.yaml]\ngrid:\n  price.vol_per_sqrt_year: [0.4, 0.8]\n");
  const std::string flags = " -q sweep " + (dir / "sweep.yaml").string() +
                            " --threads 2 --block-size 1 --no-progress --no-summary -o ";
  ASSERT_EQ(exit_code(kHashsim + flags + (dir / "one.h5").string() + " >/dev/null"), 0);
  ASSERT_EQ(exit_code(mpirun(2) + kHashsim + flags + (dir / "two.h5").string() + " >/dev/null"), 0);
  expect_same_datasets(dir / "one.h5", dir / "two.h5");
}

TEST(MpiRun, ResumeIsRefusedUnderMpi) {
  SKIP_WITHOUT_MPI();
  TempDir dir;
  ts::write_text(dir / "exo.yaml", ts::exogenous_yaml("mpi-exo", 4, 30, 3));
  const auto out = dir / "out.h5";
  EXPECT_NE(exit_code(mpirun(2) + kHashsim + " -q run " + (dir / "exo.yaml").string() +
                      " --resume --no-progress -o " + out.string() + " >/dev/null 2>&1"),
            0);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(MpiRun, KilledRankLeavesNoCompleteLookingFile) {
  SKIP_WITHOUT_MPI();
  TempDir dir;
  // Runs for minutes unless killed: rank 1 is killed once rank 0 has begun the output.
  ts::write_text(dir / "big.yaml", ts::exogenous_yaml("big", 1'000'000, 3650, 5));
  const auto target = dir / "big.h5";
  const auto partial = dir / "big.h5.partial";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    const std::string cmd = mpirun(2) + kHashsim + " -q run " + (dir / "big.yaml").string() +
                            " --threads 1 --no-progress --no-space-check -o " + target.string() +
                            " >/dev/null 2>&1";
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(partial) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(std::filesystem::exists(partial)) << "the MPI run never started its output";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // mpirun's children are the ranks (one node): kill the last one it started.
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                         "/children");
  std::vector<pid_t> ranks;
  for (pid_t c; children >> c;) ranks.push_back(c);
  ASSERT_FALSE(ranks.empty());
  ::kill(ranks.back(), SIGKILL);
  int status = 0;
  const auto kill_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  pid_t done = 0;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < kill_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (done == 0) {  // mpirun did not end the job: a hang, which is a failure too
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL() << "mpirun kept running after a rank was killed";
  }
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "mpirun reported success";
  EXPECT_FALSE(std::filesystem::exists(target)) << "a complete-looking output appeared";
}
