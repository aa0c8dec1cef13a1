// The body of a training step, shared by the trainer and the benchmarks so that both
// measure the same code.
#pragma once

#include <torch/torch.h>

#include "privtune/model/causal_lm.h"
#include "privtune/train/aggregation.h"
#include "privtune/train/batch_loss.h"

namespace privtune::train {

// Forward (under bf16 autocast when asked), per-example losses and the aggregator's
// backward for one micro-batch; returns the sum of its per-example losses, a 0-dim float64
// tensor on the batch's device (read it once per step: each read waits for the device).
// `units`: see GradientAggregator::backward.
torch::Tensor accumulate_micro_batch(model::CausalLM& model, GradientAggregator& aggregator, const DeviceBatch& batch,
                              const torch::Tensor& units, bool autocast);

}  // namespace privtune::train
