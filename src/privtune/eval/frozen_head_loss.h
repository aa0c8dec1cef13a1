// Next-token cross-entropy through a frozen LM head, a block of positions at a time: the
// training loss of LoRA, and of any method that leaves the head (or the tied embedding)
// untouched.
//
// With the head's weight W frozen, the backward needs only the gradient of each position's
// hidden state, u (softmax(h W^T) - onehot(target)) W, where u is the upstream gradient of
// that position's loss. The forward computes (softmax - onehot) W block by block right after
// the loss, and the backward only scales it by u: the (N, V) logits, their log-softmax and
// their gradient (three tensors of the size of the largest one in the model) never exist
// whole, and the LM head's matrix products are as many as in the ordinary path.
#pragma once

#include <torch/torch.h>

#include "privtune/model/causal_lm.h"

namespace privtune::eval {

// Whether frozen_head_losses gives this model's loss: its output weight (and bias) need no
// gradient, the head carries no adapter and no recorder (DP's per-example bookkeeping), and
// there is no final logit soft-cap.
bool frozen_head_applies(model::CausalLM& model);

// hidden (N, C) final hidden states, targets (N) int64 -> (N) losses in nats, float32
// (float64 for a float64 model), differentiable with respect to `hidden`.
torch::Tensor frozen_head_losses(model::CausalLM& model, const torch::Tensor& hidden, const torch::Tensor& targets);

}  // namespace privtune::eval
