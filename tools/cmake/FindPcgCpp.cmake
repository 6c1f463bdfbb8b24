# pcg-cpp (Debian libpcg-cpp-dev) is header-only and ships no CMake or pkg-config file.
find_path(PcgCpp_INCLUDE_DIR NAMES pcg_random.hpp)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PcgCpp REQUIRED_VARS PcgCpp_INCLUDE_DIR)
if(PcgCpp_FOUND AND NOT TARGET PcgCpp::PcgCpp)
  add_library(PcgCpp::PcgCpp INTERFACE IMPORTED)
  set_target_properties(PcgCpp::PcgCpp PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${PcgCpp_INCLUDE_DIR}")
endif()
