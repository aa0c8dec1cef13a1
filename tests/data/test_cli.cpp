// The `privtune data` subcommands as a user runs them: exit codes (0 ok, 2 bad input),
// messages naming file and line, and output folders that stay untouched on failure.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "run_privtune.h"
#include "test_helpers.h"
#include "tiny_tokenizer.h"

using namespace privtune::data;

namespace {

using privtune::test::CliResult;
using privtune::test::run_privtune;

bool exists(const std::string& path) { return std::filesystem::exists(path); }

// The sanitized CI stage builds this program without the `privtune` executable.
class DataCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!privtune::test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  }
};

}  // namespace

TEST_F(DataCli, GenerateIsDeterministicAndRefusesNonEmptyFolders) {
  std::string dir = test_files::scratch_dir("cli_generate");
  std::string args = "data generate --kind customersim --train 30 --test 10 --seed 4 --canaries 1 --canary-reps 1,2";
  CliResult a = run_privtune(args + " --out " + dir + "/a");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_NE(a.out.find("30 train, 10 test"), std::string::npos) << a.out;
  ASSERT_EQ(run_privtune(args + " --out " + dir + "/b").code, 0);
  for (const char* f : {"train.jsonl", "test.jsonl", "canaries.jsonl", "generator.json"})
    EXPECT_EQ(test_files::read_file(dir + "/a/" + f), test_files::read_file(dir + "/b/" + f)) << f;

  CliResult again = run_privtune(args + " --out " + dir + "/a");
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("not empty (pass --overwrite"), std::string::npos) << again.err;
  EXPECT_EQ(run_privtune(args + " --out " + dir + "/a --overwrite").code, 0);
}

TEST_F(DataCli, GenerateBadArgumentsExitTwo) {
  std::string dir = test_files::scratch_dir("cli_generate_bad");
  EXPECT_EQ(run_privtune("data generate --kind poems --train 1 --test 1 --out " + dir + "/x").code, 2);
  EXPECT_EQ(
      run_privtune("data generate --kind synbio --train 2 --test 1 --canaries 1 --canary-reps 4 --out " + dir + "/x")
          .code,
      2);
  EXPECT_EQ(run_privtune("data generate --kind synbio --train 2 --test 1 --canary-reps 1,x --out " + dir + "/x").code,
            2);
  EXPECT_EQ(run_privtune("data generate --kind synbio --train 2 --out " + dir + "/x").code, 2);  // --test missing
  EXPECT_FALSE(exists(dir + "/x"));
}

TEST_F(DataCli, TagBadRecordsFailWithFileAndLineAndWriteNothing) {
  std::string dir = test_files::scratch_dir("cli_tag_bad");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"text\": \"ok\"}\n{\"text\": \"broken\"\n", ":2: invalid JSON"},
      {"{\"text\": \"ok\"}\n{\"id\": \"no text\"}\n", ":2: missing 'text'"},
      {"{\"text\": \"bad \xff\"}\n", ":1: invalid UTF-8 at byte 15"},
      {"{\"text\": \"abc\", \"spans\": [{\"start\": 0, \"end\": 2, \"label\": \"A\"}, {\"start\": 1, \"end\": 3, "
       "\"label\": \"B\"}]}\n",
       ":1: span [1, 3) overlaps span [0, 2)"},
      {"{\"text\": \"abc\", \"spans\": [{\"start\": 2, \"end\": 1, \"label\": \"A\"}]}\n",
       ":1: span [2, 1) is inverted"},
      {"{\"text\": \"abc\", \"spans\": [{\"start\": 0, \"end\": 4, \"label\": \"A\"}]}\n",
       ":1: span [0, 4) is out of range"},
  };
  int i = 0;
  for (const auto& [content, message] : cases) {
    std::string input = dir + "/in" + std::to_string(i++) + ".jsonl";
    test_files::write_file(input, content);
    CliResult r = run_privtune("data tag --in " + input + " --out " + dir + "/out");
    EXPECT_EQ(r.code, 2) << content;
    EXPECT_NE(r.err.find(input + message), std::string::npos) << r.err;
    EXPECT_FALSE(exists(dir + "/out")) << "output written despite bad input";
  }
}

TEST_F(DataCli, TagSkipsBadRecordsWhenToldAndCountsThem) {
  std::string dir = test_files::scratch_dir("cli_tag_skip");
  std::string input = dir + "/notes.jsonl";
  test_files::write_file(input,
                         "{\"text\": \"Call (503) 555-0100 now\"}\nnot json\n{\"text\": \"mail ada@example.org\"}\n");
  CliResult r = run_privtune("data tag --in " + input + " --out " + dir + "/out --on-bad-record skip");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("skipped 1 bad record(s)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(input + ":2: invalid JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("2 records, 1 skipped"), std::string::npos) << r.out;
  std::string tagged = test_files::read_file(dir + "/out/notes.jsonl");
  EXPECT_NE(tagged.find("\"label\":\"PHONE\""), std::string::npos) << tagged;
  EXPECT_NE(tagged.find("\"label\":\"EMAIL\""), std::string::npos) << tagged;
  EXPECT_EQ(run_privtune("data tag --in " + input + " --out " + dir + "/out --on-bad-record maybe").code, 2);
}

TEST_F(DataCli, TagTextFilesAndRefusesUnknownExtensions) {
  std::string dir = test_files::scratch_dir("cli_tag_txt");
  test_files::write_file(dir + "/raw.txt",
                         "Dr. Lovelace lives at 12 Crescent Road, Bath BA1 2AB.\n\nSSN 123-45-6789\n");
  CliResult r = run_privtune("data tag --in " + dir + "/raw.txt --out " + dir + "/out --json");
  ASSERT_EQ(r.code, 0) << r.err;
  std::string tagged = test_files::read_file(dir + "/out/raw.jsonl");
  EXPECT_NE(tagged.find("\"label\":\"ADDRESS\""), std::string::npos) << tagged;
  EXPECT_NE(tagged.find("\"label\":\"SSN\""), std::string::npos) << tagged;
  test_files::write_file(dir + "/raw.csv", "a,b\n");
  EXPECT_EQ(run_privtune("data tag --in " + dir + "/raw.csv --out " + dir + "/out2").code, 2);
}

TEST_F(DataCli, StatsCountsTokensPerSplitClassAndLabel) {
  std::string dir = test_files::scratch_dir("cli_stats");
  test_files::write_file(dir + "/tokenizer.json", test_files::tiny_tokenizer_json());
  std::filesystem::create_directories(dir + "/ds");
  test_files::write_file(dir + "/ds/train.jsonl", "{\"markup\": \"Hi [[NAME:Adabot]]!\"}\n");
  test_files::write_file(dir + "/ds/test.jsonl",
                         "{\"text\": \"call 552\", \"spans\": [{\"start\": 5, \"end\": 8, \"label\": \"PHONE\"}]}\n");
  CliResult r = run_privtune("data stats --data " + dir + "/ds --tokenizer " + dir + "/tokenizer.json --json");
  ASSERT_EQ(r.code, 0) << r.err;
  // train: <s> Hi Ada bot !  -> 1 special, 2 sensitive (Ada, bot), 2 non-sensitive
  EXPECT_NE(r.out.find("\"train\":{\"examples\":1,\"label_spans\":{\"NAME\":1},\"label_tokens\":{\"NAME\":2},"
                       "\"nonsensitive\":2,\"sensitive\":2,\"special\":1,\"tokens\":5}"),
            std::string::npos)
      << r.out;
  CliResult table = run_privtune("data stats --data " + dir + "/ds --tokenizer " + dir);
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("sensitive tokens"), std::string::npos);
  EXPECT_EQ(run_privtune("data stats --data " + dir + "/nope --tokenizer " + dir).code, 2);
  test_files::write_file(dir + "/ds/test.jsonl", "{\"text\": 1}\n");
  CliResult bad = run_privtune("data stats --data " + dir + "/ds --tokenizer " + dir);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("test.jsonl:1: 'text' must be a string"), std::string::npos) << bad.err;
}
