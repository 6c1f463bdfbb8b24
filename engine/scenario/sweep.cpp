#include "engine/scenario/sweep.h"

#include <yaml-cpp/yaml.h>

#include <memory>
#include <set>

#include "engine/util/yaml_reader.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::scenario {

namespace {
struct GridAxis {
  std::string key;  // dotted, e.g. price.vol_per_sqrt_year
  std::vector<YAML::Node> values;
  int line = 0;
};

std::vector<std::string> split_dotted(const std::string& dotted) {
  std::vector<std::string> parts;
  std::size_t b = 0;
  for (std::size_t i = 0; i <= dotted.size(); ++i) {
    if (i == dotted.size() || dotted[i] == '.') {
      parts.push_back(dotted.substr(b, i - b));
      b = i + 1;
    }
  }
  return parts;
}

// Sets <document>.<dotted> = value, creating missing mappings on the way (a key the scenario leaves
// at its default, e.g. chain.block_arrivals in a file with no chain: section). The dotted names of
// the mappings it creates are added to *created. Returns why the key cannot be set (an empty
// part, or a part that is a scalar or a list in the scenario), or "" on success.
// `cur` (the document's root) is taken by value: it is the walk's own handle, moved down one
// mapping per part.
std::string set_dotted(YAML::Node cur, const std::string& dotted, const YAML::Node& value,
                       std::vector<std::string>* created) {
  const std::vector<std::string> parts = split_dotted(dotted);
  for (const auto& p : parts)
    if (p.empty()) return "has an empty part (keys are dotted names like price.vol_per_sqrt_year)";
  // yaml-cpp nodes are handles: indexing a non-const node and assigning through it modifies the
  // document (a missing key is added on assignment; a const node would give an invalid one).
  // Assigning one Node to another copies the value into the target, so the walk moves its
  // handle with reset(), never with operator=.
  std::string path;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (cur.IsDefined() && !cur.IsNull() && !cur.IsMap())
      return "cannot set '" + parts[i] + "' inside " +
             (path.empty() ? "the document" : "'" + path + "'") + ", which is not a mapping";
    path += (path.empty() ? "" : ".") + parts[i];
    YAML::Node next = cur[parts[i]];
    if (!next.IsDefined() || next.IsNull()) {
      cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next.reset(cur[parts[i]]);
      created->push_back(path);
    }
    cur.reset(next);
  }
  if (cur.IsDefined() && !cur.IsNull() && !cur.IsMap())
    return "cannot set '" + parts.back() + "' inside " +
           (path.empty() ? "the document" : "'" + path + "'") + ", which is not a mapping";
  cur[parts.back()] = value;
  return "";
}

// Nodes in `n` counted up to `limit` (aliases count every time they are used).
std::size_t node_count(const YAML::Node& n, std::size_t limit) {
  std::size_t c = 1;
  if (n.IsMap() || n.IsSequence()) {
    for (auto it = n.begin(); it != n.end() && c <= limit; ++it) {
      if (n.IsMap()) {
        const YAML::Node v = it->second;
        c += 1 + node_count(v, limit - c);
      } else {
        const YAML::Node v = *it;
        c += node_count(v, limit - c);
      }
    }
  }
  return c;
}

// The label of a grid value in the scenario name: a scalar as written (YAML::Dump quotes it if
// needed), a list or mapping in flow style (`{a: 1, b: 2}`).
std::string value_label(const YAML::Node& v) {
  if (!v.IsMap() && !v.IsSequence()) return YAML::Dump(v);
  YAML::Emitter e;
  e << YAML::Flow << v;
  return e.c_str();
}
// One axis per key of the sweep's grid: its values, in file order.
std::vector<GridAxis> read_grid_axes(YamlMap& top, const std::string& fname) {
  std::vector<GridAxis> axes;
  YAML::Node grid = top.raw("grid");
  if (!grid.IsMap()) top.fail("grid", "must map dotted scenario keys to lists of values");
  for (auto it = grid.begin(); it != grid.end(); ++it) {
    // Copies, not references: the iterator's pair is a temporary (binding a reference to
    // it->second outlives it: AddressSanitizer stack-use-after-scope).
    const YAML::Node key = it->first;
    const YAML::Node values = it->second;
    GridAxis ax;
    ax.key = key.Scalar();
    ax.line = line_of(key);
    if (!values.IsSequence() || values.size() == 0)
      throw Error(fname + ":" + std::to_string(ax.line) + ": grid." + shorten(ax.key) +
                  " must be a non-empty list of values");
    for (auto v = values.begin(); v != values.end(); ++v) {
      const YAML::Node value = *v;
      if (node_count(value, 1000) > 1000)
        throw Error(fname + ":" + std::to_string(line_of(value)) + ": grid." + shorten(ax.key) +
                    " has a value of more than 1000 nodes");
      ax.values.push_back(value);
    }
    axes.push_back(std::move(ax));
  }
  // One axis inside another (price.jumps and price.jumps.log_sd) would write into the other
  // axis's value, which is shared between grid points.
  for (const auto& a : axes)
    for (const auto& b : axes)
      if (b.key.size() > a.key.size() && b.key.compare(0, a.key.size() + 1, a.key + ".") == 0)
        throw Error(fname + ":" + std::to_string(b.line) + ": grid." + shorten(b.key) +
                    " lies inside grid." + shorten(a.key) + " (line " + std::to_string(a.line) +
                    "); give one or the other");
  return axes;
}

// The sweep's paths, horizon_days and seed where the caller's overrides leave them unset.
Overrides sweep_overrides(YamlMap& top, const Overrides& overrides) {
  Overrides ov = overrides;
  if (!ov.paths && top.has("paths")) ov.paths = top.integer("paths", 1, kMaxPaths);
  if (!ov.days && top.has("horizon_days"))
    ov.days = static_cast<int>(top.integer("horizon_days", 1, kMaxHorizonDays));
  if (!ov.seed && top.has("seed"))
    ov.seed = static_cast<std::uint64_t>(top.integer("seed", 0, INT64_MAX));
  return ov;
}

// A `scenarios` item: its file, relative to the sweep file unless absolute; it must exist.
std::filesystem::path scenario_file_of(const YAML::Node& item, const std::filesystem::path& file) {
  const std::string fname = file.string();
  if (!item.IsScalar())
    throw Error(fname + ":" + std::to_string(line_of(item)) +
                ": scenarios items must be file names");
  std::filesystem::path sf(item.Scalar());
  if (sf.is_relative()) sf = file.parent_path() / sf;
  if (!regular_file_exists(sf))
    throw Error(fname + ":" + std::to_string(line_of(item)) + ": scenario file " +
                shorten(item.Scalar()) + " not found (looked for " + shorten(sf.string()) + ")");
  return sf;
}

// The scenario of one grid point (value idx[a] of each axis a), named "<name>[key=value,...]".
Scenario grid_point_scenario(const std::vector<GridAxis>& axes, const std::vector<std::size_t>& idx,
                             const YAML::Node& base, const std::string& text,
                             const std::filesystem::path& sf, const Overrides& ov,
                             const std::string& fname) {
  // Each grid point edits its own parse of the scenario (YAML::Clone would drop the line marks
  // that messages quote).
  YAML::Node doc = axes.empty() ? base : parse_yaml(text, sf.string());
  auto origins = std::make_shared<KeyOrigins>();
  std::string variant;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    std::vector<std::string> created;
    const std::string why = set_dotted(doc, axes[a].key, axes[a].values[idx[a]], &created);
    if (!why.empty())
      throw Error(fname + ":" + std::to_string(axes[a].line) + ": grid." + shorten(axes[a].key) +
                  " " + why + " in scenario " + sf.string());
    (*origins)[axes[a].key] = {fname, axes[a].line};
    for (const auto& c : created) origins->emplace(c, KeyOrigin{fname, axes[a].line});
    variant +=
        (variant.empty() ? "" : ",") + axes[a].key + "=" + value_label(axes[a].values[idx[a]]);
  }
  Scenario s;
  try {
    s = build_scenario(doc, text, sf, ov, origins);
  } catch (const Error& e) {
    if (variant.empty()) throw;
    throw Error(std::string(e.what()) + " (with sweep grid point " + shorten(variant) + " from " +
                fname + ")");
  }
  s.variant = variant;
  if (!variant.empty()) s.name += "[" + variant + "]";
  return s;
}

// Next point of the Cartesian product of the axes (first axis fastest); false after the last.
bool next_grid_point(const std::vector<GridAxis>& axes, std::vector<std::size_t>& idx) {
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (++idx[a] < axes[a].values.size()) return true;
    idx[a] = 0;
  }
  return false;
}
}  // namespace

Sweep load_sweep(const std::filesystem::path& file, const Overrides& overrides) {
  const std::string fname = file.string();
  Sweep sw;
  sw.file = file;
  YAML::Node root = load_yaml_file(fname, &sw.yaml_text);
  if (!root || root.IsNull()) throw Error(fname + ": the sweep file is empty");
  YamlMap top(root, fname, "");
  sw.name = top.text("name");
  // The name is the default output file (results/<name>.h5): no "../", no empty name.
  if (const std::string why = name_problem(sw.name); !why.empty()) top.fail("name", why);
  YAML::Node list = top.raw("scenarios");
  if (!list.IsDefined() || !list.IsSequence() || list.size() == 0)
    top.fail("scenarios",
             "must be a non-empty list of scenario files (relative to the sweep file)");
  const std::vector<GridAxis> axes =
      top.has("grid") ? read_grid_axes(top, fname) : std::vector<GridAxis>{};
  const Overrides ov = sweep_overrides(top, overrides);
  top.text("description", "");
  top.finish();

  std::set<std::string> names;
  for (auto li = list.begin(); li != list.end(); ++li) {
    const std::filesystem::path sf = scenario_file_of(*li, file);
    std::string text;
    const YAML::Node base = load_yaml_file(sf.string(), &text);
    if (!base || base.IsNull()) throw Error(sf.string() + ": the scenario file is empty");
    // Cartesian product of grid axes (one point with no axes).
    std::vector<std::size_t> idx(axes.size(), 0);
    do {
      Scenario s = grid_point_scenario(axes, idx, base, text, sf, ov, fname);
      if (!names.insert(s.name).second)
        throw Error(fname + ": two scenarios are both named '" + shorten(s.name) +
                    "'; names must be unique");
      sw.scenarios.push_back(std::move(s));
    } while (next_grid_point(axes, idx));
  }
  return sw;
}

}  // namespace hashsim::scenario

namespace hashsim::scenario {

Scenario load_scenario_with_keys(const std::filesystem::path& file,
                                 const std::vector<KeyOverride>& keys, const Overrides& overrides) {
  std::string text;
  YAML::Node doc = load_yaml_file(file.string(), &text);
  if (!doc || doc.IsNull()) throw Error(file.string() + ": the scenario file is empty");
  // Messages about an overridden key (or a section it created) name the override, not the file.
  auto origins = std::make_shared<KeyOrigins>();
  std::string variant;
  for (const auto& k : keys) {
    YAML::Node value;
    try {
      value = YAML::Load(k.yaml_value);
    } catch (const YAML::Exception& e) {
      throw Error("override " + shorten(k.key) + ": value '" + shorten(k.yaml_value) +
                  "' is not YAML (" + e.msg + ")");
    }
    std::vector<std::string> created;
    const std::string why = set_dotted(doc, k.key, value, &created);
    if (!why.empty()) throw Error(file.string() + ": override " + shorten(k.key) + " " + why);
    (*origins)[k.key] = {"override", 0};
    for (const auto& c : created) origins->emplace(c, KeyOrigin{"override", 0});
    variant += (variant.empty() ? "" : ",") + k.key + "=" + k.yaml_value;
  }
  Scenario s;
  try {
    s = build_scenario(doc, text, file, overrides, origins);
  } catch (const Error& e) {
    if (variant.empty()) throw;
    throw Error(std::string(e.what()) + " (with overrides " + shorten(variant) + " on " +
                file.string() + ")");
  }
  s.variant = variant;
  return s;
}

}  // namespace hashsim::scenario
