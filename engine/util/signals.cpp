#include "engine/util/signals.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

namespace hashsim {

namespace {
// A fixed table the handler can walk without allocating or locking: a slot is published by
// storing its state with release order after its path bytes are written.
constexpr int kSlots = 64;
constexpr std::size_t kMaxPath = 4096;
struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 being written, 2 registered
  char path[kMaxPath];
};
Slot g_slots[kSlots];
std::mutex g_mutex;

void write_stderr(const char* s) {
  const std::size_t n = std::strlen(s);
  [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, s, n);
}

extern "C" void on_interrupt(int sig) {
  int removed = 0;
  for (auto& slot : g_slots) {
    if (slot.state.load(std::memory_order_acquire) == 2 && ::unlink(slot.path) == 0) ++removed;
  }
  write_stderr(sig == SIGINT ? "\nhashsim: interrupted (SIGINT)"
                             : "\nhashsim: terminated (SIGTERM)");
  write_stderr(removed > 0 ? "; partial output removed\n" : "\n");
  ::_exit(128 + sig);
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sa.sa_flags = 0;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

int register_remove_on_interrupt(const std::string& path) {
  if (path.empty() || path.size() >= kMaxPath) return -1;
  std::lock_guard<std::mutex> lock(g_mutex);
  for (int i = 0; i < kSlots; ++i) {
    Slot& s = g_slots[i];
    if (s.state.load(std::memory_order_relaxed) != 0) continue;
    s.state.store(1, std::memory_order_relaxed);
    std::memcpy(s.path, path.c_str(), path.size() + 1);
    s.state.store(2, std::memory_order_release);
    return i;
  }
  return -1;
}

void unregister_remove_on_interrupt(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  g_slots[slot].state.store(0, std::memory_order_release);
}

}  // namespace hashsim
