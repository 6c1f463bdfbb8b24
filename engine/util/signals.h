#pragma once
// SIGINT / SIGTERM handling for the CLI (README "Exit codes and signals"). The handler removes
// every registered partial output (unlink(2) is async-signal-safe; a worker still writing to it
// writes to an orphaned inode), says so on stderr and ends the process with 128 + the signal number
// (130 for Ctrl-C, 143 for SIGTERM), which also stops every worker thread. Paths are registered by
// AtomicOutput until commit, and by commands for their own temporary files.
#include <string>

namespace hashsim {

// Installs the handler for SIGINT and SIGTERM (idempotent). Commands that handle these signals
// themselves (hashsim serve) install their own afterwards.
void install_interrupt_handlers();

// Registers a path to remove if the process is interrupted; returns a slot for unregister, or -1
// when the fixed-size table is full or the path is too long (then the file is left behind on an
// interrupt, as before). Thread-safe.
int register_remove_on_interrupt(const std::string& path);
void unregister_remove_on_interrupt(int slot);

// RAII form for a command's temporary file.
class RemoveOnInterrupt {
 public:
  explicit RemoveOnInterrupt(const std::string& path) : slot_(register_remove_on_interrupt(path)) {}
  ~RemoveOnInterrupt() { unregister_remove_on_interrupt(slot_); }
  RemoveOnInterrupt(const RemoveOnInterrupt&) = delete;
  RemoveOnInterrupt& operator=(const RemoveOnInterrupt&) = delete;

 private:
  int slot_;
};

}  // namespace hashsim
