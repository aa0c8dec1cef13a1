// One LoRA adapter on one model::Linear: delta(x) = scale * B(A(dropout(x))).
#pragma once

#include <torch/torch.h>

#include "privtune/model/layers.h"

namespace privtune::peft {

class LoraAdapterImpl : public model::LinearAdapter {
 public:
  // A (r, in) is drawn like PEFT's default init, kaiming_uniform_(a = sqrt(5)), i.e.
  // uniform(-1/sqrt(in), 1/sqrt(in)), from a generator seeded with `seed`; B (out, r) is
  // zero so that a fresh adapter leaves the model's output unchanged. Parameters take the
  // dtype and device of `options`.
  LoraAdapterImpl(int64_t in_features, int64_t out_features, int64_t r, double scale, double dropout,
                  uint64_t seed, const torch::TensorOptions& options);

  torch::Tensor delta(const torch::Tensor& x) override;  // (..., in) -> (..., out)

  // scale * B A: the (out, in) update merging adds to the base weight, in float32 (float64
  // for float64 weights) whatever the adapter's dtype.
  torch::Tensor weight_delta() const;

  // model::Linear rather than raw tensors: parameters are named `lora_A.weight` and
  // `lora_B.weight` like PEFT's, and per-example gradient rules for Linear (dp/) apply.
  model::Linear lora_A{nullptr};  // weight (r, in)
  model::Linear lora_B{nullptr};  // weight (out, r)
  double scale;
  double dropout;
};

}  // namespace privtune::peft
