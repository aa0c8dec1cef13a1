// `privtune init`: a random model folder that the other commands load, and its refusals.
#include <gtest/gtest.h>

#include <filesystem>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "run_privtune.h"

namespace privtune {
namespace {

std::string fresh(const std::string& name) {
  const std::string dir = (std::filesystem::temp_directory_path() / ("privtune_init_test_" + name)).string();
  core::remove_tree(dir);
  return dir;
}

const std::string kSource = PRIVTUNE_SOURCE_DIR;

TEST(Init, WritesAModelFolderThatLoads) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string out = fresh("ok");
  const std::string args = "init --config-json '" + kSource + "/scripts/base_model_config.json' --tokenizer '" +
                           kSource + "/models/privtune-tiny/tokenizer.json' --out '" + out + "' --seed 3";
  auto r = test::run_privtune(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1.8M parameters"), std::string::npos) << r.out;
  auto inspect = test::run_privtune("inspect --model '" + out + "' --json");
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  auto generate = test::run_privtune("generate --model '" + out + "' --prompt 'Hello' --max-new-tokens 3");
  EXPECT_EQ(generate.code, 0) << generate.err;
  // Same seed, same weights.
  const std::string again = fresh("again");
  auto r2 = test::run_privtune("init --config-json '" + kSource + "/scripts/base_model_config.json' --tokenizer '" +
                               kSource + "/models/privtune-tiny/tokenizer.json' --out '" + again + "' --seed 3");
  ASSERT_EQ(r2.code, 0) << r2.err;
  EXPECT_EQ(core::read_text_file(out + "/model.safetensors"), core::read_text_file(again + "/model.safetensors"));
  // A non-empty folder is refused without --overwrite.
  auto refused = test::run_privtune(args);
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("not empty"), std::string::npos) << refused.err;
}

TEST(Init, VocabularySmallerThanTheTokenizerIsAnError) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const std::string dir = fresh("small_vocab");
  core::make_directories(dir);
  core::Json config = core::read_json_file(kSource + "/scripts/base_model_config.json");
  config["vocab_size"] = 100;
  core::write_file_atomic(dir + "/config.json", config.dump());
  auto r = test::run_privtune("init --config-json '" + dir + "/config.json' --tokenizer '" + kSource +
                              "/models/privtune-tiny/tokenizer.json' --out '" + dir + "/model'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("vocab_size 100"), std::string::npos) << r.err;
  EXPECT_FALSE(core::path_exists(dir + "/model/config.json"));
}

}  // namespace
}  // namespace privtune
