// `privtune demo --quick` end to end on the built-in model: every method trains and is
// evaluated, the summary files are complete, and a folder that is not a demo's is never
// cleared.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "run_privtune.h"

namespace privtune {
namespace {

std::string scratch(const std::string& name) {
  const std::string dir = (std::filesystem::temp_directory_path() / ("privtune_demo_test_" + name)).string();
  core::remove_tree(dir);
  return dir;
}

TEST(Demo, QuickRunWritesEveryMethodsResults) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string out = scratch("quick");
  auto r = test::run_privtune("demo --quick --out '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const core::Json summary = core::read_json_file(out + "/summary.json");
  ASSERT_EQ(summary["runs"].size(), 4u);
  const char* methods[] = {"full", "lora", "dp", "dp-lora"};
  for (size_t i = 0; i < 4; ++i) {
    const core::Json& row = summary["runs"][i];
    EXPECT_EQ(row["method"], methods[i]);
    EXPECT_TRUE(row["utility_loss"].is_object()) << row.dump();
    EXPECT_TRUE(row["mia_auc"].is_object()) << row.dump();
    EXPECT_TRUE(row["exposure"].is_object()) << row.dump();
    EXPECT_GT(row["trainable_parameters"].get<int64_t>(), 0);
    EXPECT_TRUE(core::path_exists(out + "/runs/" + methods[i] + "/metrics.json"));
  }
  // DP runs reach the target epsilon; the others have none.
  EXPECT_TRUE(summary["runs"][0]["epsilon"].is_null());
  EXPECT_NEAR(summary["runs"][2]["epsilon"].get<double>(), 8.0, 0.05);
  EXPECT_NEAR(summary["runs"][3]["epsilon"].get<double>(), 8.0, 0.05);
  // Every method was audited; no DP run's empirical lower bound exceeds its epsilon.
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(summary["runs"][i]["epsilon_audit"].is_number()) << summary["runs"][i].dump();
    EXPECT_TRUE(core::path_exists(out + "/runs/" + methods[i] + "/audit.json"));
  }
  EXPECT_LE(summary["runs"][2]["epsilon_audit"].get<double>(), summary["runs"][2]["epsilon"].get<double>());
  EXPECT_LE(summary["runs"][3]["epsilon_audit"].get<double>(), summary["runs"][3]["epsilon"].get<double>());
  // LoRA trains a small fraction of the parameters.
  EXPECT_LT(summary["runs"][1]["trainable_parameters"].get<int64_t>() * 5,
            summary["runs"][0]["trainable_parameters"].get<int64_t>());
  const std::string csv = core::read_text_file(out + "/summary.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5) << csv;
  EXPECT_NE(r.out.find("dp-lora"), std::string::npos) << r.out;

  // A second run needs --overwrite, and then replaces the earlier results.
  auto again = test::run_privtune("demo --quick --out '" + out + "'");
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.err.find("--overwrite"), std::string::npos) << again.err;
}

TEST(Demo, NeverClearsAFolderThatIsNotADemos) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string out = scratch("user_folder");
  core::make_directories(out);
  core::write_file_atomic(out + "/notes.txt", "mine");
  auto r = test::run_privtune("demo --quick --overwrite --out '" + out + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not a privtune demo folder"), std::string::npos) << r.err;
  EXPECT_EQ(core::read_text_file(out + "/notes.txt"), "mine");
}

TEST(Demo, MissingModelIsAnError) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  auto r = test::run_privtune("demo --quick --model /no/such/model --out '" + scratch("nomodel") + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/no/such/model"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace privtune
