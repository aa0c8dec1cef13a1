// Runs the built `privtune` executable as a user would, capturing exit code, stdout and
// stderr. Shared by the command-line tests of every module.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "privtune/core/file_io.h"

namespace privtune::test {

struct CliResult {
  int code = -1;
  std::string out, err;
};

inline std::string privtune_path() { return std::string(PRIVTUNE_BINARY_DIR) + "/privtune"; }

inline bool privtune_built() { return std::filesystem::exists(privtune_path()); }

// `args` is appended to the executable's path as shell words (quote paths yourself).
inline CliResult run_privtune(const std::string& args) {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("privtune_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  const std::string out = (dir / "out").string(), err = (dir / "err").string();
  int status = std::system((privtune_path() + " " + args + " > '" + out + "' 2> '" + err + "' < /dev/null").c_str());
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  privtune::core::remove_tree(dir.string());
  return r;
}

// An empty folder in the temp dir for one test (what an earlier run left there removed).
inline std::string fresh_dir(const std::string& name) {
  const std::string dir = (std::filesystem::temp_directory_path() / ("privtune_test_" + name)).string();
  privtune::core::remove_tree(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A customersim dataset written by `privtune data generate <flags>` into a fresh folder
// (flags: sizes, canaries, seed); its path. The folder is this process's own: ctest runs
// the tests of one program in parallel processes, each making the dataset it shares.
inline std::string generate_customersim(const std::string& name, const std::string& flags) {
  const std::string dir = fresh_dir(name + "_" + std::to_string(::getpid())) + "/data";
  const CliResult r = run_privtune("data generate --kind customersim " + flags + " --out '" + dir + "'");
  if (r.code != 0) throw std::runtime_error("data generate failed: " + r.err);
  return dir;
}

}  // namespace privtune::test
