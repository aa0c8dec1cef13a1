// Child processes for studies: exit codes, output files, killed children, last lines.
#include <gtest/gtest.h>

#include <filesystem>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/subprocess.h"

namespace privtune::core {
namespace {

std::string scratch(const std::string& name) {
  const std::string dir = (std::filesystem::temp_directory_path() / ("privtune_subprocess_" + name)).string();
  remove_tree(dir);
  make_directories(dir);
  return dir;
}

TEST(Subprocess, ReportsExitCodeAndAppendsOutput) {
  const std::string dir = scratch("exit");
  const std::string out = dir + "/out", err = dir + "/err";
  EXPECT_EQ(run_process({"/bin/sh", "-c", "echo hello; echo oops >&2; exit 3"}, out, err), 3);
  EXPECT_EQ(run_process({"/bin/sh", "-c", "echo again"}, out, err), 0);
  EXPECT_EQ(read_text_file(out), "hello\nagain\n");
  EXPECT_EQ(last_line(err), "oops");
}

TEST(Subprocess, KilledChildIs128PlusSignal) {
  EXPECT_EQ(run_process({"/bin/sh", "-c", "kill -9 $$"}, "", ""), 128 + 9);
}

TEST(Subprocess, MissingProgramIsAnError) {
  EXPECT_THROW(run_process({"/no/such/program"}, "", ""), Error);
}

TEST(Subprocess, SelfExecutableExists) { EXPECT_TRUE(path_exists(self_executable())); }

}  // namespace
}  // namespace privtune::core
