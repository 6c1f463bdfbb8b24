#include "engine/live/timestamps.h"

#include <cstdio>
#include <ctime>

#include "engine/util/dates.h"
#include "engine/util/error.h"

namespace hashsim::live {

std::int64_t now_unix_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

namespace {
std::string format_utc(std::int64_t unix_s, const char* format) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string format_utc_iso8601(std::int64_t unix_s) {
  return format_utc(unix_s, "%Y-%m-%dT%H:%M:%SZ");
}
std::string format_utc_human(std::int64_t unix_s) {
  return format_utc(unix_s, "%Y-%m-%d %H:%M UTC");
}

std::optional<std::int64_t> parse_utc_iso8601(const std::string& text) {
  if (text.size() < 10) return std::nullopt;
  std::int64_t days = 0;
  try {
    days = parse_iso_date(text.substr(0, 10));
  } catch (const Error&) {
    return std::nullopt;
  }
  if (text.size() == 10) return days * 86400;
  unsigned h = 0, m = 0, s = 0;
  int used = 0;
  if (text[10] != 'T' || std::sscanf(text.c_str() + 11, "%2u:%2u:%2u%n", &h, &m, &s, &used) != 3 ||
      used != 8 || h > 23 || m > 59 || s > 60)
    return std::nullopt;
  std::size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  }
  const std::string zone = text.substr(i);
  // Only UTC is accepted: every provider we use reports UTC, and a silently mis-shifted
  // timestamp would make stale data look fresh.
  if (zone != "Z" && zone != "+00:00" && zone != "") return std::nullopt;
  return days * 86400 + std::int64_t{h} * 3600 + std::int64_t{m} * 60 + s;
}

std::string format_age(std::int64_t seconds) {
  char buf[32];
  if (seconds < 0) return "in the future";
  if (seconds < 120)
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(seconds));
  else if (seconds < 7200)
    std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(seconds / 60));
  else if (seconds < 172800)
    std::snprintf(buf, sizeof buf, "%.1f h", static_cast<double>(seconds) / 3600.0);
  else
    std::snprintf(buf, sizeof buf, "%.1f d", static_cast<double>(seconds) / 86400.0);
  return buf;
}

}  // namespace hashsim::live
