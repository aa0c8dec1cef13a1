// Per-example gradients that are sums of outer products over positions,
//
//     g = sum_l r_l c_l^T        (rows.width, cols.width)
//
// which is the form of every matrix parameter in the model:
//   linear weight (out, in):      r_l = gradient of the output at l,  c_l = input at l
//   embedding (V, C):             r_l = one-hot(token id at l),        c_l = gradient of the output at l
//   tied LM head on it (V, C):    r_l = gradient of the logits at l,   c_l = hidden state at l
//
// Two ways to get the squared norm of g (or the inner product of two such gradients of one
// parameter, for a tied weight's cross term):
//   ghost:        <g, g'> = sum_{l,l'} (r_l . r'_l') (c_l . c'_l')   O(L L' (dr + dc)), memory L L'
//   materialized: g itself by one batched matmul                       O(L dr dc),       memory dr dc
// and one way to add the clipped sum without per-example gradients: sum_b s_b g_b =
// (s (.) R)^T C over all rows and positions.
#pragma once

#include <torch/torch.h>

#include "privtune/dp/row_groups.h"

namespace privtune::dp {

// One side of the outer products: dense vectors (B, L, width), or one-hot vectors given by
// token ids (B, L), never expanded to (B, L, V).
struct Factor {
  torch::Tensor dense;  // (B, L, width), or undefined
  torch::Tensor ids;    // (B, L) int64 when one-hot
  int64_t width = 0;

  static Factor vectors(const torch::Tensor& dense) { return {dense, torch::Tensor(), dense.size(-1)}; }
  static Factor one_hot(const torch::Tensor& ids, int64_t width) { return {torch::Tensor(), ids, width}; }
  bool is_one_hot() const { return !dense.defined(); }
  int64_t positions() const { return is_one_hot() ? ids.size(1) : dense.size(1); }
};

struct OuterProduct {
  Factor rows, cols;
};

// The same gradients per group: each group's rows concatenated along the positions.
OuterProduct concat_positions(const OuterProduct& u, const RowGroups& groups);

// Per-group <g_u, g_v> by the ghost kernel, (G) in `acc`; u and v grouped alike.
torch::Tensor ghost_inner(const OuterProduct& u, const OuterProduct& v, torch::ScalarType acc);
// Per-group g_u: (G, rows.width * cols.width) in `acc`. Dense factors only.
torch::Tensor materialize(const OuterProduct& u, torch::ScalarType acc);

// Multiply-adds per group of each method (the cost model that picks between them).
double ghost_cost(const OuterProduct& u, const OuterProduct& v);
double materialize_cost(const OuterProduct& u);

// Each row's clipping factor, (B) float64 on the gradients' device, cast at most once per
// dtype a gradient needs it in (instead of once per parameter).
class RowScale {
 public:
  explicit RowScale(torch::Tensor f64) : f64_(std::move(f64)) {}
  const torch::Tensor& in(torch::ScalarType dtype) const {
    for (const auto& [type, tensor] : cast_)
      if (type == dtype) return tensor;
    return cast_.emplace_back(dtype, f64_.to(dtype)).second;
  }

 private:
  torch::Tensor f64_;
  mutable std::vector<std::pair<torch::ScalarType, torch::Tensor>> cast_;
};

// grad (rows.width, cols.width) += sum_b row_scale_b g_b; row_scale (B). An undefined grad
// becomes that sum (in `dtype`) without a zero-filled tensor first; one-hot rows need a
// defined grad.
void add_scaled(torch::Tensor& grad, const OuterProduct& u, const RowScale& row_scale, torch::ScalarType dtype);

}  // namespace privtune::dp
