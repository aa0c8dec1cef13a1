#include "privtune/model/inspect.h"

#include <filesystem>

#include "privtune/core/safetensors.h"
#include "privtune/model/causal_lm.h"
#include "privtune/model/family.h"

namespace privtune::model {

namespace {

// The module kind a generic parameter name belongs to, for the per-kind counts.
std::string module_kind(const std::string& name) {
  if (name.rfind("embed.", 0) == 0) return "embedding";
  if (name.rfind("lm_head.", 0) == 0) return "lm_head";
  if (name.find("norm") != std::string::npos) return "norm";
  if (name.find(".attn.") != std::string::npos) return "attention";
  if (name.find(".mlp.") != std::string::npos) return "mlp";
  return "other";
}

// The trailing module name of an HF parameter path: "model.layers.0.self_attn.q_proj.weight" -> "q_proj".
std::string hf_module_leaf(const std::string& hf) {
  auto end = hf.rfind('.');
  auto start = hf.rfind('.', end - 1);
  return hf.substr(start + 1, end - start - 1);
}

}  // namespace

core::Json inspect_model(const std::string& folder, int64_t lora_rank) {
  ModelConfig config = read_model_config(folder);
  const Family& family = family_for(config.model_type, folder);
  // Meta tensors: shapes without memory, so any size of model can be inspected.
  CausalLM model(config, torch::TensorOptions().dtype(torch::kFloat).device(torch::kMeta));

  core::Json counts = core::Json::object();
  int64_t total = 0, lora_params = 0;
  for (const auto& item : model->named_parameters()) {
    const int64_t n = item.value().numel();
    counts[module_kind(item.key())] = counts.value(module_kind(item.key()), int64_t{0}) + n;
    total += n;
    const std::string leaf = hf_module_leaf(hf_name(family, item.key()));
    for (const auto& target : family.default_lora_targets)
      if (leaf == target && item.value().dim() == 2)
        lora_params += lora_rank * (item.value().size(0) + item.value().size(1));
  }
  counts["total"] = total;

  core::Json files = core::Json::array();
  core::Json dtypes = core::Json::object();
  int64_t file_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".safetensors" || name == "reference.safetensors") continue;
    core::SafetensorsFile st(entry.path().string());
    files.push_back(name);
    for (const auto& t : st.tensors()) {
      dtypes[core::dtype_name(t.dtype)] = dtypes.value(core::dtype_name(t.dtype), int64_t{0}) + t.numel();
      file_bytes += static_cast<int64_t>(t.nbytes);
    }
  }

  const int64_t compute_bytes = 2;  // bf16 weights on an accelerator
  core::Json memory = {
      {"inference_bf16", total * compute_bytes},
      {"inference_f32", total * 4},
      // f32 weights + f32 gradients + AdamW's two f32 moments
      {"full_finetune_adamw_f32", total * 16},
      // frozen bf16 base + f32 adapters with gradients and AdamW state
      {"lora_adamw", total * compute_bytes + lora_params * 16},
  };
  core::Json features = {
      {"norm", config.norm == NormKind::LayerNorm ? "layernorm" : (config.norm_plus_one ? "rmsnorm(1+w)" : "rmsnorm")},
      {"heads", config.num_heads},
      {"kv_heads", config.num_kv_heads},
      {"head_dim", config.head_dim},
      {"rotary_dim", config.rotary_dim},
      {"tied_embeddings", config.tie_embeddings},
      {"parallel_residual", config.parallel_residual},
      {"qk_norm", config.qk_norm},
      {"attn_softcap", config.attn_softcap},
      {"final_softcap", config.final_softcap},
  };
  int64_t sliding = 0;
  for (const auto& layer : config.layers) sliding += layer.sliding_window > 0;
  features["sliding_window_layers"] = sliding;

  return {{"folder", folder},
          {"model_type", config.model_type},
          {"layers", config.num_layers},
          {"hidden_size", config.hidden_size},
          {"vocab_size", config.vocab_size},
          {"features", features},
          {"parameters", counts},
          {"lora_default_targets", family.default_lora_targets},
          {"lora_parameters_r" + std::to_string(lora_rank), lora_params},
          {"checkpoint", {{"files", files}, {"elements_by_dtype", dtypes}, {"bytes", file_bytes}}},
          {"memory_estimate_bytes", memory}};
}

}  // namespace privtune::model
