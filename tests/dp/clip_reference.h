// The naive per-example loop the clipper must agree with (DESIGN.md section 6): each example
// alone, as a batch of one without padding, its gradient by an ordinary backward pass; the
// rows of a group summed; each group's gradient clipped to C; the clipped gradients summed.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "privtune/model/causal_lm.h"

namespace privtune::test {

struct Batch {
  torch::Tensor ids, mask;  // (B, T) int64, right-padded
};
// Random tokens, row i of lengths[i] tokens, padded to the longest.
Batch random_batch(int64_t vocab, const std::vector<int64_t>& lengths, uint64_t seed);

// (B): each row's mean next-token loss over its targets (positions 1 .. length-1), padded
// positions weighted zero. logits (B, T, V).
torch::Tensor per_example_loss(const torch::Tensor& logits, const Batch& batch);

// One tensor per trainable parameter, in named_parameters order.
using Grads = std::vector<std::pair<std::string, torch::Tensor>>;

// Every trainable parameter's .grad (zeros where undefined), cloned; and all grads reset.
Grads take_grads(model::CausalLM& model);

// Each row's gradient over all trainable parameters, each row run alone.
std::vector<Grads> per_row_gradients(model::CausalLM& model, const Batch& batch);

struct ClippedSum {
  torch::Tensor norms;  // (G) float64
  Grads sum;            // sum_g min(1, C / ||g_g||) g_g
};
// groups empty: one group per row.
ClippedSum naive_clipped_sum(const std::vector<Grads>& rows, double max_grad_norm,
                             const std::vector<int64_t>& groups = {});

// max over parameters of ||got - want|| / ||want|| (or ||got|| where want is zero).
double max_relative_error(const Grads& got, const Grads& want);

}  // namespace privtune::test
