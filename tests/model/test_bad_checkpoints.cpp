// Bad model folders: each gives one Error naming the file and the tensor or key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "privtune/core/file_io.h"
#include "privtune/core/safetensors.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/family.h"
#include "privtune/model/tensor_io.h"
#include "test_util.h"

namespace {

using namespace privtune;

std::string saved_model(const std::string& name) {
  auto m = test::tiny_model("llama");
  std::string dir = test::temp_dir(name);
  model::save_model(m, dir);
  return dir;
}

void expect_load_error(const std::string& dir, std::vector<std::string> needles) {
  try {
    model::load_model(dir);
    FAIL() << "loaded a bad checkpoint";
  } catch (const Error& e) {
    std::string message = e.what();
    for (const auto& n : needles) EXPECT_NE(message.find(n), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

// Rewrites dir/model.safetensors through `edit` of its (name, tensor) list.
void rewrite_weights(const std::string& dir,
                     const std::function<void(std::vector<std::pair<std::string, torch::Tensor>>&)>& edit) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  {
    core::SafetensorsFile file(dir + "/model.safetensors");
    for (const auto& view : file.tensors()) tensors.emplace_back(view.name, model::tensor_from_view(view));
  }
  edit(tensors);
  model::write_tensors(dir + "/model.safetensors", tensors, torch::kFloat);
}

void edit_config(const std::string& dir, const std::function<void(core::Json&)>& edit) {
  core::Json j = core::read_json_file(dir + "/config.json");
  edit(j);
  core::write_file_atomic(dir + "/config.json", j.dump());
}

TEST(BadCheckpoint, MissingTensor) {
  auto dir = saved_model("bad_missing");
  rewrite_weights(dir, [](auto& t) {
    t.erase(std::remove_if(t.begin(), t.end(), [](auto& e) { return e.first == "model.layers.1.mlp.up_proj.weight"; }),
            t.end());
  });
  expect_load_error(dir, {"model.safetensors", "'model.layers.1.mlp.up_proj.weight'", "missing"});
}

TEST(BadCheckpoint, WrongShape) {
  auto dir = saved_model("bad_shape");
  rewrite_weights(dir, [](auto& t) {
    for (auto& e : t)
      if (e.first == "model.layers.0.self_attn.k_proj.weight") e.second = torch::zeros({3, 5});
  });
  expect_load_error(dir, {"model.safetensors", "'model.layers.0.self_attn.k_proj.weight'", "[3, 5]", "expected"});
}

TEST(BadCheckpoint, TruncatedFile) {
  auto dir = saved_model("bad_truncated");
  auto size = std::filesystem::file_size(dir + "/model.safetensors");
  std::filesystem::resize_file(dir + "/model.safetensors", size / 2);
  expect_load_error(dir, {"model.safetensors"});
}

TEST(BadCheckpoint, UnknownModelType) {
  auto dir = saved_model("bad_type");
  edit_config(dir, [](core::Json& j) { j["model_type"] = "mamba"; });
  expect_load_error(dir, {"config.json", "unsupported model_type 'mamba'", "llama"});
}

TEST(BadCheckpoint, ConfigMissingKey) {
  auto dir = saved_model("bad_key");
  edit_config(dir, [](core::Json& j) { j.erase("hidden_size"); });
  expect_load_error(dir, {"config.json", "'hidden_size'", "missing"});
}

TEST(BadCheckpoint, ConfigWrongType) {
  auto dir = saved_model("bad_key_type");
  edit_config(dir, [](core::Json& j) { j["num_hidden_layers"] = "three"; });
  expect_load_error(dir, {"config.json", "'num_hidden_layers'", "wrong type"});
}

TEST(BadCheckpoint, NoWeights) {
  auto dir = saved_model("bad_no_weights");
  std::filesystem::remove(dir + "/model.safetensors");
  expect_load_error(dir, {"no model.safetensors"});
}

TEST(BadCheckpoint, ShardIndexNamesMissingTensor) {
  auto m = test::tiny_model("qwen2");
  std::string dir = test::temp_dir("bad_index");
  model::save_model(m, dir, {torch::kFloat, 20000, ""});
  core::Json index = core::read_json_file(dir + "/model.safetensors.index.json");
  std::string first_shard = index["weight_map"].begin().value();
  index["weight_map"]["model.layers.9.mlp.up_proj.weight"] = first_shard;
  core::write_file_atomic(dir + "/model.safetensors.index.json", index.dump());
  expect_load_error(dir, {"'model.layers.9.mlp.up_proj.weight'", "missing"});
}

TEST(Families, HfNamesRoundTrip) {
  for (const auto& type : test::tiny_families()) {
    auto m = test::tiny_model(type);
    const std::string where = "test";
    const auto& family = model::family_for(type, where);
    for (const auto& item : m->named_parameters()) {
      std::string hf = model::hf_name(family, item.key());
      EXPECT_EQ(model::generic_name(family, hf), item.key()) << type << " " << hf;
    }
  }
}

}  // namespace
