// PEFT adapter folders: adapter_config.json + adapter_model.safetensors holding
// `base_model.model.<HF module path>.lora_A.weight` (r, in) and `.lora_B.weight` (out, r).
#pragma once

#include <torch/torch.h>

#include <string>

#include "privtune/model/causal_lm.h"
#include "privtune/peft/lora_config.h"

namespace privtune::peft {

inline constexpr const char* kAdapterConfigFile = "adapter_config.json";
inline constexpr const char* kAdapterWeightsFile = "adapter_model.safetensors";

// Writes the model's adapters and `config` (whose r and scale must be those the adapters
// were made with) into `folder`, creating it when missing; each file atomically.
void save_adapter(model::CausalLM& model, const LoraConfig& config, const std::string& folder,
                  torch::ScalarType dtype = torch::kFloat);

// Reads and validates `folder`/adapter_config.json.
LoraConfig read_adapter_config(const std::string& folder);

// Attaches the adapter in `folder` to a model without adapters: the config's targets are
// resolved on the model, and the weights file must hold exactly one lora_A and one lora_B
// of the right shape per adapted layer (float dtypes, converted to the model's). The base
// is frozen; the adapters are trainable only when `trainable`. Bad input throws a one-line
// Error naming the file and key, and leaves the model without adapters.
LoraConfig load_adapter(model::CausalLM& model, const std::string& folder, bool trainable = false);

}  // namespace privtune::peft
