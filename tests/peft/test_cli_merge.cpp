// `privtune merge` and `--adapter` on logprobs/generate, end to end through the built
// executable on the PEFT fixtures; exit codes 0 ok, 2 bad input. Skipped, with the reason,
// where the executable has not been built.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "privtune/core/safetensors.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/tensor_io.h"
#include "run_privtune.h"
#include "test_util.h"

namespace {

using namespace privtune;

const std::string kBinary = PRIVTUNE_BINARY_DIR "/privtune";

struct Result {
  int code;
  std::string output;  // stdout and stderr
};

Result run(const std::string& args) {
  auto r = test::run_privtune(args);
  return {r.code, r.out + r.err};
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

class CliPeft : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kBinary)) GTEST_SKIP() << kBinary << " is not built (ninja privtune)";
  }
  const std::string base = test::source_path("tests/fixtures/hf/llama");
  const std::string adapter = test::source_path("tests/fixtures/hf/llama_lora");
};

// The reference batch's valid ids as an --ids-file, and PEFT's logits for them.
struct Reference {
  std::string ids_file;
  torch::Tensor ids, mask, logits;
};

Reference reference(const std::string& adapter, const std::string& dir) {
  core::SafetensorsFile ref(adapter + "/reference.safetensors");
  Reference r{dir + "/ids.json", model::tensor_from_view(*ref.find("input_ids")),
              model::tensor_from_view(*ref.find("attention_mask")), model::tensor_from_view(*ref.find("logits"))};
  core::Json batch = core::Json::array();
  for (int64_t b = 0; b < r.ids.size(0); ++b) {
    core::Json row = core::Json::array();
    for (int64_t t = 0; t < r.ids.size(1); ++t)
      if (r.mask[b][t].item<int64_t>() != 0) row.push_back(r.ids[b][t].item<int64_t>());
    batch.push_back(row);
  }
  core::write_file_atomic(r.ids_file, batch.dump());
  return r;
}

void expect_close(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
  const double scale = want.abs().max().item<double>();
  EXPECT_LE((got - want).abs().max().item<double>(), 1e-4 * scale) << what;
}

TEST_F(CliPeft, MergeWritesAModelWithPeftLogitsAndRefusesNonEmptyOut) {
  const std::string dir = test::temp_dir("cli_merge");
  const std::string out = dir + "/merged";
  const Result r = run("merge --model " + base + " --adapter " + adapter + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "merged 12 adapted layers")) << r.output;  // 3 layers x 4 modules
  EXPECT_TRUE(std::filesystem::exists(out + "/config.json"));
  EXPECT_TRUE(std::filesystem::exists(out + "/model.safetensors"));
  EXPECT_EQ(std::filesystem::exists(base + "/tokenizer.json"), std::filesystem::exists(out + "/tokenizer.json"));

  const Reference ref = reference(adapter, dir);
  model::CausalLM merged = model::load_model(out);
  merged->eval();
  torch::NoGradGuard no_grad;
  auto valid = ref.mask.to(torch::kBool);
  expect_close(merged->forward(ref.ids, ref.mask).index({valid}), ref.logits.index({valid}), "merged");

  const Result again = run("merge --model " + base + " --adapter " + adapter + " --out " + out);
  EXPECT_EQ(again.code, 2) << again.output;
  EXPECT_TRUE(contains(again.output, "not empty")) << again.output;
  const Result overwrite = run("merge --model " + base + " --adapter " + adapter + " --out " + out + " --overwrite");
  EXPECT_EQ(overwrite.code, 0) << overwrite.output;
}

TEST_F(CliPeft, BadAdapterExitsWithTwo) {
  const std::string dir = test::temp_dir("cli_bad_adapter");
  // A PEFT folder whose config names a module llama does not have.
  for (const char* name : {"adapter_config.json", "adapter_model.safetensors"})
    std::filesystem::copy_file(adapter + "/" + name, dir + "/" + name);
  core::Json config = core::read_json_file(dir + "/adapter_config.json");
  config["target_modules"] = core::Json::array({"query_key_value"});
  core::write_file_atomic(dir + "/adapter_config.json", config.dump());

  const Result merge = run("merge --model " + base + " --adapter " + dir + " --out " + dir + "/out");
  EXPECT_EQ(merge.code, 2) << merge.output;
  EXPECT_TRUE(contains(merge.output, "query_key_value")) << merge.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/out"));
  const Result missing = run("merge --model " + base + " --adapter " + dir + "/none --out " + dir + "/out");
  EXPECT_EQ(missing.code, 2) << missing.output;
  const Result logprobs = run("logprobs --device cpu --model " + base + " --adapter " + dir + " --ids-file x.json");
  EXPECT_EQ(logprobs.code, 2) << logprobs.output;
  const Result generate = run("generate --device cpu --model " + base + " --adapter " + dir + " --prompt-ids 1,2");
  EXPECT_EQ(generate.code, 2) << generate.output;
  const Result usage = run("merge --model " + base + " --out " + dir + "/out");  // no --adapter
  EXPECT_EQ(usage.code, 2) << usage.output;
}

TEST_F(CliPeft, LogprobsAndGenerateApplyTheAdapter) {
  const std::string dir = test::temp_dir("cli_adapter_logprobs");
  const Reference ref = reference(adapter, dir);
  const Result r = run("logprobs --device cpu --model " + base + " --adapter " + adapter + " --ids-file " +
                       ref.ids_file + " --json --logits-out " + dir + "/logits.safetensors");
  ASSERT_EQ(r.code, 0) << r.output;
  core::SafetensorsFile logits(dir + "/logits.safetensors");
  for (int64_t b = 0; b < ref.ids.size(0); ++b) {
    torch::Tensor got = model::tensor_from_view(*logits.find("logits." + std::to_string(b)));  // (T_b, V)
    expect_close(got, ref.logits[b].narrow(0, 0, got.size(0)), "logprobs row " + std::to_string(b));
  }
  const Result with = run("generate --device cpu --model " + base + " --adapter " + adapter +
                          " --prompt-ids 5,17,3 --max-new-tokens 6 --ignore-eos --json");
  ASSERT_EQ(with.code, 0) << with.output;
  EXPECT_TRUE(contains(with.output, "new_ids")) << with.output;
}

// Commands that only run the model fold a float32 adapter into the weights, so base + adapter
// scores exactly as the merged folder does; in bfloat16 the adapter stays apart (a bf16 merge
// would round away most of the update), and the two differ.
TEST_F(CliPeft, InferenceMergesTheAdapterOnlyAtFloat32) {
  const std::string dir = test::temp_dir("cli_adapter_merged_inference");
  const Reference ref = reference(adapter, dir);
  ASSERT_EQ(run("merge --model " + base + " --adapter " + adapter + " --out " + dir + "/merged").code, 0);
  auto logits = [&](const std::string& model_flags, const std::string& dtype, const std::string& name) {
    const std::string file = dir + "/" + name + ".safetensors";
    const Result r = run("logprobs --device cpu --dtype " + dtype + " " + model_flags + " --ids-file " + ref.ids_file +
                         " --json --logits-out " + file);
    EXPECT_EQ(r.code, 0) << r.output;
    core::SafetensorsFile f(file);
    return model::tensor_from_view(*f.find("logits.0"));
  };
  const std::string with_adapter = "--model " + base + " --adapter " + adapter;
  const std::string merged = "--model " + dir + "/merged";
  EXPECT_TRUE(torch::equal(logits(with_adapter, "float32", "adapter32"), logits(merged, "float32", "merged32")));
  const torch::Tensor apart = logits(with_adapter, "bfloat16", "adapter16");
  const torch::Tensor folded = logits(merged, "bfloat16", "merged16");
  EXPECT_FALSE(torch::equal(apart, folded));
  // Still applied: nearer PEFT's logits than the base alone is.
  const torch::Tensor want = ref.logits[0].narrow(0, 0, apart.size(0));
  const torch::Tensor base_only = logits("--model " + base, "bfloat16", "base16");
  EXPECT_LT((apart.to(torch::kFloat) - want).abs().mean().item<double>(),
            (base_only.to(torch::kFloat) - want).abs().mean().item<double>() / 2);
}

}  // namespace
