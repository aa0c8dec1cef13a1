// Adapter folders: save -> load round trip, PEFT's file names, keys and config fields, and
// one-line errors naming the file and key for bad configs, keys, shapes and targets.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "privtune/core/file_io.h"
#include "privtune/core/safetensors.h"
#include "privtune/model/tensor_io.h"
#include "privtune/peft/adapter_io.h"
#include "privtune/peft/lora.h"
#include "test_util.h"

namespace {

using namespace privtune;

peft::LoraConfig small_config() {
  peft::LoraConfig config;
  config.r = 2;
  config.alpha = 3;
  config.dropout = 0.05;
  config.base_model = "tiny/base";
  return config;
}

// A saved adapter with random (non-zero) weights on a tiny model of `type`.
std::string saved_adapter(const std::string& type, const peft::LoraConfig& config, const std::string& name) {
  model::CausalLM m = test::tiny_model(type);
  peft::add_lora(m, config);
  torch::NoGradGuard no_grad;
  torch::manual_seed(4);
  for (auto& [n, p] : peft::lora_parameters(m)) p.copy_(torch::randn_like(p));
  const std::string dir = test::temp_dir(name);
  peft::save_adapter(m, config, dir);
  return dir;
}

// Expects load_adapter to throw an Error whose one-line message contains each of `parts`,
// and to leave the model without adapters.
void expect_load_error(const std::string& type, const std::string& dir, const std::vector<std::string>& parts) {
  model::CausalLM m = test::tiny_model(type);
  try {
    peft::load_adapter(m, dir);
    ADD_FAILURE() << "no error for " << dir;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message << " lacks " << part;
  }
  EXPECT_FALSE(peft::has_lora(m));
}

void edit_config(const std::string& dir, const std::function<void(core::Json&)>& edit) {
  const std::string path = dir + "/" + peft::kAdapterConfigFile;
  core::Json j = core::read_json_file(path);
  edit(j);
  core::write_file_atomic(path, j.dump(2));
}

TEST(AdapterIo, SaveLoadRoundTripIsIdentical) {
  for (const std::string type : {"llama", "gpt_neox", "gemma3_text"}) {
    SCOPED_TRACE(type);
    model::CausalLM m = test::tiny_model(type);
    peft::LoraConfig config = small_config();
    config.targets.all_linear = true;
    peft::add_lora(m, config, 9);
    {
      torch::NoGradGuard no_grad;
      for (auto& [n, p] : peft::lora_parameters(m)) p.add_(torch::randn_like(p));
    }
    const std::string dir = test::temp_dir("peft_roundtrip_" + type);
    peft::save_adapter(m, config, dir);

    model::CausalLM loaded = test::tiny_model(type);
    peft::LoraConfig read = peft::load_adapter(loaded, dir);
    EXPECT_EQ(read.r, config.r);
    EXPECT_EQ(read.alpha, config.alpha);
    EXPECT_EQ(read.dropout, config.dropout);
    EXPECT_EQ(read.base_model, config.base_model);
    auto a = peft::lora_parameters(m), b = peft::lora_parameters(loaded);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].first, b[i].first);
      EXPECT_TRUE(torch::equal(a[i].second, b[i].second)) << a[i].first;
      EXPECT_FALSE(b[i].second.requires_grad());  // loaded for inference by default
    }
    m->eval();
    loaded->eval();
    torch::NoGradGuard no_grad;
    auto ids = torch::randint(m->config().vocab_size, {1, 7}, torch::kLong);
    auto mask = torch::ones_like(ids);
    EXPECT_TRUE(torch::equal(m->forward(ids, mask), loaded->forward(ids, mask)));
  }
}

TEST(AdapterIo, LoadTrainableKeepsAdaptersTrainable) {
  const std::string dir = saved_adapter("qwen3", small_config(), "peft_trainable");
  model::CausalLM m = test::tiny_model("qwen3");
  peft::load_adapter(m, dir, /*trainable=*/true);
  EXPECT_EQ(peft::trainable_parameters(m).size(), peft::lora_parameters(m).size());
  EXPECT_EQ(peft::trainable_parameters(m).size(), 12u);  // 3 layers x {q, v} x {A, B}
}

TEST(AdapterIo, FilesKeysAndConfigFollowPeft) {
  peft::LoraConfig config = small_config();
  config.rslora = true;
  const std::string dir = saved_adapter("gpt_neox", config, "peft_layout");
  EXPECT_TRUE(std::filesystem::exists(dir + "/adapter_config.json"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/adapter_model.safetensors"));
  core::Json j = core::read_json_file(dir + "/adapter_config.json");
  EXPECT_EQ(j["peft_type"], "LORA");
  EXPECT_EQ(j["task_type"], "CAUSAL_LM");
  EXPECT_EQ(j["r"], 2);
  EXPECT_TRUE(j["lora_alpha"].is_number_integer());
  EXPECT_EQ(j["lora_alpha"], 3);
  EXPECT_DOUBLE_EQ(j["lora_dropout"].get<double>(), 0.05);
  EXPECT_EQ(j["target_modules"], core::Json::array({"query_key_value"}));
  EXPECT_EQ(j["bias"], "none");
  EXPECT_EQ(j["use_rslora"], true);
  EXPECT_EQ(j["fan_in_fan_out"], false);
  EXPECT_EQ(j["inference_mode"], false);
  EXPECT_EQ(j["base_model_name_or_path"], "tiny/base");

  core::SafetensorsFile file(dir + "/adapter_model.safetensors");
  ASSERT_EQ(file.tensors().size(), 6u);  // 3 layers x {A, B}
  const core::TensorView* a = file.find("base_model.model.gpt_neox.layers.2.attention.query_key_value.lora_A.weight");
  const core::TensorView* b = file.find("base_model.model.gpt_neox.layers.2.attention.query_key_value.lora_B.weight");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 32}));  // (r, hidden)
  EXPECT_EQ(b->shape, (std::vector<int64_t>{96, 2}));  // (3 x hidden, r)
  EXPECT_EQ(a->dtype, core::DType::F32);
  EXPECT_EQ(file.metadata().at("format"), "pt");
}

TEST(AdapterIo, AllLinearIsSavedAsModuleNamesAndPatternAsString) {
  peft::LoraConfig config = small_config();
  config.targets.all_linear = true;
  const std::string all = saved_adapter("llama", config, "peft_all_linear");
  core::Json j = core::read_json_file(all + "/adapter_config.json");
  EXPECT_EQ(j["target_modules"],
            core::Json::array({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}));
  model::CausalLM m = test::tiny_model("llama");
  peft::load_adapter(m, all);
  EXPECT_EQ(peft::lora_parameters(m).size(), 42u);  // 3 layers x 7 modules x {A, B}
}

TEST(AdapterIo, PatternTargetsRoundTrip) {
  peft::LoraConfig config = small_config();
  config.targets.pattern = R"(model\.layers\.[02]\.mlp\.(up|down)_proj)";
  const std::string dir = saved_adapter("qwen2", config, "peft_pattern");
  core::Json j = core::read_json_file(dir + "/adapter_config.json");
  EXPECT_EQ(j["target_modules"], config.targets.pattern);
  model::CausalLM m = test::tiny_model("qwen2");
  auto read = peft::load_adapter(m, dir);
  EXPECT_EQ(read.targets.pattern, config.targets.pattern);
  EXPECT_EQ(peft::lora_parameters(m).size(), 8u);  // 2 layers x 2 modules x {A, B}
}

TEST(AdapterIo, BadConfigsNameFileAndKey) {
  const std::string dir = saved_adapter("llama", small_config(), "peft_bad_config");
  const std::string file = dir + "/adapter_config.json";
  struct Case {
    std::function<void(core::Json&)> edit;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {[](core::Json& j) { j["peft_type"] = "IA3"; }, {file, "peft_type", "IA3"}},
      {[](core::Json& j) { j["r"] = 0; }, {file, "rank", "at least 1"}},
      {[](core::Json& j) { j["r"] = 2.5; }, {file, "'r'"}},
      {[](core::Json& j) { j.erase("r"); }, {file, "'r'"}},
      {[](core::Json& j) { j["lora_alpha"] = -1; }, {file, "lora_alpha"}},
      {[](core::Json& j) { j["lora_dropout"] = 1.0; }, {file, "lora_dropout"}},
      {[](core::Json& j) { j["bias"] = "all"; }, {file, "bias"}},
      {[](core::Json& j) { j["use_dora"] = true; }, {file, "use_dora"}},
      {[](core::Json& j) { j["fan_in_fan_out"] = true; }, {file, "fan_in_fan_out"}},
      {[](core::Json& j) { j["rank_pattern"] = {{"q_proj", 8}}; }, {file, "rank_pattern"}},
      {[](core::Json& j) { j["task_type"] = "SEQ_CLS"; }, {file, "task_type"}},
      {[](core::Json& j) { j["target_modules"] = core::Json::array({"q_proj", "wq"}); }, {file, "'wq'", "q_proj, k_proj"}},
      {[](core::Json& j) { j["target_modules"] = "no\\.such\\.module"; }, {file, "matches no linear module"}},
      {[](core::Json& j) { j["target_modules"] = "(unclosed"; }, {file, "invalid target module pattern"}},
      {[](core::Json& j) { j["target_modules"] = core::Json::array(); }, {file, "target_modules"}},
  };
  for (const auto& c : cases) {
    const std::string copy = test::temp_dir("peft_bad_config_case");
    for (const char* name : {peft::kAdapterConfigFile, peft::kAdapterWeightsFile})
      std::filesystem::copy_file(dir + "/" + name, copy + "/" + name);
    edit_config(copy, c.edit);
    std::vector<std::string> expect;
    for (const auto& part : c.expect) expect.push_back(part == file ? copy + "/adapter_config.json" : part);
    expect_load_error("llama", copy, expect);
  }
  core::write_file_atomic(file, "{ not json");
  expect_load_error("llama", dir, {file});
  expect_load_error("llama", test::temp_dir("peft_empty"), {"adapter_config.json", "missing"});
  expect_load_error("llama", "/nonexistent/adapter", {"/nonexistent/adapter"});
}

TEST(AdapterIo, BadWeightsNameFileAndKey) {
  const std::string dir = saved_adapter("llama", small_config(), "peft_bad_weights");
  const std::string path = dir + "/adapter_model.safetensors";
  model::CausalLM m = test::tiny_model("llama");
  peft::add_lora(m, small_config());
  auto state = peft::peft_state(m);
  const std::string missing_key = state[1].first;

  // A missing tensor.
  auto without = state;
  without.erase(without.begin() + 1);
  model::write_tensors(path, without, torch::kFloat);
  expect_load_error("llama", dir, {path, missing_key, "missing"});
  // A wrong shape.
  auto reshaped = state;
  reshaped[0].second = torch::zeros({3, 32});
  model::write_tensors(path, reshaped, torch::kFloat);
  expect_load_error("llama", dir, {path, state[0].first, "[3, 32]", "[2, 32]"});
  // A tensor no adapted module owns (here: k_proj, which the config does not target).
  auto extra = state;
  extra.emplace_back("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", torch::zeros({2, 32}));
  model::write_tensors(path, extra, torch::kFloat);
  expect_load_error("llama", dir, {path, "k_proj.lora_A.weight"});
  // An integer tensor.
  auto ints = state;
  ints[0].second = torch::zeros({2, 32}, torch::kLong);
  model::write_tensors(path, ints, torch::kLong);
  expect_load_error("llama", dir, {path, "non-float"});
  // A corrupt file, and none at all.
  core::write_file_atomic(path, "garbage");
  expect_load_error("llama", dir, {path});
  std::filesystem::remove(path);
  expect_load_error("llama", dir, {path, "missing"});
  // An adapter for another family's modules.
  const std::string neox = saved_adapter("gpt_neox", small_config(), "peft_neox_for_llama");
  expect_load_error("llama", neox, {"query_key_value"});
}

}  // namespace
