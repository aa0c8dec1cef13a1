#include "privtune/dp/outer_product.h"

#include <stdexcept>

namespace privtune::dp {

namespace {

Factor concat_positions(const Factor& f, const RowGroups& groups) {
  if (f.is_one_hot()) return Factor::one_hot(groups.concat_positions(f.ids), f.width);  // padding id 0 meets zero vectors
  return Factor::vectors(groups.concat_positions(f.dense));
}

// k[g, l, l'] = a_l . b_l' for two factors of the same width: (G, La, Lb) in `acc`.
torch::Tensor gram(const Factor& a, const Factor& b, torch::ScalarType acc) {
  if (!a.is_one_hot() && !b.is_one_hot())
    return torch::bmm(a.dense.to(acc), b.dense.to(acc).transpose(1, 2));
  if (a.is_one_hot() && b.is_one_hot()) return (a.ids.unsqueeze(2) == b.ids.unsqueeze(1)).to(acc);
  if (!a.is_one_hot()) return gram(b, a, acc).transpose(1, 2);
  // one-hot(id_l) . b_l' = b_l'[id_l]: pick, for every position l' of b, the entries at a's ids.
  const int64_t G = b.dense.size(0), La = a.ids.size(1), Lb = b.dense.size(1);
  torch::Tensor picked = b.dense.gather(2, a.ids.unsqueeze(1).expand({G, Lb, La}));  // (G, Lb, La)
  return picked.to(acc).transpose(1, 2);
}

// Cost of one Gram matrix entry: a dot product, or a comparison or lookup for one-hot sides.
double entry_cost(const Factor& a, const Factor& b) {
  return a.is_one_hot() || b.is_one_hot() ? 1.0 : static_cast<double>(a.width);
}

}  // namespace

OuterProduct concat_positions(const OuterProduct& u, const RowGroups& groups) {
  return {concat_positions(u.rows, groups), concat_positions(u.cols, groups)};
}

torch::Tensor ghost_inner(const OuterProduct& u, const OuterProduct& v, torch::ScalarType acc) {
  return (gram(u.rows, v.rows, acc) * gram(u.cols, v.cols, acc)).sum({1, 2});  // (G, Lu, Lv) -> (G)
}

torch::Tensor materialize(const OuterProduct& u, torch::ScalarType acc) {
  if (u.rows.is_one_hot() || u.cols.is_one_hot())
    throw std::logic_error("per-example clipping: one-hot (embedding) gradients are never materialised");
  torch::Tensor g = torch::bmm(u.rows.dense.to(acc).transpose(1, 2), u.cols.dense.to(acc));  // (G, dr, dc)
  return g.flatten(1);
}

double ghost_cost(const OuterProduct& u, const OuterProduct& v) {
  const double pairs = static_cast<double>(u.rows.positions()) * static_cast<double>(v.rows.positions());
  return pairs * (entry_cost(u.rows, v.rows) + entry_cost(u.cols, v.cols) + 1.0);
}

double materialize_cost(const OuterProduct& u) {
  return static_cast<double>(u.rows.positions()) * static_cast<double>(u.rows.width) *
         static_cast<double>(u.cols.width);
}

void add_scaled(torch::Tensor& grad, const OuterProduct& u, const RowScale& row_scale, torch::ScalarType dtype) {
  if (u.cols.is_one_hot()) throw std::logic_error("per-example clipping: one-hot columns are not supported");
  const torch::Tensor scale = row_scale.in(dtype).view({-1, 1, 1});  // (B, 1, 1)
  auto flat = [&](const Factor& f, bool scaled) {  // (B, L, d) -> (B L, d), rows times their scale
    torch::Tensor d = f.dense.to(dtype);
    return (scaled ? d * scale : d).reshape({-1, f.width});
  };
  if (u.rows.is_one_hot()) {
    if (!grad.defined())
      throw std::logic_error("per-example clipping: an embedding's gradient must exist before its sum");
    // Each position's scaled column vector lands on its token's row.
    grad.index_add_(0, u.rows.ids.reshape({-1}), flat(u.cols, true));
    return;
  }
  // (B L, dr)^T (B L, dc), scaling whichever factor is narrower.
  const bool scale_rows = u.rows.width <= u.cols.width;
  if (grad.defined())
    grad.addmm_(flat(u.rows, scale_rows).t(), flat(u.cols, !scale_rows));
  else
    grad = torch::mm(flat(u.rows, scale_rows).t(), flat(u.cols, !scale_rows));
}

}  // namespace privtune::dp
