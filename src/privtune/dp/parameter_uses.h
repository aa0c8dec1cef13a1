// One trainable parameter's per-example gradient as a backward pass left it: the sum of
// every use the forward made of the parameter (one for most; two for a tied embedding,
// whose norm must include the cross term between its uses).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "privtune/dp/outer_product.h"
#include "privtune/dp/row_groups.h"

namespace privtune::dp {

// g_b = sum of the outer products + sum of the per-row vectors (row b of each).
struct ParameterUses {
  std::vector<OuterProduct> products;  // matrices: linear weights, embeddings, the tied head
  std::vector<torch::Tensor> per_row;  // (B, numel), already per example: biases, norm weights
};

enum class NormRule { kGhost, kMaterialized };

// Norms and per-row vectors are kept in float32 at least (float64 for float64 parameters).
inline torch::ScalarType accumulation_dtype(const torch::Tensor& parameter) {
  return parameter.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
}

struct GroupNorms {
  torch::Tensor squared;  // (G) squared norm of each group's gradient of this parameter
  NormRule rule;          // how it was computed
};

// ghost_ok / materialize_ok: which rules the caller allows for matrices (both: the cheaper by
// the cost model). Embeddings are always ghost (one-hot rows are never materialised) and
// per-row vectors always materialised; a parameter with per-row vectors and matrices (none
// in the model) materialises both.
GroupNorms squared_norms(const ParameterUses& uses, const RowGroups& groups, bool ghost_ok, bool materialize_ok,
                         torch::ScalarType acc);

// grad += sum_b row_scale_b g_b. An undefined grad becomes that sum
// (shaped and typed as `parameter`).
void add_clipped(torch::Tensor& grad, const torch::Tensor& parameter, const ParameterUses& uses,
                 const RowScale& row_scale);

// The parameters whose gradient is one per-row vector (biases, norm weights: about 100 in
// Pythia-160M), handled together: one (B, total) matrix per dtype, so that their norms and
// clipped sums cost a few kernels instead of a few per parameter (a GPU step at small sizes
// is bound by how many kernels the host launches).
struct PerRowBatch {
  std::vector<size_t> parameters;   // indices into the uses (and the parameters)
  std::vector<torch::Tensor> rows;  // (B, numel) each, one dtype
};

// Moves every such parameter's vector out of `uses` (leaving it empty) into batches.
std::vector<PerRowBatch> take_per_row(std::vector<ParameterUses>& uses);
// (G) squared norm of each group's gradient of all the batch's parameters together.
torch::Tensor per_row_squared_norms(const PerRowBatch& batch, const RowGroups& groups);
// Every batch parameter's grad += sum_b row_scale_b g_b (created if undefined).
void add_clipped(const PerRowBatch& batch, const std::vector<torch::Tensor>& parameters, const RowScale& row_scale);

}  // namespace privtune::dp
