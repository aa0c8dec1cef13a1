// Hugging Face model folders: config.json + model.safetensors (or shards listed in
// model.safetensors.index.json) + tokenizer files. Loading maps HF tensor names onto the
// generic model through the family; saving writes the same layout back.
#pragma once

#include <torch/torch.h>

#include <string>

#include "privtune/model/causal_lm.h"

namespace privtune::model {

struct LoadOptions {
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat;  // compute dtype; weights are converted to it
};

// Loads a model folder. Bad input (missing or malformed files, a missing tensor, a wrong
// shape, an unsupported model_type) throws Error naming the file and tensor or key.
CausalLM load_model(const std::string& folder, const LoadOptions& options = {});

struct SaveOptions {
  torch::ScalarType dtype = torch::kFloat;  // stored dtype
  int64_t max_shard_bytes = 0;              // > 0: split into model-0000i-of-0000n.safetensors
  std::string copy_files_from;              // a model folder whose tokenizer/generation files are copied
};

// Writes config.json and the weights (HF names) into `folder`, creating it when missing.
// Every file is written atomically.
void save_model(CausalLM& model, const std::string& folder, const SaveOptions& options = {});

// The (HF name, tensor) pairs a checkpoint of this model holds, in module order. Adapter
// parameters (peft/) are not part of it.
std::vector<std::pair<std::string, torch::Tensor>> hf_state(CausalLM& model);

}  // namespace privtune::model
