#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"

namespace privtune::core {
namespace {

TEST(RemoveTree, RemovesFoldersButNotWhatLinksPointTo) {
  const std::string root = std::filesystem::temp_directory_path() / ("privtune_remove_tree_" + std::to_string(::getpid()));
  const std::string outside = root + "_outside.txt";
  write_file_atomic(outside, "keep me");
  make_directories(root + "/a/b");
  write_file_atomic(root + "/a/b/file.txt", "x");
  write_file_atomic(root + "/top.txt", "y");
  std::filesystem::create_symlink(outside, root + "/a/link");
  EXPECT_TRUE(remove_tree(root));
  EXPECT_FALSE(path_exists(root));
  EXPECT_EQ(read_text_file(outside), "keep me");
  EXPECT_TRUE(remove_tree(root));  // missing: nothing to do
  EXPECT_TRUE(remove_tree(outside));
  EXPECT_FALSE(path_exists(outside));
}

}  // namespace
}  // namespace privtune::core

TEST(ParseJson, NumbersOutOfRangeAreInputErrors) {
  // nlohmann reports a number too large for a double as out_of_range, not parse_error
  // (found by fuzz_records): it must still be privtune::Error naming the source.
  try {
    privtune::core::parse_json("{\"lr\": 1e999}", "config.json");
    FAIL() << "accepted 1e999";
  } catch (const privtune::Error& e) {
    EXPECT_EQ(std::string(e.what()), "config.json: invalid JSON: number overflow parsing '1e999'");
  }
}
