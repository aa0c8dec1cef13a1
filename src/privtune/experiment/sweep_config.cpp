#include "privtune/experiment/sweep_config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <toml++/toml.h>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/data/rng.h"

namespace privtune::experiment {

namespace {

// ---------------------------------------------------------------------------------------
// Errors. Every message starts with "<path>:<line>: key '<table>.<key>'" so that the user
// can go straight to the mistake; the key is shown as written in the file.

struct Where {
  std::string path;
  std::string key;  // qualified: "grid.lr", "seeds"
  uint32_t line;
  std::string text() const { return path + ":" + std::to_string(line) + ": key '" + key + "'"; }
};

[[noreturn]] void fail(const Where& where, const std::string& why) { throw Error(where.text() + ": " + why); }

// The line of `node`, or the line of its key when toml++ has no position for the value.
Where at(const Where& key, const toml::node& node) {
  const uint32_t line = node.source().begin.line;
  return {key.path, key.key, line > 0 ? line : key.line};
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

// Runs a flag check from the command-line module and puts its reason behind file:line:key.
void run_check(const FlagCheck& check, const SweepFlag& flag, const Where& where) {
  if (!check) return;
  try {
    check(flag.name, flag);
  } catch (const std::exception& e) {
    fail(where, e.what());
  }
}

// ---------------------------------------------------------------------------------------
// Keys and values.

// A table's entries in the order they appear in the file. toml++ keeps a table as a
// std::map (sorted by key), but it remembers where each key was written, and file order is
// what the user expects for grid expansion and labels.
struct Entry {
  std::string key;   // as written
  std::string name;  // flag spelling: '_' becomes '-', as in `--config` files
  const toml::node* node;
  uint32_t line;
};

std::vector<Entry> entries_in_file_order(const toml::table& table) {
  std::vector<Entry> entries;
  std::vector<std::pair<toml::source_position, size_t>> order;
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    std::replace(name.begin(), name.end(), '_', '-');
    order.push_back({key.source().begin, entries.size()});
    entries.push_back({std::string(key.str()), name, &node, key.source().begin.line});
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first.line != b.first.line ? a.first.line < b.first.line : a.first.column < b.first.column;
  });
  std::vector<Entry> sorted;
  for (const auto& item : order) sorted.push_back(entries[item.second]);
  return sorted;
}

// Shortest text that reads back as the same double: 1e-3 is "0.001", never
// "0.0010000000000000000208" (what %.17g prints), so flags and run ids look as written.
std::string format_double(double value) {
  char text[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::strtod(text, nullptr) == value) return text;
  }
  return text;  // nan never compares equal; "%.17g" of it is "nan"
}

// A flag value from a string, number or boolean.
SweepFlag scalar_flag(const std::string& name, const toml::node& node, const Where& where) {
  SweepFlag flag{name, "", false};
  if (node.is_string()) {
    flag.text = *node.value<std::string>();
  } else if (node.is_boolean()) {
    flag.boolean = true;
    flag.text = *node.value<bool>() ? "true" : "false";
  } else if (node.is_integer()) {
    flag.text = std::to_string(*node.value<int64_t>());
  } else if (node.is_floating_point()) {
    flag.text = format_double(*node.value<double>());
  } else {
    fail(at(where, node), "expected a number, string or boolean, got " + type_name(node));
  }
  return flag;
}

// A scalar, or an array of scalars for a list flag (joined by commas, as `--lora-targets
// q,v` is written on the command line).
SweepFlag flag_value(const std::string& name, const toml::node& node, const Where& where) {
  const toml::array* list = node.as_array();
  if (!list) return scalar_flag(name, node, where);
  if (list->empty()) fail(at(where, node), "an empty list (leave the key out instead)");
  SweepFlag flag{name, "", false};
  for (const toml::node& item : *list) {
    if (item.is_array() || item.is_table())
      fail(at(where, item), "a list value holds numbers, strings or booleans, got " + type_name(item));
    flag.text += (flag.text.empty() ? "" : ",") + scalar_flag(name, item, where).text;
  }
  return flag;
}

std::string require_string(const toml::node& node, const Where& where) {
  if (!node.is_string()) fail(at(where, node), "expected a string, got " + type_name(node));
  std::string text = *node.value<std::string>();
  if (text.empty()) fail(at(where, node), "expected a non-empty string");
  return text;
}

int64_t require_seed(const toml::node& node, const Where& where) {
  if (!node.is_integer()) fail(at(where, node), "expected a non-negative integer, got " + type_name(node));
  const int64_t seed = *node.value<int64_t>();
  if (seed < 0) fail(at(where, node), "expected a non-negative integer, got " + std::to_string(seed));
  return seed;
}

// A relative path is relative to the config file's folder, so that a sweep file works from
// any working directory; "configs/../models/x" becomes "models/x".
std::string resolve_path(const std::string& config_path, const std::string& written) {
  namespace fs = std::filesystem;
  fs::path path(written);
  if (path.is_relative()) path = fs::path(config_path).parent_path() / path;
  path = path.lexically_normal();
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();  // "a/b/" → "a/b"
  return path.empty() ? "." : path.string();
}

// Flags the sweep runner sets itself for every run (folders, resuming, console output):
// giving them in the file would fight the runner. The command line's checks refuse them
// too; refusing them here gives the same message whatever the callbacks do.
const std::set<std::string> kRunnerTrainFlags = {"out", "config", "resume", "overwrite", "quiet", "json"};
const std::set<std::string> kRunnerEvalFlags = {"model", "adapter", "base", "data", "out",
                                                "config", "overwrite", "quiet", "json", "seed"};
// Why a train flag cannot be a sweep's (empty when it can): the runner sets it, or it would
// leave every run unfinished.
std::string refused_train_flag(const std::string& name) {
  if (kRunnerTrainFlags.count(name)) return "set by the sweep for every run; it cannot be given here";
  if (name == "stop-after")
    return "a sweep runs every run to its end; stop the sweep itself instead (the next sweep continues its "
           "runs from their checkpoints)";
  return "";
}

// Keys with their own meaning in grids and runs (not passed as train flags).
const std::set<std::string> kRunKeys = {"method", "model", "data", "seed"};

// [train] or [eval]: flags for every run, sorted by name.
std::map<std::string, SweepFlag> read_flag_table(const toml::node& node, const Where& table_where, bool train,
                                                 const FlagCheck& check) {
  const toml::table* table = node.as_table();
  if (!table) fail(at(table_where, node), "expected a table, got " + type_name(node));
  std::map<std::string, SweepFlag> flags;
  std::map<std::string, std::string> spelled;  // name -> key as written, to report duplicates
  for (const Entry& entry : entries_in_file_order(*table)) {
    const Where where{table_where.path, table_where.key + "." + entry.key, entry.line};
    if (train && kRunKeys.count(entry.name))
      fail(where, entry.name == "seed"     ? "set `seeds` at the top level or `seed` in a grid or run"
                  : entry.name == "method" ? "set `method` in each grid or run"
                                           : "set `" + entry.name + "` at the top level or in a grid or run");
    if (train && !refused_train_flag(entry.name).empty()) fail(where, refused_train_flag(entry.name));
    if (!train && kRunnerEvalFlags.count(entry.name)) fail(where, "set by the sweep for every run; it cannot be given here");
    if (spelled.count(entry.name)) fail(where, "the same flag as '" + spelled[entry.name] + "'");
    spelled[entry.name] = entry.key;
    SweepFlag flag = flag_value(entry.name, *entry.node, where);
    run_check(check, flag, at(where, *entry.node));
    flags[entry.name] = flag;
  }
  return flags;
}

// ---------------------------------------------------------------------------------------
// Grids and runs.

// One run's own choices, before top-level defaults and seeds are applied.
struct Choice {
  std::string method;
  std::optional<std::string> model, data;
  std::optional<int64_t> seed;
  std::map<std::string, SweepFlag> train;
};

// One key of a grid or run with the values it takes: several for a grid axis, one otherwise.
struct Axis {
  std::string name;
  std::vector<SweepFlag> values;
};

// The values of one key. In a grid an array is always an axis (its items are the values to
// sweep; an item that is itself an array is a list flag's value); in a run an array is a
// list flag's value.
Axis read_axis(const Entry& entry, const Where& where, bool grid, const FlagCheck& check_train) {
  Axis axis{entry.name, {}};
  std::vector<const toml::node*> items;
  const toml::array* array = entry.node->as_array();
  if (grid && array) {
    if (array->empty()) fail(at(where, *entry.node), "an empty grid axis (give at least one value)");
    for (const toml::node& item : *array) items.push_back(&item);
  } else {
    items.push_back(entry.node);
  }
  for (const toml::node* item : items) {
    const Where item_where = at(where, *item);
    SweepFlag value{entry.name, "", false};
    if (entry.name == "method") {
      value.text = require_string(*item, where);
      run_check(check_train, value, item_where);  // the caller knows the methods
    } else if (entry.name == "model" || entry.name == "data") {
      value.text = require_string(*item, where);
    } else if (entry.name == "seed") {
      value.text = std::to_string(require_seed(*item, where));
    } else if (!refused_train_flag(entry.name).empty()) {
      fail(item_where, refused_train_flag(entry.name));
    } else {
      value = flag_value(entry.name, *item, where);
      run_check(check_train, value, item_where);
    }
    axis.values.push_back(value);
  }
  return axis;
}

void apply(Choice& choice, const SweepFlag& value) {
  if (value.name == "method") choice.method = value.text;
  else if (value.name == "model") choice.model = value.text;
  else if (value.name == "data") choice.data = value.text;
  else if (value.name == "seed") choice.seed = std::stoll(value.text);
  else choice.train[value.name] = value;
}

// A grid (or an explicit run, a grid whose every axis has one value) as its cartesian
// product. Keys are taken in file order and the last key varies fastest, as in
// itertools.product, so `method = [a, b]` then `lr = [x, y]` gives a-x, a-y, b-x, b-y.
std::vector<Choice> expand(const toml::table& table, const Where& table_where, bool grid,
                           const FlagCheck& check_train, std::vector<std::string>& key_order) {
  std::vector<Axis> axes;
  std::map<std::string, std::string> spelled;
  for (const Entry& entry : entries_in_file_order(table)) {
    const Where where{table_where.path, table_where.key + "." + entry.key, entry.line};
    if (spelled.count(entry.name)) fail(where, "the same key as '" + spelled[entry.name] + "'");
    spelled[entry.name] = entry.key;
    axes.push_back(read_axis(entry, where, grid, check_train));
    // Labels list the keys that vary in the order the user first wrote them.
    if (entry.name != "method" && entry.name != "seed" &&
        std::find(key_order.begin(), key_order.end(), entry.name) == key_order.end())
      key_order.push_back(entry.name);
  }
  if (!spelled.count("method"))
    fail(table_where, std::string("no `method`: every ") + (grid ? "grid" : "run") + " must name one");

  std::vector<Choice> choices;
  std::vector<size_t> index(axes.size(), 0);
  while (true) {
    Choice choice;
    for (size_t a = 0; a < axes.size(); ++a) apply(choice, axes[a].values[index[a]]);
    choices.push_back(choice);
    size_t a = axes.size();  // advance the odometer from the last key
    while (a > 0 && ++index[a - 1] == axes[a - 1].values.size()) index[--a] = 0;
    if (a == 0) break;
  }
  return choices;
}

// A [grid]/[run] table or a [[grid]]/[[run]] array of tables, with each table's line.
std::vector<std::pair<const toml::table*, uint32_t>> tables_of(const toml::node& node, const Where& where) {
  std::vector<std::pair<const toml::table*, uint32_t>> tables;
  if (const toml::table* table = node.as_table()) {
    tables.push_back({table, at(where, node).line});
  } else if (const toml::array* array = node.as_array()) {
    for (const toml::node& item : *array) {
      if (!item.is_table()) fail(at(where, item), "expected tables ([[" + where.key + "]]), got " + type_name(item));
      tables.push_back({item.as_table(), at(where, item).line});
    }
  } else {
    fail(at(where, node), "expected a table ([" + where.key + "]) or tables ([[" + where.key + "]]), got " +
                              type_name(node));
  }
  return tables;
}

// ---------------------------------------------------------------------------------------
// Ids and labels.

std::string make_run_id(const SweepRun& run) {
  // The top 32 bits: FNV-1a's multiply carries every byte into the high bits, so they are
  // the better-mixed half.
  const uint64_t hash = data::fnv1a64(run.settings().dump());
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(hash >> 32));
  return run.method + "-" + hex;
}

// The value of `key` in `run` for labels, or nullopt when the run does not set it.
std::optional<std::string> label_value(const SweepRun& run, const std::string& key) {
  if (key == "model") return run.model_as_written;
  if (key == "data") return run.data_as_written;
  for (const SweepFlag& flag : run.train)
    if (flag.name == key) return flag.text;
  return std::nullopt;
}

// Labels show only what tells this sweep's runs apart: the method, the keys whose values
// differ between runs (a run without the key counts as a different value), and the seed
// when runs have different seeds.
void set_labels(std::vector<SweepRun>& runs, const std::vector<std::string>& key_order) {
  std::vector<std::string> varying;
  for (const std::string& key : key_order) {
    std::set<std::optional<std::string>> values;
    for (const SweepRun& run : runs) values.insert(label_value(run, key));
    if (values.size() > 1) varying.push_back(key);
  }
  std::set<int64_t> seeds;
  for (const SweepRun& run : runs) seeds.insert(run.seed);
  for (SweepRun& run : runs) {
    run.label = run.method;
    for (const std::string& key : varying)
      if (auto value = label_value(run, key)) run.label += " " + key + "=" + *value;
    if (seeds.size() > 1) run.label += " seed=" + std::to_string(run.seed);
  }
}

toml::table parse_toml(const std::string& text, const std::string& path) {
  try {
    return toml::parse(std::string_view(text), std::string_view(path));
  } catch (const toml::parse_error& e) {
    throw Error(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

}  // namespace

std::vector<std::string> flag_args(const std::vector<SweepFlag>& flags) {
  std::vector<std::string> args;
  for (const SweepFlag& flag : flags) {
    if (flag.boolean) {  // --name=false, not an omitted flag: `eval = false` must reach --eval
      args.push_back("--" + flag.name + "=" + flag.text);
      continue;
    }
    args.push_back("--" + flag.name);
    args.push_back(flag.text);
  }
  return args;
}

core::Json SweepRun::settings() const {
  core::Json flags = core::Json::object();
  for (const SweepFlag& flag : train) flags[flag.name] = flag.text;
  core::Json settings = {
      {"method", method}, {"model", model_as_written}, {"data", data_as_written}, {"seed", seed}, {"train", flags}};
  // Only audited runs have the key, so that the ids of the others stay as they were.
  if (!audit.empty()) {
    core::Json audit_flags = core::Json::object();
    for (const SweepFlag& flag : audit) audit_flags[flag.name] = flag.text;
    settings["audit"] = audit_flags;
  }
  return settings;
}

SweepConfig parse_sweep_config(const std::string& text, const std::string& path, const FlagCheck& check_train,
                               const FlagCheck& check_eval, const FlagCheck& check_audit) {
  const toml::table root = parse_toml(text, path);
  SweepConfig config;
  config.path = path;
  config.text = text;
  config.name = std::filesystem::path(path).stem().string();
  if (config.name.empty()) config.name = "sweep";

  // Top-level keys first: grids and runs need the defaults, wherever they are written.
  std::optional<std::string> model, data;
  std::vector<int64_t> seeds = {0};
  std::map<std::string, SweepFlag> train_defaults;
  std::vector<SweepFlag> audit;
  std::vector<std::pair<const toml::node*, Where>> grids, runs;
  for (const Entry& entry : entries_in_file_order(root)) {
    const Where where{path, entry.key, entry.line};
    const toml::node& node = *entry.node;
    if (entry.key == "name") {
      config.name = require_string(node, where);
    } else if (entry.key == "model") {
      model = require_string(node, where);
    } else if (entry.key == "data") {
      data = require_string(node, where);
    } else if (entry.key == "out") {
      config.out = resolve_path(path, require_string(node, where));
    } else if (entry.key == "seeds") {
      const toml::array* array = node.as_array();
      if (!array || array->empty())
        fail(at(where, node), "expected a non-empty array of non-negative integers, got " +
                                  (array ? std::string("an empty array") : type_name(node)));
      seeds.clear();
      for (const toml::node& item : *array) seeds.push_back(require_seed(item, where));
    } else if (entry.key == "train") {
      train_defaults = read_flag_table(node, where, true, check_train);
    } else if (entry.key == "eval") {
      for (auto& [name, flag] : read_flag_table(node, where, false, check_eval)) config.eval.push_back(flag);
    } else if (entry.key == "audit") {
      const FlagCheck refuse = [](const std::string&, const SweepFlag&) {
        throw Error("audits are not available here");
      };
      for (auto& [name, flag] : read_flag_table(node, where, false, check_audit ? check_audit : refuse))
        audit.push_back(flag);
      if (audit.empty()) fail(where, "an empty [audit] table: give at least `canaries`");
    } else if (entry.key == "grid") {
      grids.push_back({&node, where});
    } else if (entry.key == "run") {
      runs.push_back({&node, where});
    } else {
      fail(where, "unknown key (expected name, model, data, seeds, out, [train], [eval], [audit], [grid] or [[run]])");
    }
  }

  // Grids, then explicit runs, each table in file order.
  std::vector<std::string> key_order;
  std::vector<std::pair<Choice, Where>> choices;
  for (bool grid : {true, false}) {
    for (const auto& [node, where] : grid ? grids : runs) {
      for (const auto& [table, line] : tables_of(*node, where)) {
        const Where table_where{path, where.key, line};
        for (Choice& choice : expand(*table, table_where, grid, check_train, key_order))
          choices.push_back({choice, table_where});
      }
    }
  }
  if (choices.empty())
    throw Error(path + ": the sweep has no runs (add a [grid] table or [[run]] tables)");

  // Defaults under each choice, then one run per seed (a run that sets `seed` is not
  // repeated); the first of two runs with the same settings is kept.
  std::map<std::string, std::string> seen;  // run_id -> settings
  for (const auto& [choice, where] : choices) {
    SweepRun run;
    run.method = choice.method;
    run.model_as_written = choice.model.value_or(model.value_or(""));
    run.data_as_written = choice.data.value_or(data.value_or(""));
    if (run.model_as_written.empty()) fail(where, "no `model`: set it at the top level or in this " + where.key);
    if (run.data_as_written.empty()) fail(where, "no `data`: set it at the top level or in this " + where.key);
    run.model = resolve_path(path, run.model_as_written);
    run.data = resolve_path(path, run.data_as_written);
    std::map<std::string, SweepFlag> train = train_defaults;
    for (const auto& [name, flag] : choice.train) train[name] = flag;
    for (const auto& [name, flag] : train) run.train.push_back(flag);
    run.audit = audit;
    for (int64_t seed : choice.seed ? std::vector<int64_t>{*choice.seed} : seeds) {
      run.seed = seed;
      run.run_id = make_run_id(run);
      const std::string settings = run.settings().dump();
      auto [it, added] = seen.insert({run.run_id, settings});
      // Two different runs under one 32-bit id would merge their results; refuse rather than drop one.
      if (!added && it->second != settings)
        fail(where, "two different runs have the same id " + run.run_id + "; change a value slightly");
      if (added) config.runs.push_back(run);
    }
  }
  set_labels(config.runs, key_order);
  return config;
}

SweepConfig load_sweep_config(const std::string& path, const FlagCheck& check_train, const FlagCheck& check_eval,
                              const FlagCheck& check_audit) {
  return parse_sweep_config(core::read_text_file(path), path, check_train, check_eval, check_audit);
}

}  // namespace privtune::experiment
