// --device and --dtype flags.
#pragma once

#include <torch/torch.h>

#include <string>

namespace privtune::model {

// "auto" (CUDA when available, else CPU), "cpu", "cuda", "cuda:N". Error for anything else
// or for a CUDA device this build or machine does not have.
torch::Device parse_device(const std::string& spec);
// "auto" (float32 on CPU, bfloat16 on CUDA), "float32", "float64", "bfloat16", "float16".
torch::ScalarType parse_dtype(const std::string& spec, const torch::Device& device);
// "float32", "bfloat16", ... as Hugging Face writes torch_dtype.
std::string dtype_name(torch::ScalarType dtype);

}  // namespace privtune::model
