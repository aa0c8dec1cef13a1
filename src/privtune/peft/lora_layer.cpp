#include "privtune/peft/lora_layer.h"

#include <cmath>

namespace privtune::peft {

LoraAdapterImpl::LoraAdapterImpl(int64_t in, int64_t out, int64_t r, double lora_scale, double lora_dropout,
                                 uint64_t seed, const torch::TensorOptions& options)
    : scale(lora_scale), dropout(lora_dropout) {
  lora_A = register_module("lora_A", model::Linear(in, r, /*bias=*/false, options));
  lora_B = register_module("lora_B", model::Linear(r, out, /*bias=*/false, options));
  torch::NoGradGuard no_grad;
  // Drawn on the CPU in float32 so that one seed gives one adapter on every device/dtype.
  auto generator = at::detail::createCPUGenerator(seed);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  torch::Tensor a = at::empty({r, in}, torch::TensorOptions().dtype(torch::kFloat));
  a.uniform_(-bound, bound, generator);
  lora_A->weight.copy_(a);
  lora_B->weight.zero_();
}

torch::Tensor LoraAdapterImpl::delta(const torch::Tensor& x) {
  torch::Tensor input = x;
  if (dropout > 0 && is_training()) input = torch::dropout(x, dropout, /*train=*/true);
  return lora_B->forward(lora_A->forward(input)) * scale;  // (..., in) -> (..., r) -> (..., out)
}

torch::Tensor LoraAdapterImpl::weight_delta() const {
  const auto wide = lora_A->weight.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  return torch::matmul(lora_B->weight.to(wide), lora_A->weight.to(wide)) * scale;  // (out, r) x (r, in)
}

}  // namespace privtune::peft
