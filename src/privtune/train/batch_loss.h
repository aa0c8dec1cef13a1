// From a collated batch to the training objective: tensors on the device, which targets the
// loss trains on (--loss-on), and the per-example loss DESIGN.md section 6 defines,
// L_i = mean token loss over example i's trained targets.
#pragma once

#include <torch/torch.h>

#include "privtune/data/batching.h"
#include "privtune/train/options.h"

namespace privtune::train {

struct DeviceBatch {
  torch::Tensor ids;           // (B, T) int64
  torch::Tensor attention;     // (B, T) int64, 1 = token
  torch::Tensor loss_weights;  // (B, T-1): 1 where target j+1 is trained, else 0
  int64_t rows = 0;
  int64_t tokens = 0;          // real tokens (for tokens/s)
  int64_t trained_targets = 0;
};

// Targets are every real token after the first, sensitive ones excluded under
// --loss-on nonsensitive. Special targets (EOS) are trained: the model must learn to stop.
DeviceBatch to_device(const data::Batch& batch, LossOn loss_on, const torch::Device& device,
                      torch::ScalarType weight_dtype);

// (B) per-example losses from (B, T-1) token losses; an example without trained targets
// has loss 0 (and so no gradient).
torch::Tensor per_example_losses(const torch::Tensor& token_losses, const torch::Tensor& loss_weights);

}  // namespace privtune::train
