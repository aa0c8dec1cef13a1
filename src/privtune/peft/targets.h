// The linear layers of a model that LoRA can target, and which of them a LoraTargets names.
#pragma once

#include <string>
#include <vector>

#include "privtune/model/causal_lm.h"
#include "privtune/peft/lora_config.h"

namespace privtune::peft {

struct LinearSite {
  std::string generic;  // "layers.0.attn.q" (privtune's module path)
  std::string hf;       // "model.layers.0.self_attn.q_proj" (the checkpoint's, and PEFT's)
  model::Linear linear;
};

// Every model::Linear of the model in module order, except the LM head (PEFT's all-linear
// leaves the output layer out too, and a tied head is no Linear) and the layers inside
// adapters.
std::vector<LinearSite> linear_sites(model::CausalLM& model);

// The distinct last path components of the sites: "q_proj", "k_proj", ... (PEFT's form
// of all-linear, and the list an error about an unknown target shows).
std::vector<std::string> linear_module_names(const std::vector<LinearSite>& sites);

// The sites `targets` selects (the family's defaults when it is empty). Error naming `where`
// and the offending target, with the model's linear module names, when a name or the
// pattern matches no linear layer, or a name only matches non-linear modules.
std::vector<LinearSite> select_targets(model::CausalLM& model, const LoraTargets& targets, const std::string& where);

}  // namespace privtune::peft
