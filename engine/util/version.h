#pragma once
// The project version and the git sha of the source tree at build time ("-dirty" when tracked
// files differ from HEAD), written into every output's provenance. Defined in the build folder's
// generated version.cpp (tools/cmake/write_version.cmake): only that file recompiles when the sha
// changes.
namespace hashsim {
extern const char* const kVersion;
extern const char* const kGitSha;
}  // namespace hashsim
