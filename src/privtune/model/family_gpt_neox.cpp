// GPT-NeoX (Pythia): LayerNorm with bias, fused per-head [q k v] projection, partial
// rotary (rotary_pct of each head), parallel residual, plain GELU MLP, untied embed_out.
#include "privtune/model/families.h"

namespace privtune::model {

namespace {

void parse_gpt_neox(const core::Json& j, const std::string& where, ModelConfig& c) {
  using namespace keys;
  read_sizes(j, where, 0, c);
  c.norm = NormKind::LayerNorm;
  c.norm_bias = true;
  c.norm_eps = double_or(j, "layer_norm_eps", 1e-5, where);
  c.fused_qkv = true;
  c.qkv_bias = c.o_bias = bool_or(j, "attention_bias", true, where);
  c.gated_mlp = false;
  c.mlp_bias = true;
  c.activation = activation(string_or(j, "hidden_act", "gelu", where), where);
  c.parallel_residual = bool_or(j, "use_parallel_residual", true, where);
  c.tie_embeddings = bool_or(j, "tie_word_embeddings", false, where);

  // transformers v5 keeps the rotary fraction in rope_parameters; v4 in rotary_pct.
  double fraction = double_or(j, "rotary_pct", 0.25, where);
  RopeConfig rope = main_rope(j, double_or(j, "rotary_emb_base", 10000.0, where), where);
  auto params = j.find("rope_parameters");
  if (params != j.end() && params->is_object())
    fraction = double_or(*params, "partial_rotary_factor", fraction, where);
  if (!(fraction > 0 && fraction <= 1)) throw Error(where + ": rotary fraction must be in (0, 1]");
  c.rotary_dim = static_cast<int64_t>(static_cast<double>(c.head_dim) * fraction);
  set_uniform_layers(c, rope);
}

}  // namespace

const Family& gpt_neox_family() {
  static const Family family{
      {"gpt_neox"},
      parse_gpt_neox,
      "gpt_neox.layers",
      {{"embed", "gpt_neox.embed_in"}, {"final_norm", "gpt_neox.final_layer_norm"}, {"lm_head", "embed_out"}},
      {{"attn_norm", "input_layernorm"},
       {"attn.qkv", "attention.query_key_value"},
       {"attn.o", "attention.dense"},
       {"mlp_norm", "post_attention_layernorm"},
       {"mlp.up", "mlp.dense_h_to_4h"},
       {"mlp.down", "mlp.dense_4h_to_h"}},
      {"query_key_value"},
  };
  return family;
}

}  // namespace privtune::model
