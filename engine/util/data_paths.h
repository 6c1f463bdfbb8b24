#pragma once
// Where hashsim's shipped data (the repository's data/ folder) is found at run time. No source-tree
// path is compiled into the binary: a build or an installed copy finds the data next to itself.
#include <filesystem>
#include <vector>

namespace hashsim {

// Folders searched for a data file, in order:
//   1. $HASHSIM_DATA_DIR when set (then only it: an explicit choice is never second-guessed);
//   2. ./data (a command run from a checkout's root);
//   3. for the executable's folder and each folder above it: <folder>/data (a build tree inside a
//      checkout, e.g. build/tools/hashsim/hashsim) and <folder>/share/hashsim/data (an installed
//      prefix, e.g. /usr/local/bin/hashsim -> /usr/local/share/hashsim/data).
std::vector<std::filesystem::path> data_dirs();

// <dir>/relative for the first folder of data_dirs() that has it; when none has it, the path
// under the first folder (so the caller's "not found" error names where it looked first).
std::filesystem::path data_file(const std::filesystem::path& relative);

// This executable's path (/proc/self/exe), or "" where the system does not say.
std::filesystem::path executable_path();

}  // namespace hashsim
