// What `privtune inspect` reports about a model folder, without loading its weights.
#pragma once

#include <string>

#include "privtune/core/json_util.h"

namespace privtune::model {

// {"model_type", "family features", "parameters": {by module kind, total}, "checkpoint":
// {files, dtypes, bytes}, "memory_estimate_bytes": {inference, full_finetune, lora}}.
// Memory estimates cover weights, gradients and AdamW state, not activations.
core::Json inspect_model(const std::string& folder, int64_t lora_rank = 8);

}  // namespace privtune::model
