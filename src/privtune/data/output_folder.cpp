#include "privtune/data/output_folder.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"

namespace privtune::data {

namespace fs = std::filesystem;

void check_output_folder(const std::string& dir, bool overwrite) {
  std::error_code ec;
  fs::file_status status = fs::status(dir, ec);
  if (ec || !fs::exists(status)) return;
  if (!fs::is_directory(status)) throw Error(dir + ": exists and is not a folder");
  if (overwrite) return;
  if (!fs::is_empty(dir, ec) || ec)
    throw Error(dir + ": output folder is not empty (pass --overwrite to write into it)");
}

void write_output_folder(const std::string& dir, const std::vector<OutputFile>& files, bool overwrite,
                         const std::vector<std::string>& owned) {
  check_output_folder(dir, overwrite);
  core::make_directories(dir);
  for (const OutputFile& f : files) core::write_file_atomic(core::join_path(dir, f.name), f.bytes);
  for (const std::string& name : owned) {
    bool written = std::any_of(files.begin(), files.end(), [&](const OutputFile& f) { return f.name == name; });
    std::error_code ec;
    if (!written) fs::remove(core::join_path(dir, name), ec);
  }
}

}  // namespace privtune::data
