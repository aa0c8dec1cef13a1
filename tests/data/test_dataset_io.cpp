#include <gtest/gtest.h>

#include <filesystem>

#include "privtune/core/error.h"
#include "privtune/data/dataset.h"
#include "test_helpers.h"

using namespace privtune::data;
using privtune::Error;

namespace {

Dataset small_dataset() {
  Dataset ds;
  ds.train.push_back({"tr-0", "", "Hi Ada", {{3, 6, "NAME"}}, {}, {}});
  ds.train.push_back({"tr-1", "u-1", "Call 555", {}, {}, {}});
  ds.test.push_back({"te-0", "", "", {}, {1, 2, 3}, {0, 1, 0}});
  return ds;
}

}  // namespace

TEST(DatasetIo, WritesAndReadsBack) {
  std::string dir = test_files::scratch_dir("ds_roundtrip") + "/out";
  Dataset ds = small_dataset();
  write_dataset(dir, ds, false);
  EXPECT_FALSE(std::filesystem::exists(dir + "/canaries.jsonl"));
  DatasetReadReport report;
  Dataset back = read_dataset(dir, OnBadRecord::kFail, &report);
  ASSERT_EQ(back.train.size(), 2u);
  EXPECT_EQ(back.train[0].spans, ds.train[0].spans);
  EXPECT_EQ(back.train[1].user, "u-1");
  ASSERT_EQ(back.test.size(), 1u);
  EXPECT_EQ(back.test[0].input_ids, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(report.skipped(), 0);
}

TEST(DatasetIo, RefusesNonEmptyFolderUnlessOverwrite) {
  std::string dir = test_files::scratch_dir("ds_refuse");
  test_files::write_file(dir + "/notes.txt", "keep me");
  Dataset ds = small_dataset();
  EXPECT_THROW(write_dataset(dir, ds, false), Error);
  EXPECT_FALSE(std::filesystem::exists(dir + "/train.jsonl"));
  write_dataset(dir, ds, true);
  EXPECT_TRUE(std::filesystem::exists(dir + "/train.jsonl"));
  EXPECT_EQ(test_files::read_file(dir + "/notes.txt"), "keep me");
}

TEST(DatasetIo, RefusesAFileAsOutputFolder) {
  std::string dir = test_files::scratch_dir("ds_file");
  test_files::write_file(dir + "/x", "");
  EXPECT_THROW(check_output_folder(dir + "/x", true), Error);
}

TEST(DatasetIo, OverwriteRemovesAStaleCanaryFile) {
  std::string dir = test_files::scratch_dir("ds_stale");
  Dataset ds = small_dataset();
  Canary c;
  c.id = "canary-0001";
  c.prefix = "My amber falcon code is ";
  c.secret = "123456";
  c.suffix = ".";
  c.candidate_space = 1000000;
  ds.canaries.push_back(c);
  write_dataset(dir, ds, true);
  EXPECT_TRUE(std::filesystem::exists(dir + "/canaries.jsonl"));
  ds.canaries.clear();
  write_dataset(dir, ds, true);
  EXPECT_FALSE(std::filesystem::exists(dir + "/canaries.jsonl"));
}

TEST(DatasetIo, InvalidRecordIsNotWritten) {
  std::string dir = test_files::scratch_dir("ds_invalid") + "/out";
  Dataset ds = small_dataset();
  ds.train[0].spans = {{3, 60, "NAME"}};
  EXPECT_THROW(write_dataset(dir, ds, false), Error);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(DatasetIo, MissingSplitOrFolderIsBadInput) {
  std::string dir = test_files::scratch_dir("ds_missing");
  EXPECT_THROW(read_dataset(dir + "/nope", OnBadRecord::kFail), Error);
  test_files::write_file(dir + "/train.jsonl", "{\"text\": \"a\"}\n");
  try {
    read_dataset(dir, OnBadRecord::kFail);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": dataset folder has no test.jsonl");
  }
}

TEST(DatasetIo, BadLinesInEachSplitFollowThePolicy) {
  std::string dir = test_files::scratch_dir("ds_policy");
  test_files::write_file(
      dir + "/train.jsonl",
      "{\"text\": \"a\"}\n{\"text\": \"b\", \"spans\": [{\"start\": 1, \"end\": 0, \"label\": \"X\"}]}\n");
  test_files::write_file(dir + "/test.jsonl", "{\"text\": \"c\"}\n");
  EXPECT_THROW(read_dataset(dir, OnBadRecord::kFail), Error);
  DatasetReadReport report;
  Dataset ds = read_dataset(dir, OnBadRecord::kSkip, &report);
  EXPECT_EQ(ds.train.size(), 1u);
  EXPECT_EQ(report.train.skipped, 1);
  EXPECT_EQ(report.skipped(), 1);
}
