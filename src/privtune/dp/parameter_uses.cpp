#include "privtune/dp/parameter_uses.h"

#include <algorithm>

namespace privtune::dp {

namespace {

bool any_one_hot(const std::vector<OuterProduct>& products) {
  for (const auto& p : products)
    if (p.rows.is_one_hot() || p.cols.is_one_hot()) return true;
  return false;
}

// Ghost pays for every pair of uses (the cross terms); materialising pays once per use.
bool ghost_is_cheaper(const std::vector<OuterProduct>& products) {
  double ghost = 0, materialized = 0;
  for (size_t i = 0; i < products.size(); ++i) {
    materialized += materialize_cost(products[i]);
    for (size_t j = 0; j < products.size(); ++j) ghost += ghost_cost(products[i], products[j]);
  }
  return ghost <= materialized;
}

// ||sum_u g_u||^2 = sum_u ||g_u||^2 + 2 sum_{u<v} <g_u, g_v>.
torch::Tensor ghost_squared_norms(const std::vector<OuterProduct>& grouped, int64_t count, torch::ScalarType acc,
                                  const torch::Device& device) {
  if (grouped.size() == 1) return ghost_inner(grouped[0], grouped[0], acc);  // most weights: one use
  torch::Tensor sq = torch::zeros({count}, torch::TensorOptions().dtype(acc).device(device));
  for (size_t i = 0; i < grouped.size(); ++i)
    for (size_t j = i; j < grouped.size(); ++j) sq.add_(ghost_inner(grouped[i], grouped[j], acc), i == j ? 1.0 : 2.0);
  return sq;
}

torch::Tensor materialized_squared_norms(const std::vector<OuterProduct>& grouped, const ParameterUses& uses,
                                         const RowGroups& groups, torch::ScalarType acc) {
  torch::Tensor g;  // (G, numel)
  auto add = [&g](const torch::Tensor& part) { g = g.defined() ? g + part : part; };
  for (const auto& v : uses.per_row) add(groups.sum_rows(v.to(acc)));
  for (const auto& p : grouped) add(materialize(p, acc));
  return g.pow(2).sum(1);
}

}  // namespace

GroupNorms squared_norms(const ParameterUses& uses, const RowGroups& groups, bool ghost_ok, bool materialize_ok,
                         torch::ScalarType acc) {
  std::vector<OuterProduct> grouped;
  for (const auto& p : uses.products) grouped.push_back(concat_positions(p, groups));
  bool ghost = false;
  if (!grouped.empty() && uses.per_row.empty()) {
    if (any_one_hot(grouped)) ghost = true;
    else if (ghost_ok && materialize_ok) ghost = ghost_is_cheaper(grouped);
    else ghost = ghost_ok;
  }
  if (!ghost) return {materialized_squared_norms(grouped, uses, groups, acc), NormRule::kMaterialized};
  const torch::Device device = grouped.front().cols.dense.device();  // columns are never one-hot
  return {ghost_squared_norms(grouped, groups.count(), acc, device), NormRule::kGhost};
}

void add_clipped(torch::Tensor& grad, const torch::Tensor& parameter, const ParameterUses& uses,
                 const RowScale& row_scale) {
  const bool one_hot_first = !uses.products.empty() && uses.products.front().rows.is_one_hot();
  if (!grad.defined() && (one_hot_first || uses.products.empty())) grad = torch::zeros_like(parameter);
  for (const auto& p : uses.products) add_scaled(grad, p, row_scale, parameter.scalar_type());
  for (const auto& v : uses.per_row) {
    // (B, numel) weighted by row, summed over rows, in the precision the rows were kept in.
    torch::Tensor sum = torch::mv(v.t(), row_scale.in(v.scalar_type()));
    grad.add_(sum.view_as(grad).to(grad.scalar_type()));
  }
}

std::vector<PerRowBatch> take_per_row(std::vector<ParameterUses>& uses) {
  std::vector<PerRowBatch> batches;
  for (size_t i = 0; i < uses.size(); ++i) {
    if (!uses[i].products.empty() || uses[i].per_row.size() != 1) continue;
    torch::Tensor rows = std::move(uses[i].per_row.front());
    uses[i].per_row.clear();
    auto same_dtype = [&](const PerRowBatch& b) { return b.rows.front().scalar_type() == rows.scalar_type(); };
    auto batch = std::find_if(batches.begin(), batches.end(), same_dtype);
    if (batch == batches.end()) batch = batches.insert(batches.end(), PerRowBatch());
    batch->parameters.push_back(i);
    batch->rows.push_back(std::move(rows));
  }
  return batches;
}

torch::Tensor per_row_squared_norms(const PerRowBatch& batch, const RowGroups& groups) {
  return groups.sum_rows(torch::cat(batch.rows, 1)).pow(2).sum(1);  // (B, total) -> (G, total) -> (G)
}

void add_clipped(const PerRowBatch& batch, const std::vector<torch::Tensor>& parameters, const RowScale& row_scale) {
  const torch::Tensor& first = batch.rows.front();
  // (B, total) weighted by row, summed over rows, in the precision the rows were kept in.
  const torch::Tensor sums = torch::mv(torch::cat(batch.rows, 1).t(), row_scale.in(first.scalar_type()));
  int64_t offset = 0;
  for (size_t k = 0; k < batch.parameters.size(); ++k) {
    torch::Tensor parameter = parameters[batch.parameters[k]];
    const int64_t numel = batch.rows[k].size(1);
    torch::Tensor sum = sums.narrow(0, offset, numel).view_as(parameter).to(parameter.scalar_type());
    offset += numel;
    torch::Tensor& grad = parameter.mutable_grad();
    if (grad.defined())
      grad.add_(sum);
    else
      grad = sum.clone();  // its own storage, not a view into every bias's sums
  }
}

}  // namespace privtune::dp
