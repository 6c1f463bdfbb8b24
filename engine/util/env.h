#pragma once
// Environment lookup as a value, so that code reading variables (secrets, endpoints, limits) can
// be tested with a map instead of the process environment.
#include <functional>
#include <optional>
#include <string>

namespace hashsim {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv): the value, or nullopt when the variable is unset.
std::optional<std::string> process_env(const std::string& name);

}  // namespace hashsim
