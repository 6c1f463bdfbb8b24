#include "engine/util/yaml_reader.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"

namespace hashsim {

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
// Bytes of the UTF-8 sequence starting at s[i] and its code point; 0 when it is not valid UTF-8
// (overlong forms, surrogates and values above U+10FFFF included).
std::size_t utf8_char(const std::string& s, std::size_t i, char32_t* cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  char32_t v = 0, min = 0;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2, v = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, v = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(i + k) & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

// YAML 1.2 c-printable (spec 5.1), tab, line feed and carriage return included.
bool yaml_printable(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", c);
  return buf;
}

// The whole text must be UTF-8 made of YAML's printable characters: yaml-cpp passes other bytes
// through, and they would later break the JSON summaries (nlohmann-json throws on invalid UTF-8)
// or garble the terminal.
void check_text(const std::string& text, const std::string& file) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_char(text, i, &cp);
    const auto at = [&] {
      return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
    };
    if (n == 0)
      throw Error(at() + "the byte " + hex_byte(static_cast<unsigned char>(text[i])) +
                  " is not UTF-8 text (YAML files must be UTF-8)");
    const bool bom = cp == 0xFEFF && i == 0;
    if (!bom && !yaml_printable(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
      throw Error(at() + "the control character " + buf + " is not allowed in a YAML file");
    }
    if (cp == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
    i += n;
  }
}

std::string scalar_text(const YAML::Node& n) {
  if (n.IsScalar()) return shorten(n.Scalar());
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "null";
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

bool quoted(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "!"; }

// The value as a message shows it: a quoted scalar keeps its quotes so that `"10" is not a
// number` makes sense.
std::string value_text(const YAML::Node& n) {
  return quoted(n) ? "\"" + shorten(n.Scalar()) + "\"" : scalar_text(n);
}

// A plain scalar, or one with the given explicit core tag (`!!int 5`).
bool plain_or_tagged(const YAML::Node& n, std::initializer_list<const char*> tags) {
  if (!n.IsScalar()) return false;
  const std::string& t = n.Tag();
  if (t == "?") return true;
  for (const char* x : tags)
    if (t == x) return true;
  return false;
}

bool all_of(const std::string& s, std::size_t from, int (*pred)(int)) {
  if (from >= s.size()) return false;
  for (std::size_t i = from; i < s.size(); ++i)
    if (!pred(static_cast<unsigned char>(s[i]))) return false;
  return true;
}
int is_octal(int c) { return c >= '0' && c <= '7'; }

// The core schema's float pattern [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool core_float_text(const std::string& s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t b = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > b;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  } else {
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// Structure checks the parser does not make: duplicate keys (yaml-cpp keeps both and readers see
// the first), keys that are not plain names, and aliases that contain themselves. Each collection
// is visited once (aliases share nodes), so the walk is linear in the document's size.
struct StructureCheck {
  const std::string& file;
  std::set<std::pair<int, int>> visited, open;  // (position, type) of collection nodes

  static std::pair<int, int> id(const YAML::Node& n) {
    return {n.Mark().pos, static_cast<int>(n.Type())};
  }

  void walk(const YAML::Node& n, const std::string& path) {
    if (!n.IsMap() && !n.IsSequence()) return;
    const auto key = id(n);
    if (open.count(key))
      throw Error(file + ":" + std::to_string(line_of(n)) + ": " +
                  (path.empty() ? "the document" : shorten(path)) +
                  " contains itself through an alias");
    if (!visited.insert(key).second) return;
    open.insert(key);
    if (n.IsMap()) {
      std::map<std::string, int> seen;
      for (auto it = n.begin(); it != n.end(); ++it) {
        const YAML::Node k = it->first;
        const YAML::Node v = it->second;
        if (!k.IsScalar())
          throw Error(file + ":" + std::to_string(line_of(k)) + ": a key in " +
                      (path.empty() ? "the document" : shorten(path)) + " is " + scalar_text(k) +
                      "; keys must be names");
        const std::string dotted = path.empty() ? k.Scalar() : path + "." + k.Scalar();
        const auto [at, fresh] = seen.emplace(k.Scalar(), line_of(k));
        if (!fresh)
          throw Error(file + ":" + std::to_string(line_of(k)) + ": duplicate key " +
                      shorten(dotted) + " (first given at line " + std::to_string(at->second) +
                      "); a key may appear once in a mapping");
        walk(v, dotted);
      }
    } else {
      std::size_t i = 0;
      for (auto it = n.begin(); it != n.end(); ++it, ++i) {
        const YAML::Node item = *it;
        walk(item, path + "[" + std::to_string(i) + "]");
      }
    }
    open.erase(key);
  }
};

// Line of the n-th (0-based) document start marker `---` in the text, 0 if there is none.
int document_marker_line(const std::string& text, int nth) {
  int line = 1, seen = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t e = std::min(text.find('\n', i), text.size());
    const std::string l = text.substr(i, e - i);
    if (l.rfind("---", 0) == 0 && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r')) {
      if (seen++ == nth) return line;
    }
    ++line;
    i = e + 1;
  }
  return 0;
}
}  // namespace

std::string shorten(const std::string& text) {
  std::string out;
  std::size_t chars = 0, i = 0;
  for (; i < text.size() && chars < kMaxQuotedChars; ++chars) {
    char32_t cp = 0;
    const std::size_t n = utf8_char(text, i, &cp);
    if (n == 0) {
      out += hex_byte(static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (cp == '\n')
      out += "\\n";
    else if (cp == '\t')
      out += "\\t";
    else if (cp == '\r')
      out += "\\r";
    else if (cp < 0x20 || cp == 0x7F)
      out += hex_byte(static_cast<unsigned char>(cp));
    else
      out.append(text, i, n);
    i += n;
  }
  if (i < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

bool core_integer(const YAML::Node& node, long long* value, bool* out_of_range) {
  if (out_of_range) *out_of_range = false;
  if (!plain_or_tagged(node, {"tag:yaml.org,2002:int"})) return false;
  const std::string& s = node.Scalar();
  // Core schema: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ (no sign on octal and hex).
  int base = 10;
  std::size_t from = 0;
  if (s.rfind("0o", 0) == 0 && all_of(s, 2, is_octal)) {
    base = 8, from = 2;
  } else if (s.rfind("0x", 0) == 0 && all_of(s, 2, [](int c) { return std::isxdigit(c); })) {
    base = 16, from = 2;
  } else {
    const std::size_t d = !s.empty() && (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (!all_of(s, d, [](int c) { return std::isdigit(c); })) return false;
  }
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str() + from, &end, base);
  if (errno == ERANGE) {
    if (out_of_range) *out_of_range = true;
    return false;
  }
  *value = v;
  return true;
}

bool core_float(const YAML::Node& node, double* value, bool* out_of_range) {
  if (out_of_range) *out_of_range = false;
  if (!plain_or_tagged(node, {"tag:yaml.org,2002:float", "tag:yaml.org,2002:int"})) return false;
  const std::string& s = node.Scalar();
  if (core_float_text(s)) {  // decimal integers included
    errno = 0;
    const double v = std::strtod(s.c_str(), nullptr);
    // ERANGE: beyond the double range (1e400) or so small it loses precision or becomes 0 (1e-400).
    if (errno == ERANGE) {
      if (out_of_range) *out_of_range = true;
      return false;
    }
    *value = v;
    return true;
  }
  const std::string body = !s.empty() && (s[0] == '+' || s[0] == '-') ? s.substr(1) : s;
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    *value = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    *value = std::nan("");
    return true;
  }
  long long i = 0;
  if (core_integer(node, &i, out_of_range)) {  // 0o17, 0x1F
    *value = static_cast<double>(i);
    return true;
  }
  return false;
}

YamlMap::YamlMap(const YAML::Node& node, std::string file, std::string prefix, int fallback_line,
                 std::shared_ptr<const KeyOrigins> origins)
    : node_(node),  // YAML::Node is a handle without a move constructor
      file_(std::move(file)),
      prefix_(std::move(prefix)),
      fallback_line_(fallback_line),
      origins_(std::move(origins)) {
  if (node_ && !node_.IsNull() && !node_.IsMap()) {
    throw Error(locate(prefix_, node_) + ": " + (prefix_.empty() ? "the document" : prefix_) +
                " must be a mapping of keys to values, found " + scalar_text(node_));
  }
}

std::string YamlMap::dotted(const std::string& key) const {
  return prefix_.empty() ? key : prefix_ + "." + key;
}

std::pair<std::string, int> YamlMap::place(const std::string& dotted_key,
                                           const YAML::Node& n) const {
  // A node made in memory (a section a sweep grid created) has the all-zero mark; only a
  // document's root really sits at position 0.
  const auto m = n ? n.Mark() : YAML::Mark::null_mark();
  const bool known = !m.is_null() && (m.pos != 0 || dotted_key.empty());
  const KeyOrigin* origin = nullptr;
  if (origins_) {
    for (std::string k = dotted_key; !k.empty();) {
      const auto it = origins_->find(k);
      if (it != origins_->end()) {
        origin = &it->second;
        break;
      }
      const auto dot = k.rfind('.');
      k = dot == std::string::npos ? std::string() : k.substr(0, dot);
    }
  }
  const std::string& file = origin ? origin->file : file_;
  const int line = known ? m.line + 1 : origin ? origin->line : fallback_line_;
  return {file, line};
}

std::string YamlMap::locate(const std::string& dotted_key, const YAML::Node& n) const {
  const auto [file, line] = place(dotted_key, n);
  return file + ":" + std::to_string(line);
}

std::string YamlMap::where(const std::string& key) const {
  YAML::Node n = get(key);
  const std::string place = n.IsDefined() ? locate(dotted(key), n) : here();
  return place + ": " + dotted(key);
}

void YamlMap::fail(const std::string& key, const std::string& message) const {
  throw Error(where(key) + " " + message);
}

void YamlMap::missing(const std::string& key, const std::string& what) const {
  throw Error(here() + ": missing required key " + dotted(key) +
              (what.empty() ? "" : " (" + what + ")"));
}

YAML::Node YamlMap::get(const std::string& key) const {
  if (!node_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool YamlMap::has(const std::string& key) const {
  asked_.insert(key);
  YAML::Node n = get(key);
  return n.IsDefined() && !n.IsNull();
}

double YamlMap::number(const std::string& key, double lo, double hi,
                       std::optional<double> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  const std::string range = "[" + format_number(lo) + ", " + format_number(hi) + "]";
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    missing(key, "a number in " + range);
  }
  double v = 0.0;
  bool out_of_range = false;
  if (!core_float(n, &v, &out_of_range)) {
    if (out_of_range)
      fail(key,
           "= " + value_text(n) + " is outside the range of a double (allowed: " + range + ")");
    if (quoted(n))
      fail(key, "= " + value_text(n) +
                    " is a quoted string, not a number (write numbers without quotes)");
    fail(key, "= " + value_text(n) + " is not a number (allowed: " + range + ")");
  }
  if (!std::isfinite(v))
    fail(key, "= " + value_text(n) + " is not a finite number (allowed: " + range + ")");
  if (v < lo || v > hi) fail(key, "= " + value_text(n) + " is not in " + range);
  return v;
}

std::int64_t YamlMap::integer(const std::string& key, std::int64_t lo, std::int64_t hi,
                              std::optional<std::int64_t> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    missing(key, "an integer in " + range);
  }
  long long v = 0;
  bool out_of_range = false;
  if (!core_integer(n, &v, &out_of_range)) {
    if (out_of_range) fail(key, "= " + value_text(n) + " is not in " + range);
    // A float with an integral value stands for that integer (paths: 1e6), as long as it is exact:
    // every integer up to 2^53 is a double.
    double d = 0.0;
    bool float_out_of_range = false;
    const bool is_float = core_float(n, &d, &float_out_of_range);
    const bool integral = is_float && std::isfinite(d) && d == std::floor(d);
    if (float_out_of_range) {
      fail(key, "= " + value_text(n) +
                    " is outside the range of a double, so not an integer (allowed: " + range +
                    ")");
    } else if (integral && std::fabs(d) <= 9007199254740992.0) {
      v = static_cast<long long>(d);
    } else if (integral && (d < static_cast<double>(lo) || d > static_cast<double>(hi))) {
      fail(key, "= " + value_text(n) + " is not in " + range);
    } else if (integral) {
      fail(key, "= " + value_text(n) +
                    " is beyond 2^53, where floats skip integers; write all its digits");
    } else if (quoted(n)) {
      fail(key, "= " + value_text(n) +
                    " is a quoted string, not an integer (write numbers without quotes)");
    } else {
      fail(key, "= " + value_text(n) + " is not an integer (allowed: " + range + ")");
    }
  }
  if (v < lo || v > hi) fail(key, "= " + value_text(n) + " is not in " + range);
  return v;
}

bool YamlMap::boolean(const std::string& key, std::optional<bool> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    missing(key, "true or false");
  }
  // YAML 1.2 core schema booleans; yes/no/on/off are YAML 1.1 and read as strings.
  if (plain_or_tagged(n, {"tag:yaml.org,2002:bool"})) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  fail(key, "= " + value_text(n) + " is not a boolean (allowed: true, false)");
}

std::string YamlMap::text(const std::string& key, std::optional<std::string> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    missing(key, "a string");
  }
  if (!n.IsScalar()) fail(key, "= " + scalar_text(n) + " is not a string");
  return n.Scalar();
}

std::string YamlMap::choice(const std::string& key, const std::vector<std::string>& allowed,
                            std::optional<std::string> fallback) {
  std::string v = text(key, std::move(fallback));
  for (const auto& a : allowed)
    if (v == a) return v;
  fail(key, "= " + shorten(v) + " is not one of: " + join(allowed));
}

std::string YamlMap::choice(const std::string& key, std::initializer_list<const char*> allowed,
                            std::optional<std::string> fallback) {
  std::vector<std::string> a(allowed.begin(), allowed.end());
  return choice(key, a, std::move(fallback));
}

std::string YamlMap::date(const std::string& key, std::optional<std::string> fallback) {
  std::string v = text(key, std::move(fallback));
  const std::string allowed =
      std::string(" (allowed: a date YYYY-MM-DD from ") + kMinDate + " to " + kMaxDate + ")";
  bool shape = v.size() == 10 && v[4] == '-' && v[7] == '-';
  for (std::size_t i = 0; shape && i < v.size(); ++i)
    if (i != 4 && i != 7 && !std::isdigit(static_cast<unsigned char>(v[i]))) shape = false;
  if (!shape) fail(key, "= " + shorten(v) + " is not a date YYYY-MM-DD" + allowed);
  try {
    parse_iso_date(v);
  } catch (const Error&) {
    fail(key, "= " + v + " is not a calendar date" + allowed);
  }
  // Fixed-width ISO dates compare as strings.
  if (v < kMinDate || v > kMaxDate) fail(key, "= " + v + " is out of range" + allowed);
  return v;
}

std::vector<std::string> YamlMap::text_list(const std::string& key,
                                            const std::vector<std::string>& allowed,
                                            std::optional<std::vector<std::string>> fallback) {
  read_.insert(key);
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (fallback) return *fallback;
    missing(key, "a list");
  }
  if (!n.IsSequence())
    fail(key, "= " + scalar_text(n) + " is not a list (allowed items: " + join(allowed) + ")");
  std::vector<std::string> out;
  for (const auto& item : n) {
    if (!item.IsScalar())
      throw Error(locate(dotted(key), item) + ": " + dotted(key) +
                  " has an item that is not a string (" + scalar_text(item) + ")");
    bool ok = allowed.empty();
    for (const auto& a : allowed) ok = ok || item.Scalar() == a;
    if (!ok)
      throw Error(locate(dotted(key), item) + ": " + dotted(key) + " item '" +
                  shorten(item.Scalar()) + "' is not one of: " + join(allowed));
    out.push_back(item.Scalar());
  }
  return out;
}

std::vector<double> YamlMap::number_list(const std::string& key, double lo, double hi) {
  read_.insert(key);
  YAML::Node n = get(key);
  const std::string range = "[" + format_number(lo) + ", " + format_number(hi) + "]";
  if (!n.IsDefined() || n.IsNull()) missing(key, "a non-empty list of numbers in " + range);
  if (!n.IsSequence() || n.size() == 0)
    fail(key, "must be a non-empty list of numbers in " + range);
  std::vector<double> out;
  for (const auto& item : n) {
    double v = 0.0;
    if (!core_float(item, &v) || !std::isfinite(v) || v < lo || v > hi)
      throw Error(locate(dotted(key), item) + ": " + dotted(key) + " item " + value_text(item) +
                  " is not a number in " + range);
    out.push_back(v);
  }
  return out;
}

YamlMap YamlMap::map(const std::string& key, bool required) {
  read_.insert(key);
  YAML::Node n = get(key);
  if ((!n.IsDefined() || n.IsNull()) && required)
    throw Error(here() + ": missing required section " + dotted(key));
  if (n.IsDefined() && !n.IsNull() && !n.IsMap())
    fail(key, "must be a mapping, found " + scalar_text(n));
  return YamlMap(n.IsDefined() ? n : YAML::Node(YAML::NodeType::Null), file_, dotted(key),
                 here_line(), origins_);
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
    if (required) missing(key, "a list of mappings");
    return out;
  }
  if (!n.IsSequence()) fail(key, "must be a list of mappings");
  const int line = place(dotted(key), n).second;
  std::size_t i = 0;
  for (const auto& item : n) {
    out.emplace_back(item, file_, dotted(key) + "[" + std::to_string(i++) + "]", line, origins_);
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
      // A key a sweep grid added has no position of its own: name its value's place.
      const YAML::Node key_node = it->first;
      const YAML::Node value = it->second;
      const bool key_known = !key_node.Mark().is_null() && key_node.Mark().pos != 0;
      throw Error(locate(dotted(k), key_known ? key_node : value) + ": unknown key " +
                  shorten(dotted(k)) + " (allowed here: " + join(allowed) + ")");
    }
  }
}

YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  check_text(text, file);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw Error(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
  if (docs.empty()) return YAML::Node(YAML::NodeType::Null);
  if (docs.size() > 1) {
    // An empty document has no position; then name its '---' marker. With fewer markers than
    // documents the first document has none (it starts implicitly).
    int markers = 0;
    while (document_marker_line(text, markers) > 0) ++markers;
    const int implicit = static_cast<int>(docs.size()) - markers;
    const auto line_of_doc = [&](std::size_t i) {
      const auto m = docs[i].Mark();
      if (!docs[i].IsNull() && !m.is_null() && (m.pos != 0 || i == 0)) return m.line + 1;
      return std::max(document_marker_line(text, static_cast<int>(i) - implicit), 1);
    };
    throw Error(file + ":" + std::to_string(line_of_doc(1)) +
                ": a second YAML document starts here (the first starts at line " +
                std::to_string(line_of_doc(0)) +
                "); a file holds one document (remove the extra '---')");
  }
  StructureCheck check{file, {}, {}};
  check.walk(docs[0], "");
  return docs[0];
}

bool regular_file_exists(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

YAML::Node load_yaml_file(const std::string& path, std::string* text_out) {
  if (!regular_file_exists(path))
    throw Error(path + ": cannot read file (not found or not a file)");
  std::string text = read_file(path);
  YAML::Node n = parse_yaml(text, path);
  if (text_out) *text_out = std::move(text);
  return n;
}

}  // namespace hashsim
