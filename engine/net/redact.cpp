#include "engine/net/redact.h"

namespace hashsim::net {

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  static const std::string kMask = "[REDACTED]";
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + kMask.size()))
      text.replace(pos, secret.size(), kMask);
  }
  return text;
}

}  // namespace hashsim::net
