#pragma once
// Civil-date arithmetic on ISO YYYY-MM-DD strings (proleptic Gregorian, UTC days), after
// H. Hinnant's days_from_civil / civil_from_days algorithms.
#include <cstdint>
#include <string>

namespace hashsim {

std::int64_t days_from_civil(int y, unsigned m, unsigned d);
std::string civil_from_days(std::int64_t z);
// Days since 1970-01-01 of an ISO date; throws Error if malformed.
std::int64_t parse_iso_date(const std::string& iso);
std::string add_days(const std::string& iso, std::int64_t days);
std::string utc_now_iso8601();  // 2026-11-23T03:33:00Z

}  // namespace hashsim
