// A model family: how one Hugging Face model_type maps onto the shared block.
//
// A family parses its config.json keys into ModelConfig and names its tensors; it never
// implements attention or MLPs itself. Module paths are generic inside privtune
// (`layers.3.attn.q`) and HF-named on disk (`model.layers.3.self_attn.q_proj`).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "privtune/model/config.h"

namespace privtune::model {

struct Family {
  std::vector<std::string> model_types;  // config.json values this family reads
  // Fills `config` from the HF keys; `config.model_type` and `config.raw` are already set.
  void (*parse)(const core::Json& json, const std::string& where, ModelConfig& config);
  std::string layers_prefix;                                      // "model.layers"
  std::vector<std::pair<std::string, std::string>> top_modules;   // generic -> HF
  std::vector<std::pair<std::string, std::string>> layer_modules; // generic -> HF, per layer
  std::vector<std::string> default_lora_targets;                  // PEFT's defaults (HF names)
};

// The family of a model_type; Error naming `where` when it is not supported.
const Family& family_for(const std::string& model_type, const std::string& where);
std::vector<std::string> supported_model_types();

// "layers.3.attn.q.weight" -> "model.layers.3.self_attn.q_proj.weight" (params or modules).
// Throws std::logic_error for a generic path the family does not map.
std::string hf_name(const Family& family, const std::string& generic);
// The inverse; std::nullopt for a name the family does not know.
std::optional<std::string> generic_name(const Family& family, const std::string& hf);

// Shared by the family parsers (config_keys.cpp).
namespace keys {
int64_t require_int(const core::Json& j, const std::string& key, const std::string& where);
int64_t int_or(const core::Json& j, const std::string& key, int64_t fallback, const std::string& where);
double double_or(const core::Json& j, const std::string& key, double fallback, const std::string& where);
bool bool_or(const core::Json& j, const std::string& key, bool fallback, const std::string& where);
std::string string_or(const core::Json& j, const std::string& key, const std::string& fallback,
                      const std::string& where);
Activation activation(const std::string& name, const std::string& where);
// Reads the sizes every family shares (vocab, hidden, layers, heads, kv heads, head_dim).
void read_sizes(const core::Json& j, const std::string& where, int64_t default_head_dim,
                ModelConfig& config);
// One rope from the transformers v4 form (`rope_theta`, `rope_scaling`) or a v5
// `rope_parameters` object.
RopeConfig rope_from(const core::Json& params, double default_theta, const std::string& where);
// The rope of a config: `rope_parameters` (v5) when present, else `rope_theta` + `rope_scaling`.
RopeConfig main_rope(const core::Json& j, double default_theta, const std::string& where);
// Sliding/full per layer from `layer_types` when present, else from `is_sliding(i)`.
std::vector<bool> sliding_layers(const core::Json& j, int64_t num_layers, bool (*is_sliding)(int64_t, const core::Json&),
                                 const std::string& where);
}  // namespace keys

}  // namespace privtune::model
