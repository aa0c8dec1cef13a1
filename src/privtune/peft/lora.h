// LoRA on a CausalLM: attaching adapters, freezing the base, naming adapter parameters
// the way PEFT does. Adapter io is in adapter_io.h, merging in merge.h.
//
// An adapted layer computes y = x W^T + b + scale * B(A(dropout(x))). Its parameters live
// in the model's named_parameters as `<layer>.adapter.lora_A.weight` (r, in) and
// `<layer>.adapter.lora_B.weight` (out, r); peft_key() maps them onto PEFT's
// `base_model.model.<HF module path>.lora_A.weight`.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "privtune/model/causal_lm.h"
#include "privtune/model/family.h"
#include "privtune/peft/lora_config.h"

namespace privtune::peft {

// Attaches a fresh adapter (A drawn from `seed`, B zero, so the output is unchanged) to each
// linear layer `config.targets` selects and freezes every base parameter (requires_grad
// false; the adapters stay trainable). Returns the adapted HF module paths in module order.
// Error (naming `where`) for an invalid config, a target the model lacks, or a model
// already carrying adapters.
std::vector<std::string> add_lora(model::CausalLM& model, const LoraConfig& config, uint64_t seed = 0,
                                  const std::string& where = "LoRA");

bool has_lora(model::CausalLM& model);

// Removes every adapter without merging and makes the base trainable again (as load_model
// returns it).
void remove_lora(model::CausalLM& model);

// The adapter parameters by privtune name, in module order.
std::vector<std::pair<std::string, torch::Tensor>> lora_parameters(model::CausalLM& model);
// The parameters an optimizer should update: every parameter with requires_grad.
std::vector<torch::Tensor> trainable_parameters(model::CausalLM& model);
int64_t count_parameters(const std::vector<torch::Tensor>& parameters);

// "layers.0.attn.q.adapter.lora_A.weight" -> "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight".
// std::logic_error for a name that is not an adapter parameter.
std::string peft_key(const model::Family& family, const std::string& parameter);
// (PEFT key, tensor) for every adapter parameter, in module order.
std::vector<std::pair<std::string, torch::Tensor>> peft_state(model::CausalLM& model);

}  // namespace privtune::peft
