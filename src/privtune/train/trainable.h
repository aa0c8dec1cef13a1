// Which parameters a method trains (DESIGN.md section 1): all of them (full, scrub, dp),
// LoRA adapters on a frozen base (lora, dp-lora), or the last blocks and/or the LM head
// (head).
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "privtune/model/causal_lm.h"
#include "privtune/peft/lora_config.h"
#include "privtune/train/options.h"

namespace privtune::train {

struct TrainableSet {
  std::vector<std::string> names;     // privtune parameter names, module order
  std::vector<torch::Tensor> tensors;
  int64_t count = 0;                  // trainable scalars
  int64_t total = 0;                  // all scalars of the model (adapters included)
  std::optional<peft::LoraConfig> lora;  // set for LoRA methods
};

// Prepares `model` for `options.method` (attaching adapters for LoRA methods, freezing what
// the method does not train) and lists the trainable parameters. Error for bad LoRA flags
// (rank, unknown target module) or a head larger than the model.
TrainableSet prepare_trainable(model::CausalLM& model, const TrainOptions& options);

// The LoRA settings the flags describe (validated).
peft::LoraConfig lora_config_from(const TrainOptions& options);

// Freezes everything but the last `blocks` blocks and, with `lm_head`, the final norm and
// the LM head (the embedding matrix when tied: it is the same weight).
void freeze_for_head(model::CausalLM& model, int64_t blocks, bool lm_head);

}  // namespace privtune::train
