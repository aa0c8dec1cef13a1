// `privtune inspect`, `logprobs` and `generate` as a user runs them: output on the
// transformers fixtures, and exit code 2 with one line naming the file and tensor or key
// for every kind of bad checkpoint.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "run_privtune.h"

namespace {

namespace fs = std::filesystem;
using privtune::test::run_privtune;

const std::string kLlama = std::string(PRIVTUNE_SOURCE_DIR) + "/tests/fixtures/hf/llama";

std::string scratch(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("privtune_model_cli_" + name);
  privtune::core::remove_tree(dir.string());
  fs::create_directories(dir);
  return dir.string();
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A copy of the llama fixture whose files the test may break.
std::string model_copy(const std::string& name) {
  std::string dir = scratch(name);
  for (const char* f : {"config.json", "model.safetensors"}) fs::copy_file(kLlama + "/" + f, dir + "/" + f);
  return dir;
}

void expect_bad_input(const std::string& args, std::vector<std::string> needles) {
  auto r = run_privtune(args);
  EXPECT_EQ(r.code, 2) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line expected: " << r.err;
  for (const auto& n : needles) EXPECT_NE(r.err.find(n), std::string::npos) << r.err;
}

TEST(ModelCli, InspectReportsFamilyAndParameters) {
  auto r = run_privtune("inspect --model '" + kLlama + "' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = privtune::core::parse_json(r.out, "inspect output");
  EXPECT_EQ(j["model_type"], "llama");
  EXPECT_EQ(j["parameters"]["total"], 108992);
  EXPECT_GT(j["memory_estimate_bytes"]["full_finetune_adamw_f32"].get<int64_t>(),
            j["memory_estimate_bytes"]["lora_adamw"].get<int64_t>());
}

TEST(ModelCli, LogprobsOfABatchAndLogitsFile) {
  std::string dir = scratch("logprobs");
  write(dir + "/ids.json", "[[5, 17, 3, 88], [11, 4]]");
  auto r = run_privtune("logprobs --model '" + kLlama + "' --ids-file '" + dir + "/ids.json' --json --logits-out '" +
                        dir + "/logits.safetensors'");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = privtune::core::parse_json(r.out, "logprobs output");
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["tokens"].size(), 4u);
  EXPECT_TRUE(j[0]["tokens"][0]["logprob"].is_null());
  double sum = 0;
  for (size_t i = 1; i < 4; ++i) sum += j[0]["tokens"][i]["logprob"].get<double>();
  EXPECT_NEAR(sum, j[0]["sum_logprob"].get<double>(), 1e-9);
  EXPECT_TRUE(fs::exists(dir + "/logits.safetensors"));
  // An existing output is never replaced silently.
  expect_bad_input("logprobs --model '" + kLlama + "' --ids-file '" + dir + "/ids.json' --logits-out '" + dir +
                       "/logits.safetensors'",
                   {"logits.safetensors", "--overwrite"});
}

TEST(ModelCli, GenerateIsDeterministic) {
  auto a = run_privtune("generate --model '" + kLlama + "' --prompt-ids 5,17,3 --max-new-tokens 6 --temperature 0.8 --seed 3");
  auto b = run_privtune("generate --model '" + kLlama + "' --prompt-ids 5,17,3 --max-new-tokens 6 --temperature 0.8 --seed 3");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), ','), 5);
}

TEST(ModelCli, TextInputThroughTheModelFoldersTokenizer) {
  // A byte-level tokenizer without merges has exactly the fixture's 256 ids.
  auto dir = model_copy("with_tokenizer");
  write(dir + "/corpus.txt", "hello world, my name is Ada.\n");
  auto trained = run_privtune("tokenizer train --input '" + dir + "/corpus.txt' --vocab-size 256 --out '" + dir +
                              "/tokenizer.json'");
  ASSERT_EQ(trained.code, 0) << trained.err;
  auto r = run_privtune("logprobs --model '" + dir + "' --text 'My name' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = privtune::core::parse_json(r.out, "logprobs output");
  ASSERT_EQ(j[0]["tokens"].size(), 7u);
  EXPECT_EQ(j[0]["tokens"][2]["offsets"], privtune::core::Json::parse("[2, 3]"));
  EXPECT_EQ(j[0]["tokens"][0]["token"], "M");
  auto g = run_privtune("generate --model '" + dir + "' --prompt 'My name' --max-new-tokens 4 --json");
  ASSERT_EQ(g.code, 0) << g.err;
  auto generated = privtune::core::parse_json(g.out, "generate output");
  EXPECT_EQ(generated["new_ids"].size(), 4u);
  EXPECT_EQ(generated["prompt_ids"].size(), 7u);
  expect_bad_input("logprobs --model '" + dir + "' --text x --ids-file y", {"excludes"});
}

TEST(ModelCli, BadFlagsAndIds) {
  std::string dir = scratch("bad_ids");
  write(dir + "/ids.json", "[[1, 999]]");
  expect_bad_input("logprobs --model '" + kLlama + "' --ids-file '" + dir + "/ids.json'", {"ids.json", "999"});
  write(dir + "/bad.json", "[[1, 2]");
  expect_bad_input("logprobs --model '" + kLlama + "' --ids-file '" + dir + "/bad.json'", {"bad.json", "invalid JSON"});
  expect_bad_input("generate --model '" + kLlama + "' --prompt-ids 1,x", {"--prompt-ids", "'x'"});
  expect_bad_input("generate --model '" + kLlama + "' --prompt-ids 1 --top-p 0", {"--top-p"});
  expect_bad_input("generate --model '" + kLlama + "' --prompt-ids 1 --device tpu", {"--device"});
  expect_bad_input("inspect", {"--model"});
}

TEST(ModelCli, BadCheckpointsExitWithTwo) {
  {
    auto dir = model_copy("truncated");
    fs::resize_file(dir + "/model.safetensors", 100);
    expect_bad_input("inspect --model '" + dir + "'", {"model.safetensors"});
  }
  {
    auto dir = model_copy("header_past_end");
    std::fstream f(dir + "/model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
    const char big[8] = {'\xff', '\xff', '\xff', '\x0f', 0, 0, 0, 0};
    f.write(big, 8);
    f.close();
    expect_bad_input("generate --model '" + dir + "' --prompt-ids 1", {"model.safetensors", "past the end"});
  }
  {
    auto dir = model_copy("unknown_type");
    auto config = privtune::core::read_json_file(dir + "/config.json");
    config["model_type"] = "rwkv";
    write(dir + "/config.json", config.dump());
    expect_bad_input("inspect --model '" + dir + "'", {"config.json", "'rwkv'"});
  }
  {
    auto dir = model_copy("missing_key");
    auto config = privtune::core::read_json_file(dir + "/config.json");
    config.erase("vocab_size");
    write(dir + "/config.json", config.dump());
    expect_bad_input("generate --model '" + dir + "' --prompt-ids 1", {"config.json", "'vocab_size'"});
  }
}

}  // namespace
