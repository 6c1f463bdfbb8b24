#pragma once
// The one exception type hashsim throws for bad input or a failed operation. The CLI prints
// what() and exits non-zero, so messages must stand alone: name the file, line, key, value and
// the allowed range where there is one.
#include <stdexcept>
#include <string>

namespace hashsim {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace hashsim
