// Llama 2/3/3.1/3.2: RMSNorm, SwiGLU MLP, grouped-query attention, optional llama3 rope
// scaling and tied embeddings (3.2). Optional biases (attention_bias, mlp_bias).
#include "privtune/model/families.h"

namespace privtune::model {

void set_uniform_layers(ModelConfig& c, const RopeConfig& rope) {
  c.ropes = {rope};
  c.layers.assign(static_cast<size_t>(std::max<int64_t>(c.num_layers, 0)), LayerConfig{0, 0});
}

namespace {

void parse_llama(const core::Json& j, const std::string& where, ModelConfig& c) {
  using namespace keys;
  read_sizes(j, where, 0, c);
  c.norm = NormKind::RMSNorm;
  c.norm_eps = double_or(j, "rms_norm_eps", 1e-6, where);
  c.qkv_bias = c.o_bias = bool_or(j, "attention_bias", false, where);
  c.mlp_bias = bool_or(j, "mlp_bias", false, where);
  c.gated_mlp = true;
  c.activation = activation(string_or(j, "hidden_act", "silu", where), where);
  c.tie_embeddings = bool_or(j, "tie_word_embeddings", false, where);
  set_uniform_layers(c, main_rope(j, 10000.0, where));
}

}  // namespace

const Family& llama_family() {
  static const Family family{
      {"llama"}, parse_llama, "model.layers", llama_style_top_modules(), llama_style_layer_modules(false),
      {"q_proj", "v_proj"},
  };
  return family;
}

}  // namespace privtune::model
