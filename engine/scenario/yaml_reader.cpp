#include "engine/scenario/yaml_reader.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::scenario {

int line_of(const YAML::Node& node) {
  const auto mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

namespace {
std::string scalar_text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "null";
}
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}
}  // namespace

YamlMap::YamlMap(YAML::Node node, std::string file, std::string prefix)
    : node_(std::move(node)), file_(std::move(file)), prefix_(std::move(prefix)) {
  if (node_ && !node_.IsNull() && !node_.IsMap()) {
    const int line = line_of(node_);
    throw Error(file_ + ":" + std::to_string(line) + ": " + (prefix_.empty() ? "the document" : prefix_) +
                " must be a mapping of keys to values, found " + scalar_text(node_));
  }
}

std::string YamlMap::dotted(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

std::string YamlMap::where(const std::string& key) const {
  YAML::Node n = get(key);
  int line = n ? line_of(n) : line_of(node_);
  return file_ + ":" + std::to_string(line) + ": " + dotted(key);
}

void YamlMap::fail(const std::string& key, const std::string& message) const {
  throw Error(where(key) + " " + message);
}

YAML::Node YamlMap::get(const std::string& key) const {
  if (!node_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool YamlMap::has(const std::string& key) const {
  asked_.insert(key);
  YAML::Node n = get(key);
  return n.IsDefined() && !n.IsNull();
}

double YamlMap::number(const std::string& key, double lo, double hi, std::optional<double> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  const std::string range = "[" + format_number(lo) + ", " + format_number(hi) + "]";
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    throw Error(file_ + ":" + std::to_string(line_of(node_)) + ": missing required key " + dotted(key) +
                " (a number in " + range + ")");
  }
  double v = 0.0;
  bool ok = n.IsScalar();
  if (ok) {
    const std::string& s = n.Scalar();
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    ok = !s.empty() && end && *end == '\0' && std::isfinite(v);
  }
  if (!ok) fail(key, "= " + scalar_text(n) + " is not a number (allowed: " + range + ")");
  if (v < lo || v > hi) fail(key, "= " + n.Scalar() + " is not in " + range);
  return v;
}

std::int64_t YamlMap::integer(const std::string& key, std::int64_t lo, std::int64_t hi,
                              std::optional<std::int64_t> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    throw Error(file_ + ":" + std::to_string(line_of(node_)) + ": missing required key " + dotted(key) +
                " (an integer in " + range + ")");
  }
  long long v = 0;
  bool ok = n.IsScalar();
  if (ok) {
    const std::string& s = n.Scalar();
    char* end = nullptr;
    errno = 0;
    v = std::strtoll(s.c_str(), &end, 10);
    ok = !s.empty() && end && *end == '\0' && errno == 0;
    if (!ok) {
      // Accept integral values written as 1e6 or 1000.0.
      char* end2 = nullptr;
      const double d = std::strtod(s.c_str(), &end2);
      if (!s.empty() && end2 && *end2 == '\0' && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
        v = static_cast<long long>(d);
        ok = true;
      }
    }
  }
  if (!ok) fail(key, "= " + scalar_text(n) + " is not an integer (allowed: " + range + ")");
  if (v < lo || v > hi) fail(key, "= " + n.Scalar() + " is not in " + range);
  return v;
}

bool YamlMap::boolean(const std::string& key, std::optional<bool> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    throw Error(file_ + ":" + std::to_string(line_of(node_)) + ": missing required key " + dotted(key) +
                " (true or false)");
  }
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "yes") return true;
    if (s == "false" || s == "False" || s == "no") return false;
  }
  fail(key, "= " + scalar_text(n) + " is not a boolean (allowed: true, false)");
}

std::string YamlMap::text(const std::string& key, std::optional<std::string> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    throw Error(file_ + ":" + std::to_string(line_of(node_)) + ": missing required key " + dotted(key) +
                " (a string)");
  }
  if (!n.IsScalar()) fail(key, "= " + scalar_text(n) + " is not a string");
  return n.Scalar();
}

std::string YamlMap::choice(const std::string& key, const std::vector<std::string>& allowed,
                            std::optional<std::string> fallback) {
  const std::string v = text(key, fallback);
  for (const auto& a : allowed)
    if (v == a) return v;
  fail(key, "= " + v + " is not one of: " + join(allowed));
}

std::string YamlMap::choice(const std::string& key, std::initializer_list<const char*> allowed,
                            std::optional<std::string> fallback) {
  std::vector<std::string> a(allowed.begin(), allowed.end());
  return choice(key, a, std::move(fallback));
}

std::string YamlMap::date(const std::string& key, std::optional<std::string> fallback) {
  const std::string v = text(key, fallback);
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (v.size() != 10 || std::sscanf(v.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
      d < 1 || d > 31 || y < 2009 || y > 2200) {
    fail(key, "= " + v + " is not a date YYYY-MM-DD between 2009-01-03 and 2200-12-31");
  }
  return v;
}

std::vector<std::string> YamlMap::text_list(const std::string& key, const std::vector<std::string>& allowed,
                                            std::optional<std::vector<std::string>> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    throw Error(file_ + ":" + std::to_string(line_of(node_)) + ": missing required key " + dotted(key));
  }
  if (!n.IsSequence()) fail(key, "= " + scalar_text(n) + " is not a list (allowed items: " + join(allowed) + ")");
  std::vector<std::string> out;
  for (const auto& item : n) {
    if (!item.IsScalar()) fail(key, "has an item that is not a string");
    bool ok = allowed.empty();
    for (const auto& a : allowed) ok = ok || item.Scalar() == a;
    if (!ok)
      throw Error(file_ + ":" + std::to_string(line_of(item)) + ": " + dotted(key) + " item '" + item.Scalar() +
                  "' is not one of: " + join(allowed));
    out.push_back(item.Scalar());
  }
  return out;
}

std::vector<double> YamlMap::number_list(const std::string& key, double lo, double hi) {
  read_.insert(key);
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull() || !n.IsSequence() || n.size() == 0)
    fail(key, "must be a non-empty list of numbers in [" + format_number(lo) + ", " + format_number(hi) + "]");
  std::vector<double> out;
  for (const auto& item : n) {
    char* end = nullptr;
    const std::string s = item.IsScalar() ? item.Scalar() : std::string();
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v) || v < lo || v > hi)
      throw Error(file_ + ":" + std::to_string(line_of(item)) + ": " + dotted(key) + " item " +
                  (s.empty() ? scalar_text(item) : s) + " is not a number in [" + format_number(lo) + ", " +
                  format_number(hi) + "]");
    out.push_back(v);
  }
  return out;
}

YamlMap YamlMap::map(const std::string& key, bool required) {
  read_.insert(key);
  YAML::Node n = get(key);
  if ((!n.IsDefined() || n.IsNull()) && required)
    throw Error(file_ + ":" + std::to_string(line_of(node_)) + ": missing required section " + dotted(key));
  if (n.IsDefined() && !n.IsNull() && !n.IsMap()) fail(key, "must be a mapping, found " + scalar_text(n));
  return YamlMap(n.IsDefined() ? n : YAML::Node(YAML::NodeType::Null), file_, dotted(key));
}

YAML::Node YamlMap::raw(const std::string& key) {
  read_.insert(key);
  return get(key);
}

std::vector<YamlMap> YamlMap::map_list(const std::string& key, bool required) {
  read_.insert(key);
  YAML::Node n = get(key);
  std::vector<YamlMap> out;
  if (!n.IsDefined() || n.IsNull()) {
    if (required)
      throw Error(file_ + ":" + std::to_string(line_of(node_)) + ": missing required key " + dotted(key));
    return out;
  }
  if (!n.IsSequence()) fail(key, "must be a list of mappings");
  std::size_t i = 0;
  for (const auto& item : n) {
    out.emplace_back(item, file_, dotted(key) + "[" + std::to_string(i++) + "]");
  }
  return out;
}

void YamlMap::finish() const {
  if (!node_ || !node_.IsMap()) return;
  std::set<std::string> known = read_;
  known.insert(asked_.begin(), asked_.end());
  std::vector<std::string> allowed(known.begin(), known.end());
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = it->first.Scalar();
    if (!read_.count(k)) {
      throw Error(file_ + ":" + std::to_string(line_of(it->first)) + ": unknown key " + dotted(k) +
                  " (allowed here: " + join(allowed) + ")");
    }
  }
}

YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                ": YAML syntax error: " + e.msg);
  }
}

YAML::Node load_yaml_file(const std::string& path, std::string* text_out) {
  if (!std::filesystem::is_regular_file(path)) throw Error(path + ": cannot read file (not found or not a file)");
  std::string text = read_file(path);
  YAML::Node n = parse_yaml(text, path);
  if (text_out) *text_out = std::move(text);
  return n;
}

}  // namespace hashsim::scenario
