// Typed access to config.json keys with the errors users should see, shared by the families.
#include "privtune/model/family.h"

namespace privtune::model::keys {

int64_t require_int(const core::Json& j, const std::string& key, const std::string& where) {
  return core::json_require<int64_t>(j, key, where);
}

int64_t int_or(const core::Json& j, const std::string& key, int64_t fallback, const std::string& where) {
  return core::json_value<int64_t>(j, key, fallback, where);
}

double double_or(const core::Json& j, const std::string& key, double fallback, const std::string& where) {
  return core::json_value<double>(j, key, fallback, where);
}

bool bool_or(const core::Json& j, const std::string& key, bool fallback, const std::string& where) {
  return core::json_value<bool>(j, key, fallback, where);
}

std::string string_or(const core::Json& j, const std::string& key, const std::string& fallback,
                      const std::string& where) {
  return core::json_value<std::string>(j, key, fallback, where);
}

Activation activation(const std::string& name, const std::string& where) {
  // transformers' ACT2FN names. "gelu" is the exact erf form; the tanh approximations
  // (gelu_new, gelu_fast, gelu_pytorch_tanh) agree to float32 rounding.
  if (name == "gelu") return Activation::GeluErf;
  if (name == "gelu_new" || name == "gelu_fast" || name == "gelu_pytorch_tanh") return Activation::GeluTanh;
  if (name == "silu" || name == "swish") return Activation::Silu;
  if (name == "relu") return Activation::Relu;
  throw Error(where + ": unsupported activation '" + name + "'");
}

void read_sizes(const core::Json& j, const std::string& where, int64_t default_head_dim, ModelConfig& c) {
  c.vocab_size = require_int(j, "vocab_size", where);
  c.hidden_size = require_int(j, "hidden_size", where);
  c.intermediate_size = require_int(j, "intermediate_size", where);
  c.num_layers = require_int(j, "num_hidden_layers", where);
  c.num_heads = require_int(j, "num_attention_heads", where);
  if (c.num_heads <= 0) throw Error(where + ": 'num_attention_heads' must be positive");
  c.num_kv_heads = int_or(j, "num_key_value_heads", c.num_heads, where);
  if (default_head_dim <= 0) default_head_dim = c.hidden_size / c.num_heads;
  c.head_dim = int_or(j, "head_dim", default_head_dim, where);
  c.rotary_dim = c.head_dim;
}

RopeConfig rope_from(const core::Json& p, double default_theta, const std::string& where) {
  RopeConfig rope;
  rope.theta = double_or(p, "rope_theta", default_theta, where);
  std::string type = string_or(p, "rope_type", "", where);
  if (type.empty()) type = string_or(p, "type", "default", where);
  if (type == "default") {
    rope.scaling = RopeScaling::None;
  } else if (type == "linear") {
    rope.scaling = RopeScaling::Linear;
    rope.factor = double_or(p, "factor", 1.0, where);
  } else if (type == "llama3") {
    rope.scaling = RopeScaling::Llama3;
    rope.factor = core::json_require<double>(p, "factor", where + ": rope_scaling");
    rope.low_freq_factor = core::json_require<double>(p, "low_freq_factor", where + ": rope_scaling");
    rope.high_freq_factor = core::json_require<double>(p, "high_freq_factor", where + ": rope_scaling");
    rope.original_max_positions =
        core::json_require<int64_t>(p, "original_max_position_embeddings", where + ": rope_scaling");
    if (!(rope.high_freq_factor > rope.low_freq_factor))
      throw Error(where + ": rope_scaling: high_freq_factor must exceed low_freq_factor");
  } else {
    throw Error(where + ": unsupported rope type '" + type + "'");
  }
  return rope;
}

RopeConfig main_rope(const core::Json& j, double default_theta, const std::string& where) {
  auto params = j.find("rope_parameters");
  if (params != j.end() && params->is_object()) return rope_from(*params, default_theta, where);
  double theta = double_or(j, "rope_theta", default_theta, where);
  auto scaling = j.find("rope_scaling");
  if (scaling != j.end() && scaling->is_object()) {
    core::Json p = *scaling;
    p["rope_theta"] = theta;
    return rope_from(p, theta, where);
  }
  RopeConfig rope;
  rope.theta = theta;
  return rope;
}

std::vector<bool> sliding_layers(const core::Json& j, int64_t num_layers,
                                 bool (*is_sliding)(int64_t, const core::Json&), const std::string& where) {
  std::vector<bool> sliding;
  auto types = j.find("layer_types");
  if (types != j.end() && types->is_array()) {
    for (const auto& t : *types) {
      std::string name = t.is_string() ? t.get<std::string>() : "";
      if (name == "sliding_attention") sliding.push_back(true);
      else if (name == "full_attention") sliding.push_back(false);
      else throw Error(where + ": layer_types: unsupported entry " + t.dump());
    }
    if (static_cast<int64_t>(sliding.size()) != num_layers)
      throw Error(where + ": layer_types has " + std::to_string(sliding.size()) + " entries for " +
                  std::to_string(num_layers) + " layers");
    return sliding;
  }
  for (int64_t i = 0; i < num_layers; ++i) sliding.push_back(is_sliding != nullptr && is_sliding(i, j));
  return sliding;
}

}  // namespace privtune::model::keys
