#include "privtune/model/tensor_io.h"

#include <cstring>

#include "privtune/core/error.h"

namespace privtune::model {

namespace {

torch::ScalarType torch_dtype(core::DType dtype) {
  switch (dtype) {
    case core::DType::F64: return torch::kDouble;
    case core::DType::F32: return torch::kFloat;
    case core::DType::F16: return torch::kHalf;
    case core::DType::BF16: return torch::kBFloat16;
    case core::DType::I64: return torch::kLong;
    case core::DType::I32: return torch::kInt;
    case core::DType::I16: return torch::kShort;
    case core::DType::I8: return torch::kChar;
    case core::DType::U8: return torch::kByte;
    case core::DType::BOOL: return torch::kBool;
  }
  throw std::logic_error("unknown safetensors dtype");
}

}  // namespace

torch::Tensor tensor_from_view(const core::TensorView& view) {
  torch::Tensor t = torch::empty(view.shape, torch::TensorOptions().dtype(torch_dtype(view.dtype)));
  if (view.nbytes > 0) std::memcpy(t.data_ptr(), view.data, view.nbytes);
  return t;
}

core::DType safetensors_dtype(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kDouble: return core::DType::F64;
    case torch::kFloat: return core::DType::F32;
    case torch::kHalf: return core::DType::F16;
    case torch::kBFloat16: return core::DType::BF16;
    case torch::kLong: return core::DType::I64;
    case torch::kInt: return core::DType::I32;
    case torch::kShort: return core::DType::I16;
    case torch::kChar: return core::DType::I8;
    case torch::kByte: return core::DType::U8;
    case torch::kBool: return core::DType::BOOL;
    default: throw Error(std::string("cannot store dtype ") + c10::toString(dtype) + " in safetensors");
  }
}

void write_tensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                   torch::ScalarType dtype, const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;  // owns the converted copies while their bytes are borrowed
  std::vector<core::TensorBytes> views;
  for (const auto& [name, tensor] : tensors) {
    torch::Tensor cpu = tensor.detach().to(torch::kCPU, tensor.is_floating_point() ? dtype : tensor.scalar_type()).contiguous();
    keep.push_back(cpu);
    std::vector<int64_t> shape(cpu.sizes().begin(), cpu.sizes().end());
    views.push_back({name, safetensors_dtype(cpu.scalar_type()), shape,
                     {static_cast<const char*>(cpu.data_ptr()), static_cast<size_t>(cpu.numel() * cpu.element_size())}});
  }
  core::write_safetensors(path, views, metadata);
}

}  // namespace privtune::model
