// Prints the embedded assets: the test checks both are there.
#include <cstdio>
#include <string>

#include "engine/report/assets.h"

int main() {
  const std::string lib(hashsim::report::embedded_asset("lib.js"));
  const std::string page(hashsim::report::embedded_asset("page.html"));
  std::printf("%s%s", lib.c_str(), page.c_str());
  return lib.empty() || page.empty() ? 1 : 0;
}
