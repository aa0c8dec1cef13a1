#include "test_util.h"

#include <filesystem>

#include "privtune/core/file_io.h"

namespace privtune::test {

core::Json tiny_config_json(const std::string& type) {
  core::Json j = {{"model_type", type},  {"vocab_size", 97},       {"hidden_size", 32},
                  {"intermediate_size", 48}, {"num_hidden_layers", 3}, {"num_attention_heads", 4},
                  {"num_key_value_heads", 2}, {"max_position_embeddings", 64}, {"bos_token_id", 1},
                  {"eos_token_id", 2}};
  if (type == "gpt_neox") {
    j["num_key_value_heads"] = 4;
    j["rotary_pct"] = 0.5;
    j["use_parallel_residual"] = true;
  } else if (type == "llama") {
    j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                         {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 16}};
    j["tie_word_embeddings"] = true;
  } else if (type == "gemma") {
    j["head_dim"] = 8;
  } else if (type == "gemma2") {
    j["head_dim"] = 8;
    j["sliding_window"] = 3;
    j["query_pre_attn_scalar"] = 12;
    j["attn_logit_softcapping"] = 2.0;
    j["final_logit_softcapping"] = 3.0;
  } else if (type == "gemma3_text") {
    j["head_dim"] = 8;
    j["sliding_window"] = 3;
    j["sliding_window_pattern"] = 2;
    j["query_pre_attn_scalar"] = 8;
    j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 4.0}};
  } else if (type == "qwen2") {
    j["tie_word_embeddings"] = false;
  } else if (type == "qwen3") {
    j["head_dim"] = 12;
    j["tie_word_embeddings"] = true;
  }
  return j;
}

model::ModelConfig tiny_config(const std::string& type) {
  return model::parse_model_config(tiny_config_json(type), "tiny " + type);
}

std::vector<std::string> tiny_families() {
  return {"gpt_neox", "llama", "gemma", "gemma2", "gemma3_text", "qwen2", "qwen3"};
}

model::CausalLM tiny_model(const std::string& type, torch::ScalarType dtype, uint64_t seed) {
  model::CausalLM m(tiny_config(type), torch::TensorOptions().dtype(dtype));
  model::init_random(m, seed, 0.3);
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  for (auto& p : m->parameters())
    if (p.dim() == 1) p.add_(0.1 * torch::randn_like(p));
  return m;
}

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("privtune_test_" + name);
  privtune::core::remove_tree(dir.string());
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string source_path(const std::string& relative) { return std::string(PRIVTUNE_SOURCE_DIR) + "/" + relative; }

}  // namespace privtune::test
