#include "engine/scenario/sweep.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "engine/scenario/yaml_reader.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::scenario {

namespace {
struct GridAxis {
  std::string key;  // dotted, e.g. price.vol_per_sqrt_year
  std::vector<YAML::Node> values;
  int line = 0;
};

// Sets root.<dotted> = value, creating missing mappings on the way. Returns why the key cannot
// be set (an empty part, or a part that is a scalar or a list in the scenario), or "" on success.
std::string set_dotted(YAML::Node root, const std::string& dotted, const YAML::Node& value) {
  std::vector<std::string> parts;
  std::size_t b = 0;
  for (std::size_t i = 0; i <= dotted.size(); ++i) {
    if (i == dotted.size() || dotted[i] == '.') {
      parts.push_back(dotted.substr(b, i - b));
      b = i + 1;
    }
  }
  // yaml-cpp nodes are handles: walking with operator[] and assigning modifies the document.
  std::vector<YAML::Node> chain{root};
  std::string path;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) return "has an empty part (keys are dotted names like price.vol_per_sqrt_year)";
    const YAML::Node& cur = chain.back();
    if (cur.IsDefined() && !cur.IsNull() && !cur.IsMap())
      return "cannot set '" + parts[i] + "' inside " + (path.empty() ? "the document" : "'" + path + "'") +
             ", which is not a mapping";
    path += (path.empty() ? "" : ".") + parts[i];
    if (i + 1 < parts.size()) chain.push_back(cur[parts[i]]);
  }
  chain.back()[parts.back()] = value;
  return "";
}
}  // namespace

Sweep load_sweep(const std::filesystem::path& file, const Overrides& overrides) {
  Sweep sw;
  sw.file = file;
  YAML::Node root = load_yaml_file(file.string(), &sw.yaml_text);
  if (!root || root.IsNull()) throw Error(file.string() + ": the sweep file is empty");
  YamlMap top(root, file.string(), "");
  sw.name = top.text("name");
  YAML::Node list = top.raw("scenarios");
  if (!list.IsDefined() || !list.IsSequence() || list.size() == 0)
    top.fail("scenarios", "must be a non-empty list of scenario files (relative to the sweep file)");

  std::vector<GridAxis> axes;
  if (top.has("grid")) {
    YAML::Node grid = top.raw("grid");
    if (!grid.IsMap()) top.fail("grid", "must map dotted scenario keys to lists of values");
    for (auto it = grid.begin(); it != grid.end(); ++it) {
      GridAxis ax;
      ax.key = it->first.Scalar();
      ax.line = line_of(it->first);
      if (!it->second.IsSequence() || it->second.size() == 0)
        throw Error(file.string() + ":" + std::to_string(ax.line) + ": grid." + ax.key +
                    " must be a non-empty list of values");
      for (const auto& v : it->second) ax.values.push_back(v);
      axes.push_back(std::move(ax));
    }
  }
  Overrides ov = overrides;
  if (!ov.paths && top.has("paths")) ov.paths = top.integer("paths", 1, kMaxPaths);
  if (!ov.days && top.has("horizon_days")) ov.days = static_cast<int>(top.integer("horizon_days", 1, kMaxHorizonDays));
  if (!ov.seed && top.has("seed")) ov.seed = static_cast<std::uint64_t>(top.integer("seed", 0, INT64_MAX));
  top.text("description", "");
  top.finish();

  std::set<std::string> names;
  for (const auto& item : list) {
    if (!item.IsScalar())
      throw Error(file.string() + ":" + std::to_string(line_of(item)) + ": scenarios items must be file names");
    std::filesystem::path sf(item.Scalar());
    if (sf.is_relative()) sf = file.parent_path() / sf;
    if (!std::filesystem::is_regular_file(sf))
      throw Error(file.string() + ":" + std::to_string(line_of(item)) + ": scenario file " + item.Scalar() +
                  " not found (looked for " + sf.string() + ")");
    std::string text;
    YAML::Node base = load_yaml_file(sf.string(), &text);

    // Cartesian product of grid axes (one point with no axes).
    std::vector<std::size_t> idx(axes.size(), 0);
    while (true) {
      YAML::Node doc = YAML::Clone(base);
      std::string variant;
      for (std::size_t a = 0; a < axes.size(); ++a) {
        const std::string why = set_dotted(doc, axes[a].key, axes[a].values[idx[a]]);
        if (!why.empty())
          throw Error(file.string() + ":" + std::to_string(axes[a].line) + ": grid." + axes[a].key + " " + why +
                      " in scenario " + sf.string());
        variant += (variant.empty() ? "" : ",") + axes[a].key + "=" + YAML::Dump(axes[a].values[idx[a]]);
      }
      Scenario s;
      try {
        s = build_scenario(doc, text, sf, ov);
      } catch (const Error& e) {
        if (variant.empty()) throw;
        throw Error(std::string(e.what()) + " (with sweep grid point " + variant + " from " + file.string() + ")");
      }
      s.variant = variant;
      if (!variant.empty()) s.name += "[" + variant + "]";
      if (!names.insert(s.name).second)
        throw Error(file.string() + ": two scenarios are both named '" + s.name + "'; names must be unique");
      sw.scenarios.push_back(std::move(s));
      std::size_t a = 0;
      for (; a < axes.size(); ++a) {
        if (++idx[a] < axes[a].values.size()) break;
        idx[a] = 0;
      }
      if (a == axes.size()) break;
    }
  }
  return sw;
}

}  // namespace hashsim::scenario

namespace hashsim::scenario {

Scenario load_scenario_with_keys(const std::filesystem::path& file, const std::vector<KeyOverride>& keys,
                                 const Overrides& overrides) {
  std::string text;
  YAML::Node doc = load_yaml_file(file.string(), &text);
  if (!doc || doc.IsNull()) throw Error(file.string() + ": the scenario file is empty");
  std::string variant;
  for (const auto& k : keys) {
    YAML::Node value;
    try {
      value = YAML::Load(k.yaml_value);
    } catch (const YAML::Exception& e) {
      throw Error(file.string() + ": override " + k.key + ": value is not YAML (" + e.msg + ")");
    }
    const std::string why = set_dotted(doc, k.key, value);
    if (!why.empty()) throw Error(file.string() + ": override " + k.key + " " + why);
    variant += (variant.empty() ? "" : ",") + k.key + "=" + k.yaml_value;
  }
  Scenario s;
  try {
    s = build_scenario(doc, text, file, overrides);
  } catch (const Error& e) {
    if (variant.empty()) throw;
    throw Error(std::string(e.what()) + " (with overrides " + variant + ")");
  }
  s.variant = variant;
  return s;
}

}  // namespace hashsim::scenario
