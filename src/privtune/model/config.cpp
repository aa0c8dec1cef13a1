#include "privtune/model/config.h"

#include <cmath>

#include "privtune/core/file_io.h"
#include "privtune/model/family.h"

namespace privtune::model {

namespace {

std::vector<int64_t> token_ids(const core::Json& j, const std::string& key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (it->is_number_integer()) return {it->get<int64_t>()};
  if (it->is_array()) {
    std::vector<int64_t> ids;
    for (const auto& v : *it) {
      if (!v.is_number_integer()) throw Error(where + ": key '" + key + "' must hold integers");
      ids.push_back(v.get<int64_t>());
    }
    return ids;
  }
  throw Error(where + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
}

}  // namespace

ModelConfig parse_model_config(const core::Json& json, const std::string& where) {
  if (!json.is_object()) throw Error(where + ": config is not a JSON object");
  ModelConfig config;
  config.model_type = core::json_require<std::string>(json, "model_type", where);
  config.raw = json;
  const Family& family = family_for(config.model_type, where);
  family.parse(json, where, config);

  auto bos = token_ids(json, "bos_token_id", where);
  if (!bos.empty()) config.bos_token_id = bos.front();
  auto pad = token_ids(json, "pad_token_id", where);
  if (!pad.empty()) config.pad_token_id = pad.front();
  config.eos_token_ids = token_ids(json, "eos_token_id", where);
  std::string dtype = keys::string_or(json, "torch_dtype", "", where);
  if (dtype.empty()) dtype = keys::string_or(json, "dtype", "float32", where);
  config.torch_dtype = dtype;
  config.max_position_embeddings = keys::int_or(json, "max_position_embeddings", 2048, where);
  if (config.attn_scale == 0.0) config.attn_scale = 1.0 / std::sqrt(static_cast<double>(config.head_dim));
  validate_model_config(config, where);
  return config;
}

ModelConfig read_model_config(const std::string& path) {
  std::string file = core::is_directory(path) ? core::join_path(path, "config.json") : path;
  if (!core::path_exists(file)) throw Error(file + ": not found (expected a Hugging Face model folder)");
  return parse_model_config(core::read_json_file(file), file);
}

core::Json model_config_to_json(const ModelConfig& config, const std::string& dtype) {
  core::Json j = config.raw;
  if (j.contains("dtype")) j["dtype"] = dtype;
  else j["torch_dtype"] = dtype;
  return j;
}

void validate_model_config(const ModelConfig& c, const std::string& where) {
  auto positive = [&](int64_t v, const char* key) {
    if (v <= 0) throw Error(where + ": '" + key + "' must be positive, got " + std::to_string(v));
  };
  positive(c.vocab_size, "vocab_size");
  positive(c.hidden_size, "hidden_size");
  positive(c.intermediate_size, "intermediate_size");
  positive(c.num_layers, "num_hidden_layers");
  positive(c.num_heads, "num_attention_heads");
  positive(c.num_kv_heads, "num_key_value_heads");
  positive(c.head_dim, "head_dim");
  if (c.num_heads % c.num_kv_heads != 0)
    throw Error(where + ": num_attention_heads (" + std::to_string(c.num_heads) +
                ") is not a multiple of num_key_value_heads (" + std::to_string(c.num_kv_heads) + ")");
  if (c.fused_qkv && c.num_kv_heads != c.num_heads)
    throw Error(where + ": a fused query_key_value projection needs as many key/value heads as heads");
  if (c.rotary_dim < 0 || c.rotary_dim > c.head_dim || c.rotary_dim % 2 != 0)
    throw Error(where + ": rotary dimension " + std::to_string(c.rotary_dim) +
                " must be even and at most head_dim " + std::to_string(c.head_dim));
  if (static_cast<int64_t>(c.layers.size()) != c.num_layers)
    throw Error(where + ": layer_types has " + std::to_string(c.layers.size()) + " entries for " +
                std::to_string(c.num_layers) + " layers");
  for (const auto& layer : c.layers)
    if (layer.rope < 0 || layer.rope >= static_cast<int>(c.ropes.size()))
      throw std::logic_error("layer refers to a missing rope");
  for (const auto& rope : c.ropes) {
    if (!(rope.theta > 0)) throw Error(where + ": rope theta must be positive");
    if (rope.scaling != RopeScaling::None && !(rope.factor > 0))
      throw Error(where + ": rope scaling factor must be positive");
  }
  if (!(c.norm_eps > 0)) throw Error(where + ": normalisation epsilon must be positive");
}

}  // namespace privtune::model
