#pragma once
// JSON has no NaN or infinity: such values go out as null, which the pages show as "n/a".
#include <nlohmann/json.hpp>

#include <cmath>
#include <vector>

namespace hashsim::report {

inline nlohmann::json json_number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

inline nlohmann::json json_numbers(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(json_number(x));
  return a;
}

}  // namespace hashsim::report
