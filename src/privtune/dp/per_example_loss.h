// The per-example loss DP-SGD clips (DESIGN.md section 6): L_i = the mean token loss over
// example i's targets. One function so that the trainer, the tests and the benchmark agree.
#pragma once

#include <torch/torch.h>

namespace privtune::dp {

// logits (B, T, V) predicting targets (B, T) int64; weights (B, T): 1 for a target that
// counts, 0 for padding (and for tokens not trained on). Returns (B): each row's weighted
// mean of -log p(target), in float32 (float64 for float64 logits); a row without targets
// gets 0. Row i depends on row i of the logits only.
torch::Tensor per_example_loss(const torch::Tensor& logits, const torch::Tensor& targets, const torch::Tensor& weights);

}  // namespace privtune::dp
