// Gemma 1/2/3. Shared: RMSNorm as x * (1 + w), embeddings scaled by sqrt(hidden_size),
// GELU-tanh gated MLP, tied embeddings. Gemma2 adds sandwich norms, attention and final
// logit soft-capping, query_pre_attn_scalar and alternating sliding-window layers; Gemma3
// drops the soft-caps by default, adds qk-norm and a separate rope base for local layers.
#include <cmath>

#include "privtune/model/families.h"

namespace privtune::model {

namespace {

bool gemma2_is_sliding(int64_t layer, const core::Json&) { return layer % 2 == 0; }

bool gemma3_is_sliding(int64_t layer, const core::Json& j) {
  int64_t pattern = keys::int_or(j, "sliding_window_pattern", 6, "config.json");
  return pattern <= 0 || (layer + 1) % pattern != 0;
}

void parse_gemma(const core::Json& j, const std::string& where, ModelConfig& c) {
  using namespace keys;
  const bool v2 = c.model_type == "gemma2";
  const bool v3 = c.model_type == "gemma3_text";
  read_sizes(j, where, 256, c);  // transformers' Gemma configs default head_dim to 256
  c.norm = NormKind::RMSNorm;
  c.norm_plus_one = true;
  c.norm_eps = double_or(j, "rms_norm_eps", 1e-6, where);
  c.qkv_bias = c.o_bias = bool_or(j, "attention_bias", false, where);
  c.gated_mlp = true;
  std::string act = string_or(j, "hidden_activation", "", where);
  if (act.empty()) act = string_or(j, "hidden_act", "gelu_pytorch_tanh", where);
  // transformers' Gemma uses the tanh GELU even where old configs say "gelu".
  c.activation = act == "gelu" ? Activation::GeluTanh : activation(act, where);
  c.tie_embeddings = bool_or(j, "tie_word_embeddings", true, where);
  c.embed_scale = std::sqrt(static_cast<double>(c.hidden_size));

  if (!v2 && !v3) {
    set_uniform_layers(c, main_rope(j, 10000.0, where));
    return;
  }
  c.sandwich_norms = true;
  c.qk_norm = v3;
  c.attn_scale = 1.0 / std::sqrt(double_or(j, "query_pre_attn_scalar", 256.0, where));
  c.attn_softcap = double_or(j, "attn_logit_softcapping", v2 ? 50.0 : 0.0, where);
  c.final_softcap = double_or(j, "final_logit_softcapping", v2 ? 30.0 : 0.0, where);
  const int64_t window = int_or(j, "sliding_window", 4096, where);
  std::vector<bool> sliding = sliding_layers(j, c.num_layers, v2 ? gemma2_is_sliding : gemma3_is_sliding, where);

  // Gemma3's local layers have their own rope (rope_local_base_freq, unscaled); in
  // transformers v5 `rope_parameters` holds one entry per layer type.
  RopeConfig global, local;
  auto params = j.find("rope_parameters");
  if (v3 && params != j.end() && params->is_object() && params->contains("full_attention")) {
    global = rope_from((*params)["full_attention"], 1000000.0, where + ": rope_parameters.full_attention");
    local = params->contains("sliding_attention")
                ? rope_from((*params)["sliding_attention"], 10000.0, where + ": rope_parameters.sliding_attention")
                : RopeConfig{};
  } else {
    global = main_rope(j, v3 ? 1000000.0 : 10000.0, where);
    local = v3 ? RopeConfig{double_or(j, "rope_local_base_freq", 10000.0, where)} : global;
  }
  c.ropes = {global, local};
  c.layers.clear();
  for (int64_t i = 0; i < c.num_layers; ++i) {
    bool s = sliding[static_cast<size_t>(i)];
    c.layers.push_back(LayerConfig{s ? window : 0, s ? 1 : 0});
  }
}

}  // namespace

const Family& gemma_family() {
  static const Family family{
      {"gemma"}, parse_gemma, "model.layers", llama_style_top_modules(), llama_style_layer_modules(false),
      {"q_proj", "v_proj"},
  };
  return family;
}

const Family& gemma2_family() {
  static const Family family{
      {"gemma2", "gemma3_text"}, parse_gemma, "model.layers", llama_style_top_modules(),
      llama_style_layer_modules(true), {"q_proj", "v_proj"},
  };
  return family;
}

}  // namespace privtune::model
