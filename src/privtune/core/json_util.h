// JSON helpers: parsing files and typed access that names the file and key on error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "privtune/core/error.h"

namespace privtune::core {

using Json = nlohmann::json;

// Parses a JSON file; a syntax error becomes Error("path: invalid JSON: ...").
Json read_json_file(const std::string& path);
Json parse_json(const std::string& text, const std::string& what);

// obj[key] as T; Error("<where>: key 'key' is missing") or "... has the wrong type".
template <typename T>
T json_require(const Json& obj, const std::string& key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) throw Error(where + ": key '" + key + "' is missing");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
  }
}

// obj[key] as T, or `fallback` when the key is absent or null.
template <typename T>
T json_value(const Json& obj, const std::string& key, const T& fallback, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
  }
}

}  // namespace privtune::core
