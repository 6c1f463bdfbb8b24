#pragma once
// UTC timestamps as the live-data layer stores and shows them. Values carry ISO 8601 strings
// (what the snapshot JSON holds); ages and TTLs are computed on Unix seconds.
#include <cstdint>
#include <optional>
#include <string>

namespace hashsim::live {

std::int64_t now_unix_s();
std::string format_utc_iso8601(std::int64_t unix_s);  // 2026-07-10T14:02:00Z
std::string format_utc_human(std::int64_t unix_s);    // 2026-07-10 14:02 UTC
// Accepts YYYY-MM-DD (midnight UTC) and YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00); nullopt otherwise.
std::optional<std::int64_t> parse_utc_iso8601(const std::string& text);
std::string format_age(std::int64_t seconds);  // "45 s", "12 min", "3.2 h", "4.0 d"

}  // namespace hashsim::live
