#include "clip_reference.h"

#include <algorithm>
#include <cmath>

#include "privtune/dp/per_example_loss.h"

namespace privtune::test {

Batch random_batch(int64_t vocab, const std::vector<int64_t>& lengths, uint64_t seed) {
  torch::manual_seed(seed);
  const auto rows = static_cast<int64_t>(lengths.size());
  const int64_t T = *std::max_element(lengths.begin(), lengths.end());
  Batch b{torch::randint(vocab, {rows, T}, torch::kLong), torch::zeros({rows, T}, torch::kLong)};
  for (int64_t i = 0; i < rows; ++i) b.mask[i].narrow(0, 0, lengths[static_cast<size_t>(i)]).fill_(1);
  return b;
}

torch::Tensor per_example_loss(const torch::Tensor& logits, const Batch& batch) {
  const int64_t T = batch.ids.size(1);  // position t predicts token t + 1
  return dp::per_example_loss(logits.narrow(1, 0, T - 1), batch.ids.narrow(1, 1, T - 1), batch.mask.narrow(1, 1, T - 1));
}

Grads take_grads(model::CausalLM& model) {
  Grads out;
  for (const auto& item : model->named_parameters()) {
    torch::Tensor p = item.value();
    if (!p.requires_grad()) continue;
    out.emplace_back(item.key(), p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    p.mutable_grad() = torch::Tensor();
  }
  return out;
}

std::vector<Grads> per_row_gradients(model::CausalLM& model, const Batch& batch) {
  take_grads(model);  // start from no gradients
  std::vector<Grads> rows;
  for (int64_t i = 0; i < batch.ids.size(0); ++i) {
    const int64_t length = batch.mask[i].sum().item<int64_t>();
    Batch alone{batch.ids[i].narrow(0, 0, length).unsqueeze(0), torch::ones({1, length}, torch::kLong)};
    per_example_loss(model->forward(alone.ids, alone.mask), alone).sum().backward();
    rows.push_back(take_grads(model));
  }
  return rows;
}

namespace {

double norm_of(const Grads& g) {
  double sq = 0;
  for (const auto& item : g) sq += item.second.to(torch::kDouble).pow(2).sum().item<double>();
  return std::sqrt(sq);
}

void add_to(Grads& into, const Grads& g, double scale) {
  for (size_t k = 0; k < g.size(); ++k) into[k].second = into[k].second + scale * g[k].second;
}

Grads zeros_like(const Grads& g) {
  Grads out;
  for (const auto& item : g) out.emplace_back(item.first, torch::zeros_like(item.second));
  return out;
}

}  // namespace

ClippedSum naive_clipped_sum(const std::vector<Grads>& rows, double max_grad_norm, const std::vector<int64_t>& groups) {
  std::vector<Grads> units;  // one summed gradient per group
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto g = static_cast<size_t>(groups.empty() ? static_cast<int64_t>(i) : groups[i]);
    while (units.size() <= g) units.push_back(zeros_like(rows[i]));
    add_to(units[g], rows[i], 1.0);
  }
  ClippedSum out{torch::zeros({static_cast<int64_t>(units.size())}, torch::kDouble), zeros_like(rows.front())};
  for (size_t g = 0; g < units.size(); ++g) {
    const double norm = norm_of(units[g]);
    out.norms[static_cast<int64_t>(g)] = norm;
    add_to(out.sum, units[g], norm > 0 ? std::min(1.0, max_grad_norm / norm) : 1.0);
  }
  return out;
}

double max_relative_error(const Grads& got, const Grads& want) {
  double worst = 0;
  for (size_t k = 0; k < want.size(); ++k) {
    const double scale = want[k].second.norm().item<double>();
    const double error = (got[k].second - want[k].second).norm().item<double>();
    worst = std::max(worst, scale > 0 ? error / scale : error);
  }
  return worst;
}

}  // namespace privtune::test
