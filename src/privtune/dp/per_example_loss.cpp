#include "privtune/dp/per_example_loss.h"

namespace privtune::dp {

torch::Tensor per_example_loss(const torch::Tensor& logits, const torch::Tensor& targets, const torch::Tensor& weights) {
  const auto wide = logits.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  torch::Tensor log_probs = torch::log_softmax(logits.to(wide), -1);                 // (B, T, V)
  torch::Tensor token_loss = -log_probs.gather(2, targets.unsqueeze(2)).squeeze(2);  // (B, T)
  torch::Tensor w = weights.to(wide);
  // Multiplying by a zero weight (not masking) keeps padded positions' gradients exactly 0.
  return (token_loss * w).sum(1) / w.sum(1).clamp_min(1e-30);
}

}  // namespace privtune::dp
