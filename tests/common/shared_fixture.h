// A fixture folder built by one test process and reused by the others. ctest runs every
// test of a program in a process of its own, so an expensive fixture (a model trained to
// memorize, say) would otherwise be built once per test: minutes under the sanitizers.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "privtune/core/file_io.h"

namespace privtune::test {

// The folder `name` under the build tree's test-fixtures/, made by `build(folder)` in the
// first process that asks and reused by later ones. Processes asking at the same time wait on
// a file lock for the first to finish. The folder is keyed by the test program's modification
// time, so a rebuilt program builds it afresh (and removes the stale one); a `build` that
// throws leaves nothing marked complete, and the next process starts over.
inline std::string shared_fixture_dir(const std::string& name, const std::function<void(const std::string&)>& build) {
  namespace fs = std::filesystem;
  const fs::path program = fs::read_symlink("/proc/self/exe");
  const std::string stamp = std::to_string(fs::last_write_time(program).time_since_epoch().count());
  const fs::path root = fs::path(PRIVTUNE_BINARY_DIR) / "test-fixtures";
  fs::create_directories(root);
  const std::string dir = (root / (name + "-" + stamp)).string();

  const int lock = ::open((dir + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) throw std::runtime_error("shared_fixture_dir: cannot lock " + dir);
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the lock
  } unlock{lock};
  if (core::path_exists(dir + "/complete")) return dir;

  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind(name + "-", 0) == 0 && entry.path().string().rfind(dir, 0) != 0)
      entry.is_directory() ? core::remove_tree(entry.path().string()) : fs::remove(entry.path());
  }
  core::remove_tree(dir);
  fs::create_directories(dir);
  build(dir);
  core::write_file_atomic(dir + "/complete", "");
  return dir;
}

}  // namespace privtune::test
