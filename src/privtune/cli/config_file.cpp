#include "privtune/cli/config_file.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <sstream>
#include <toml++/toml.h>

#include "privtune/core/error.h"

namespace privtune::cli {

namespace {

std::string scalar_text(const toml::node& node, const std::string& where) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  if (node.is_floating_point()) {
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", *node.value<double>());
    return text;
  }
  throw Error(where + ": expected a string, number or boolean");
}

// The text CLI11 would have received: scalars as they are, arrays joined by commas (the
// form list flags such as --lora-targets take).
std::string value_text(const toml::node& node, const std::string& where) {
  if (const toml::array* array = node.as_array()) {
    std::string joined;
    for (const toml::node& item : *array) joined += (joined.empty() ? "" : ",") + scalar_text(item, where);
    return joined;
  }
  return scalar_text(node, where);
}

void apply_table(CLI::App& command, const toml::table& table, const std::string& path, const std::string& prefix) {
  for (const auto& [raw_key, node] : table) {
    std::string key(raw_key.str());
    const std::string where = path + ": key '" + prefix + key + "'";
    if (const toml::table* sub = node.as_table()) {
      if (key != command.get_name()) throw Error(where + ": unknown table (flags go at the top or under [" + command.get_name() + "])");
      apply_table(command, *sub, path, key + ".");
      continue;
    }
    for (char& c : key)
      if (c == '_') c = '-';
    CLI::Option* option = command.get_option_no_throw("--" + key);
    if (!option || key == "config")
      throw Error(where + ": unknown key (no flag --" + key + " for privtune " + command.get_name() + ")");
    if (option->count() > 0) continue;  // the command line wins
    try {
      option->add_result(value_text(node, where));
      option->run_callback();
    } catch (const CLI::Error& e) {
      throw Error(where + ": " + e.what());
    }
  }
}

}  // namespace

void add_config_flag(CLI::App& command, std::string& path) {
  command.add_option("--config", path, "TOML file of flags (key = flag name without dashes); the command line wins");
}

void apply_config_file(CLI::App& command, const std::string& path) {
  if (path.empty()) return;
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << path << ":" << e.source().begin.line << ": " << e.description();
    throw Error(where.str());
  }
  apply_table(command, table, path, "");
}

}  // namespace privtune::cli
