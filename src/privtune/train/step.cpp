#include "privtune/train/step.h"

#include "privtune/eval/token_losses.h"
#include "privtune/train/device_stats.h"

namespace privtune::train {

double accumulate_micro_batch(model::CausalLM& model, GradientAggregator& aggregator, const DeviceBatch& batch,
                              const torch::Tensor& units, bool autocast) {
  if (batch.ids.size(1) < 2) return 0.0;  // no targets
  torch::Tensor losses;
  {
    AutocastGuard guard(batch.ids.device(), autocast);
    losses = per_example_losses(eval::next_token_losses(model, batch.ids, batch.attention), batch.loss_weights);  // (B)
  }
  aggregator.backward(losses, units);
  return losses.detach().sum().item<double>();
}

}  // namespace privtune::train
