#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "engine/util/error.h"

namespace hashsim {

// A bad value of an option a library function takes (a field of its options struct). Libraries
// speak of values, not of one front end's spelling: the message names each option as {key}
// (lower case, digits, '_'); what() shows the bare key ("paths = 0 is not in [1, 100000]", as the
// Python bindings and the scenario files call it) and a front end renders the message with its own
// names (the CLI: "--paths = 0 ...", tools/hashsim/main.cpp).
class OptionError : public Error {
 public:
  using NameOf = std::function<std::string(std::string_view key)>;
  explicit OptionError(const std::string& message)
      : Error(render(message, [](std::string_view key) { return std::string(key); })),
        message_(message) {}
  std::string rendered(const NameOf& name_of) const { return render(message_, name_of); }

 private:
  static bool is_key(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
  }
  static std::string render(const std::string& message, const NameOf& name_of) {
    std::string out;
    std::size_t i = 0;
    while (i < message.size()) {
      const std::size_t open = message.find('{', i);
      const std::size_t close = open == std::string::npos ? open : message.find('}', open);
      if (close == std::string::npos) break;
      const std::string_view key(message.data() + open + 1, close - open - 1);
      out.append(message, i, open - i);
      if (is_key(key))
        out += name_of(key);
      else
        out.append(message, open, close - open + 1);
      i = close + 1;
    }
    out.append(message, i, std::string::npos);
    return out;
  }
  std::string message_;
};

}  // namespace hashsim
