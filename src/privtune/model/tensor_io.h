// Conversions between torch tensors and safetensors byte views.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "privtune/core/safetensors.h"

namespace privtune::model {

// A CPU tensor holding a copy of the view's bytes in the file's dtype (the copy also makes
// the data aligned, which offsets in a safetensors file need not be).
torch::Tensor tensor_from_view(const core::TensorView& view);

core::DType safetensors_dtype(torch::ScalarType dtype);

// Writes named tensors (converted to `dtype` on the CPU) atomically to `path`.
void write_tensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                   torch::ScalarType dtype, const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace privtune::model
