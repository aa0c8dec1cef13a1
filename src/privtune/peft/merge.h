// Folding LoRA adapters into the base weights.
#pragma once

#include "privtune/model/causal_lm.h"

namespace privtune::peft {

// W' = W + scale * B A for every adapted layer (computed in float32, or float64 for float64
// weights, and rounded once to W's dtype), then removes the adapters and makes the base
// trainable again: a plain model that model::save_model writes as a merged HF folder.
// Returns the number of layers merged (0 for a model without adapters).
int64_t merge_lora(model::CausalLM& model);

}  // namespace privtune::peft
