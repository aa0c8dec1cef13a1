#include "privtune/train/step.h"

#include "privtune/eval/token_losses.h"
#include "privtune/train/device_stats.h"

namespace privtune::train {

torch::Tensor accumulate_micro_batch(model::CausalLM& model, GradientAggregator& aggregator, const DeviceBatch& batch,
                              const torch::Tensor& units, bool autocast) {
  if (batch.ids.size(1) < 2)  // no targets
    return torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(batch.ids.device()));
  torch::Tensor losses;
  {
    AutocastGuard guard(batch.ids.device(), autocast);
    losses = per_example_losses(eval::next_token_losses(model, batch.ids, batch.attention), batch.loss_weights);  // (B)
  }
  aggregator.backward(losses, units);
  return losses.detach().sum().to(torch::kDouble);
}

}  // namespace privtune::train
