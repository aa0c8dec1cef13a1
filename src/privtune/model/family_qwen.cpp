// Qwen2 (biases on q/k/v, none on o) and Qwen3 (no biases, RMS qk-norm over head_dim).
// Both may use sliding windows above max_window_layers when use_sliding_window is set.
#include "privtune/model/families.h"

namespace privtune::model {

namespace {

bool qwen_is_sliding(int64_t layer, const core::Json& j) {
  const std::string where = "config.json";
  return keys::bool_or(j, "use_sliding_window", false, where) &&
         layer >= keys::int_or(j, "max_window_layers", 0, where);
}

void parse_qwen(const core::Json& j, const std::string& where, ModelConfig& c) {
  using namespace keys;
  const bool qwen3 = c.model_type == "qwen3";
  read_sizes(j, where, qwen3 ? 128 : 0, c);  // transformers' Qwen3Config defaults head_dim to 128
  c.norm = NormKind::RMSNorm;
  c.norm_eps = double_or(j, "rms_norm_eps", 1e-6, where);
  if (qwen3) {
    c.qk_norm = true;
    c.qkv_bias = c.o_bias = bool_or(j, "attention_bias", false, where);
  } else {
    c.qkv_bias = true;
    c.o_bias = false;
  }
  c.gated_mlp = true;
  c.activation = activation(string_or(j, "hidden_act", "silu", where), where);
  c.tie_embeddings = bool_or(j, "tie_word_embeddings", false, where);
  set_uniform_layers(c, main_rope(j, 10000.0, where));
  std::vector<bool> sliding = sliding_layers(j, c.num_layers, qwen_is_sliding, where);
  const int64_t window = int_or(j, "sliding_window", 4096, where);
  for (size_t i = 0; i < c.layers.size(); ++i)
    if (sliding[i] && bool_or(j, "use_sliding_window", false, where)) c.layers[i].sliding_window = window;
}

}  // namespace

const Family& qwen_family() {
  static const Family family{
      {"qwen2", "qwen3"}, parse_qwen, "model.layers", llama_style_top_modules(),
      llama_style_layer_modules(false), {"q_proj", "v_proj"},
  };
  return family;
}

}  // namespace privtune::model
