// Shared helpers for the data tests: scratch folders and small files.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "privtune/core/file_io.h"

namespace privtune::data::test_files {

// A fresh, empty folder under the system temp folder, unique per test program and name.
inline std::string scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("privtune_test_data_" + std::to_string(::getpid())) / name;
  privtune::core::remove_tree(dir.string());
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace privtune::data::test_files
