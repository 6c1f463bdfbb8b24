#pragma once
// Validating access to one YAML mapping. Every read names the file, the line, the dotted key,
// the value and the allowed range when it fails; finish() rejects keys nobody read (a typo guard).
//   YamlMap price(root["price"], "scenarios/bear.yaml", "price");
//   double vol = price.number("vol_per_sqrt_year", 0.0, 5.0, 0.6);
//   price.finish();
// -> "scenarios/bear.yaml:14: price.vol_per_sqrt_year = -0.3 is not in [0, 5]"
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hashsim::scenario {

class YamlMap {
 public:
  YamlMap(YAML::Node node, std::string file, std::string prefix);

  bool has(const std::string& key) const;
  double number(const std::string& key, double lo, double hi, std::optional<double> fallback = std::nullopt);
  std::int64_t integer(const std::string& key, std::int64_t lo, std::int64_t hi,
                       std::optional<std::int64_t> fallback = std::nullopt);
  bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt);
  std::string text(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  std::string choice(const std::string& key, std::initializer_list<const char*> allowed,
                     std::optional<std::string> fallback = std::nullopt);
  std::string choice(const std::string& key, const std::vector<std::string>& allowed,
                     std::optional<std::string> fallback = std::nullopt);
  // ISO date YYYY-MM-DD.
  std::string date(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  std::vector<std::string> text_list(const std::string& key, const std::vector<std::string>& allowed,
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
  YAML::Node node_;
  std::string file_;
  std::string prefix_;
  std::set<std::string> read_;
  // Keys only asked about with has(): known here (listed as allowed in the unknown-key message)
  // even when absent, though a present one must still be read to be accepted.
  mutable std::set<std::string> asked_;
};

int line_of(const YAML::Node& node);  // 1-based, 0 if unknown
std::string format_number(double v);

// Parses YAML text, turning yaml-cpp's exceptions into "file:line:col: syntax error: ...".
YAML::Node parse_yaml(const std::string& text, const std::string& file);
YAML::Node load_yaml_file(const std::string& path, std::string* text_out = nullptr);

}  // namespace hashsim::scenario
