#pragma once
// Validating access to one YAML mapping. Every read names the file, the line, the dotted key,
// the value and the allowed range when it fails; finish() rejects keys nobody read (a typo guard).
//   YamlMap price(root["price"], "scenarios/bear.yaml", "price");
//   double vol = price.number("vol_per_sqrt_year", 0.0, 5.0, 0.6);
//   price.finish();
// -> "scenarios/bear.yaml:14: price.vol_per_sqrt_year = -0.3 is not in [0, 5]"
//
// The YAML rules (scenarios/README.md, "YAML rules"): one document per file, no duplicate keys,
// UTF-8 text, and scalars read as the YAML 1.2 core schema resolves them (numbers and booleans
// are plain, unquoted scalars: `0x10` is the integer 16, `"10"` is a string, `yes` is a string).
// Values quoted back in messages are cut to kMaxQuotedChars.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hashsim {

// Which file a dotted key's value came from when it is not the file being read: a sweep grid
// writes its values (nodes from the sweep file, with the sweep file's line marks) into a copy of
// each scenario, so messages about those keys must name the sweep file.
// Each entry: the dotted key (or a section the grid created) -> the file and the line of the grid
// key there (used when the value node carries no position of its own).
struct KeyOrigin {
  std::string file;
  int line = 0;
};
using KeyOrigins = std::map<std::string, KeyOrigin>;

class YamlMap {
 public:
  // `fallback_line` is used when `node` carries no position (an absent optional section).
  YamlMap(const YAML::Node& node, std::string file, std::string prefix, int fallback_line = 0,
          std::shared_ptr<const KeyOrigins> origins = nullptr);

  bool has(const std::string& key) const;
  double number(const std::string& key, double lo, double hi,
                std::optional<double> fallback = std::nullopt);
  std::int64_t integer(const std::string& key, std::int64_t lo, std::int64_t hi,
                       std::optional<std::int64_t> fallback = std::nullopt);
  bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt);
  std::string text(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  std::string choice(const std::string& key, std::initializer_list<const char*> allowed,
                     std::optional<std::string> fallback = std::nullopt);
  std::string choice(const std::string& key, const std::vector<std::string>& allowed,
                     std::optional<std::string> fallback = std::nullopt);
  // ISO date YYYY-MM-DD, a real calendar day between kMinDate and kMaxDate.
  std::string date(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  std::vector<std::string> text_list(
      const std::string& key, const std::vector<std::string>& allowed,
      std::optional<std::vector<std::string>> fallback = std::nullopt);
  std::vector<double> number_list(const std::string& key, double lo, double hi);
  // A nested mapping; an absent optional map gives an empty one (all defaults).
  YamlMap map(const std::string& key, bool required = false);
  YAML::Node raw(const std::string& key);  // marks the key read; no checks
  YAML::Node node() const { return node_; }
  // Sequence of mappings under key (each checked by the caller, finish() on each).
  std::vector<YamlMap> map_list(const std::string& key, bool required = false);

  void finish() const;  // throws on unread keys

  const std::string& file() const { return file_; }
  std::string where(const std::string& key) const;  // "file:line: prefix.key"
  std::string dotted(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  YAML::Node get(const std::string& key) const;
  // The file and line to name for the value `n` of `dotted_key` (n may be this mapping itself).
  std::pair<std::string, int> place(const std::string& dotted_key, const YAML::Node& n) const;
  std::string locate(const std::string& dotted_key, const YAML::Node& n) const;  // "file:line"
  std::string here() const { return locate(prefix_, node_); }
  int here_line() const { return place(prefix_, node_).second; }
  [[noreturn]] void missing(const std::string& key, const std::string& what) const;
  YAML::Node node_;
  std::string file_;
  std::string prefix_;
  int fallback_line_ = 0;
  std::shared_ptr<const KeyOrigins> origins_;
  std::set<std::string> read_;
  // Keys only asked about with has(): known here (listed as allowed in the unknown-key message)
  // even when absent, though a present one must still be read to be accepted.
  mutable std::set<std::string> asked_;
};

inline constexpr const char* kMinDate = "2009-01-03";  // the genesis block
inline constexpr const char* kMaxDate = "2200-12-31";
inline constexpr std::size_t kMaxQuotedChars = 80;

int line_of(const YAML::Node& node);  // 1-based, 0 if unknown
std::string format_number(double v);
// `text` as it may appear in a message: control characters escaped, cut to kMaxQuotedChars
// (at a UTF-8 character boundary) with the full length noted.
std::string shorten(const std::string& text);

// YAML 1.2 core schema resolution of a plain scalar (tag "?"); quoted scalars are strings.
// Returns false when `node` is not an integer / a float (integers count as floats). A float
// outside the double range (1e400, 1e-400) sets *out_of_range and returns false.
bool core_integer(const YAML::Node& node, long long* value, bool* out_of_range = nullptr);
bool core_float(const YAML::Node& node, double* value, bool* out_of_range = nullptr);

// Parses YAML text: a syntax error becomes "file:line:col: YAML syntax error: ..."; text that is
// not UTF-8 or holds control characters, a second document, a duplicate key (naming both lines)
// and a recursive alias are errors too.
YAML::Node parse_yaml(const std::string& text, const std::string& file);
YAML::Node load_yaml_file(const std::string& path, std::string* text_out = nullptr);

// Whether `path` names a regular file; false (never an exception) for a name the system refuses,
// such as one longer than NAME_MAX.
bool regular_file_exists(const std::filesystem::path& path);

}  // namespace hashsim
