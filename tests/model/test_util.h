// Helpers shared by the model tests: tiny random configs per family, temp folders.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "privtune/model/causal_lm.h"

namespace privtune::test {

// A tiny config.json of `model_type` exercising its family's features (GQA, partial rotary,
// soft-caps, sliding windows, qk-norm, biases, tied embeddings).
core::Json tiny_config_json(const std::string& model_type);
model::ModelConfig tiny_config(const std::string& model_type);
std::vector<std::string> tiny_families();
// A random model of that config; norms and biases randomised too so that they matter.
model::CausalLM tiny_model(const std::string& model_type, torch::ScalarType dtype = torch::kFloat, uint64_t seed = 1);

std::string temp_dir(const std::string& name);  // fresh, empty
std::string source_path(const std::string& relative);  // under the project's source folder

}  // namespace privtune::test
