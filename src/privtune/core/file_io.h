// Reading, memory-mapping and atomically writing files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace privtune::core {

// A read-only memory map of a whole file; unmapped when destroyed. Throws Error naming the
// file when it cannot be opened.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

std::string read_text_file(const std::string& path);

// Writes `bytes` to `path` so that a reader never sees a partial file: a temporary file in
// the same folder, fsync, rename, fsync of the folder. Throws Error on any failure (a full
// disk included) and leaves an existing `path` untouched.
void write_file_atomic(const std::string& path, std::string_view bytes);

bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
// Creates the folder and its parents when missing.
void make_directories(const std::string& path);
std::string join_path(const std::string& folder, const std::string& name);

// Removes a file or a folder with everything in it (symbolic links are removed, not
// followed); a missing path is not an error. Returns false when something could not be
// removed. Written on nftw() rather than std::filesystem::remove_all, which crashed in
// binaries linked with pip's libtorch 2.11 built by GCC 13 (two std::filesystem
// implementations in one process; docs/build.md).
bool remove_tree(const std::string& path);

}  // namespace privtune::core
