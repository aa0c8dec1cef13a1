#include "privtune/model/device.h"

#include "privtune/core/error.h"

namespace privtune::model {

torch::Device parse_device(const std::string& spec) {
  if (spec == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (spec == "cpu") return torch::Device(torch::kCPU);
  if (spec.rfind("cuda", 0) == 0) {
    int index = 0;
    if (spec.size() > 4) {
      if (spec[4] != ':' || spec.size() == 5 || spec.find_first_not_of("0123456789", 5) != std::string::npos)
        throw Error("--device: expected auto, cpu, cuda or cuda:N, got '" + spec + "'");
      index = std::stoi(spec.substr(5));
    }
    if (!torch::cuda::is_available()) throw Error("--device " + spec + ": CUDA is not available in this build or machine");
    if (index >= static_cast<int>(torch::cuda::device_count()))
      throw Error("--device " + spec + ": only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error("--device: expected auto, cpu, cuda or cuda:N, got '" + spec + "'");
}

torch::ScalarType parse_dtype(const std::string& spec, const torch::Device& device) {
  if (spec == "auto") return device.is_cuda() ? torch::kBFloat16 : torch::kFloat;
  if (spec == "float32" || spec == "f32") return torch::kFloat;
  if (spec == "float64" || spec == "f64") return torch::kDouble;
  if (spec == "bfloat16" || spec == "bf16") return torch::kBFloat16;
  if (spec == "float16" || spec == "f16") return torch::kHalf;
  throw Error("--dtype: expected auto, float32, float64, bfloat16 or float16, got '" + spec + "'");
}

std::string dtype_name(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat: return "float32";
    case torch::kDouble: return "float64";
    case torch::kBFloat16: return "bfloat16";
    case torch::kHalf: return "float16";
    default: return c10::toString(dtype);
  }
}

}  // namespace privtune::model
