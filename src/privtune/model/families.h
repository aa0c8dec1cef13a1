// The supported families (one file each) and the name tables they share.
#pragma once

#include "privtune/model/family.h"

namespace privtune::model {

const Family& gpt_neox_family();  // family_gpt_neox.cpp
const Family& llama_family();     // family_llama.cpp
const Family& qwen_family();      // family_qwen.cpp: qwen2, qwen3
const Family& gemma_family();     // family_gemma.cpp: gemma
const Family& gemma2_family();    // family_gemma.cpp: gemma2, gemma3_text (sandwich norms)

// Llama-style HF names (Llama, Qwen, Gemma). With sandwich norms (Gemma2/3) the MLP's
// pre-norm is pre_feedforward_layernorm and post_attention_layernorm follows attention.
std::vector<std::pair<std::string, std::string>> llama_style_top_modules();
std::vector<std::pair<std::string, std::string>> llama_style_layer_modules(bool sandwich_norms);

// Rope and layers for the families without sliding windows (Llama, Qwen).
void set_uniform_layers(ModelConfig& config, const RopeConfig& rope);

}  // namespace privtune::model
