#pragma once
// Browser assets compiled into the binary at build time (tools/cmake/EmbedAssets.cmake): the
// chart library and its plugins from web/node_modules (npm ci, versions pinned by
// web/package-lock.json) and hashsim's own page templates, scripts and styles from web/src.
#include <string_view>

namespace hashsim::report {

// The bytes of the named asset ("chart.js", "report.html", ...); empty when there is none.
std::string_view embedded_asset(std::string_view name);

}  // namespace hashsim::report
