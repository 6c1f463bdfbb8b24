#pragma once
// Secrets (API keys) come from the environment and must never reach a log line, an error message
// or an output file. Every string that may have touched a request (URLs, curl errors, response
// snippets) passes through redact() before it leaves the live-data layer.
#include <string>
#include <vector>

namespace hashsim::net {

// Replaces every occurrence of each non-empty secret with "[REDACTED]". Secrets shorter than
// 4 characters are still replaced: a short key is still a key.
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace hashsim::net
