// The family registry and the generic <-> Hugging Face name mapping.
#include "privtune/model/family.h"

#include "privtune/model/families.h"

namespace privtune::model {

namespace {

const std::vector<const Family*>& all_families() {
  static const std::vector<const Family*> families = {
      &gpt_neox_family(), &llama_family(), &qwen_family(), &gemma_family(), &gemma2_family()};
  return families;
}

bool is_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Maps a module path (no .weight/.bias) through `table`; "" when absent.
std::string lookup(const std::vector<std::pair<std::string, std::string>>& table, const std::string& key,
                   bool reverse) {
  for (const auto& [generic, hf] : table) {
    if (!reverse && generic == key) return hf;
    if (reverse && hf == key) return generic;
  }
  return "";
}

// Splits "a.b.weight" into ("a.b", ".weight") when the last segment is a parameter leaf.
std::pair<std::string, std::string> split_leaf(const std::string& path) {
  for (const char* leaf : {".weight", ".bias"}) {
    const std::string l(leaf);
    if (path.size() > l.size() && path.compare(path.size() - l.size(), l.size(), l) == 0)
      return {path.substr(0, path.size() - l.size()), l};
  }
  return {path, ""};
}

}  // namespace

const Family& family_for(const std::string& model_type, const std::string& where) {
  for (const Family* family : all_families())
    for (const auto& type : family->model_types)
      if (type == model_type) return *family;
  std::string known;
  for (const auto& t : supported_model_types()) known += (known.empty() ? "" : ", ") + t;
  throw Error(where + ": unsupported model_type '" + model_type + "' (supported: " + known + ")");
}

std::vector<std::string> supported_model_types() {
  std::vector<std::string> types;
  for (const Family* family : all_families())
    types.insert(types.end(), family->model_types.begin(), family->model_types.end());
  return types;
}

std::string hf_name(const Family& family, const std::string& generic) {
  auto [module, leaf] = split_leaf(generic);
  const std::string layers = "layers.";
  if (module.compare(0, layers.size(), layers) == 0) {
    size_t dot = module.find('.', layers.size());
    std::string index = module.substr(layers.size(), dot == std::string::npos ? std::string::npos : dot - layers.size());
    std::string prefix = family.layers_prefix + "." + index;
    if (dot == std::string::npos) return prefix + leaf;
    std::string mapped = lookup(family.layer_modules, module.substr(dot + 1), false);
    if (mapped.empty()) throw std::logic_error("no Hugging Face name for module '" + generic + "'");
    return prefix + "." + mapped + leaf;
  }
  std::string mapped = lookup(family.top_modules, module, false);
  if (mapped.empty()) throw std::logic_error("no Hugging Face name for module '" + generic + "'");
  return mapped + leaf;
}

std::optional<std::string> generic_name(const Family& family, const std::string& hf) {
  auto [module, leaf] = split_leaf(hf);
  const std::string prefix = family.layers_prefix + ".";
  if (module.compare(0, prefix.size(), prefix) == 0) {
    size_t dot = module.find('.', prefix.size());
    std::string index = module.substr(prefix.size(), dot == std::string::npos ? std::string::npos : dot - prefix.size());
    if (!is_digits(index)) return std::nullopt;
    if (dot == std::string::npos) return "layers." + index + leaf;
    std::string mapped = lookup(family.layer_modules, module.substr(dot + 1), true);
    if (mapped.empty()) return std::nullopt;
    return "layers." + index + "." + mapped + leaf;
  }
  std::string mapped = lookup(family.top_modules, module, true);
  if (mapped.empty()) return std::nullopt;
  return mapped + leaf;
}

std::vector<std::pair<std::string, std::string>> llama_style_top_modules() {
  return {{"embed", "model.embed_tokens"}, {"final_norm", "model.norm"}, {"lm_head", "lm_head"}};
}

std::vector<std::pair<std::string, std::string>> llama_style_layer_modules(bool sandwich_norms) {
  std::vector<std::pair<std::string, std::string>> m = {
      {"attn_norm", "input_layernorm"},  {"attn.q", "self_attn.q_proj"},
      {"attn.k", "self_attn.k_proj"},    {"attn.v", "self_attn.v_proj"},
      {"attn.o", "self_attn.o_proj"},    {"attn.q_norm", "self_attn.q_norm"},
      {"attn.k_norm", "self_attn.k_norm"}, {"mlp.gate", "mlp.gate_proj"},
      {"mlp.up", "mlp.up_proj"},         {"mlp.down", "mlp.down_proj"},
  };
  if (sandwich_norms) {
    // Gemma2/3 reuse the name post_attention_layernorm for the norm *after* attention.
    m.push_back({"post_attn_norm", "post_attention_layernorm"});
    m.push_back({"mlp_norm", "pre_feedforward_layernorm"});
    m.push_back({"post_mlp_norm", "post_feedforward_layernorm"});
  } else {
    m.push_back({"mlp_norm", "post_attention_layernorm"});
  }
  return m;
}

}  // namespace privtune::model
