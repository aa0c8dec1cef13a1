#include "privtune/eval/continuations.h"

#include <algorithm>

#include "privtune/core/error.h"

namespace privtune::eval {

namespace {

// The cache of one prefix row, viewed as `rows` identical rows (no copy: the next layer's
// torch::cat materialises what it needs).
model::KVCache broadcast_cache(const model::KVCache& cache, int64_t rows) {
  model::KVCache out;
  for (const model::LayerCache& layer : cache.layers) {
    model::LayerCache l;
    if (layer.keys.defined()) {
      auto shape = layer.keys.sizes().vec();  // (1, KV, S, D)
      shape[0] = rows;
      l.keys = layer.keys.expand(shape);
      l.values = layer.values.expand(shape);
    }
    out.layers.push_back(l);
  }
  out.positions = cache.positions.expand({rows, cache.positions.size(1)});
  out.valid = cache.valid.expand({rows, cache.valid.size(1)});
  return out;
}

}  // namespace

std::vector<double> continuation_losses(model::CausalLM& model, const std::vector<int64_t>& prefix,
                                        const std::vector<std::vector<int64_t>>& continuations, int64_t max_logits) {
  if (prefix.empty()) throw Error("continuation_losses: the prefix needs at least one token");
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const torch::Device device = model->embed->weight.device();
  const auto long_options = torch::TensorOptions().dtype(torch::kLong).device(device);
  const int64_t P = static_cast<int64_t>(prefix.size());
  const int64_t V = model->config().vocab_size;

  model::KVCache prefix_cache;
  torch::Tensor prefix_ids = torch::tensor(prefix, torch::kLong).to(device).view({1, P});
  torch::Tensor h = model->hidden(prefix_ids, torch::arange(P, long_options).view({1, P}),
                                  torch::ones({1, P}, long_options).to(torch::kBool), &prefix_cache);
  torch::Tensor first_logits = model->logits(h.narrow(1, P - 1, 1)).to(torch::kFloat);  // (1, 1, V)

  // Longest continuations first so each chunk pads little.
  std::vector<size_t> order(continuations.size());
  for (size_t i = 0; i < order.size(); ++i) {
    if (continuations[i].empty()) throw Error("continuation_losses: empty continuation");
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return continuations[a].size() > continuations[b].size(); });

  std::vector<double> result(continuations.size(), 0.0);
  for (size_t begin = 0; begin < order.size();) {
    const int64_t S = static_cast<int64_t>(continuations[order[begin]].size());
    const int64_t rows = std::clamp<int64_t>(max_logits / std::max<int64_t>(1, S * V), 1,
                                             static_cast<int64_t>(order.size() - begin));
    std::vector<int64_t> ids(static_cast<size_t>(rows * S), 0), valid(static_cast<size_t>(rows * S), 0);
    for (int64_t r = 0; r < rows; ++r) {
      const auto& c = continuations[order[begin + static_cast<size_t>(r)]];
      for (size_t t = 0; t < c.size(); ++t) {
        ids[static_cast<size_t>(r * S) + t] = c[t];
        valid[static_cast<size_t>(r * S) + t] = 1;
      }
    }
    torch::Tensor chunk_ids = torch::tensor(ids, torch::kLong).view({rows, S}).to(device);          // (R, S)
    torch::Tensor chunk_valid = torch::tensor(valid, torch::kLong).view({rows, S}).to(device);      // (R, S)
    torch::Tensor positions = (torch::arange(S, long_options) + P).view({1, S}).expand({rows, S});  // (R, S)
    model::KVCache cache = broadcast_cache(prefix_cache, rows);
    torch::Tensor logits =
        model->logits(model->hidden(chunk_ids, positions, chunk_valid.to(torch::kBool), &cache)).to(torch::kFloat);
    // Token t is predicted by position t - 1; token 0 by the prefix's last position.
    torch::Tensor predicted = torch::cat({first_logits.expand({rows, 1, V}), logits.narrow(1, 0, S - 1)}, 1);
    torch::Tensor losses = torch::nn::functional::cross_entropy(
        predicted.reshape({rows * S, V}), chunk_ids.reshape({rows * S}),
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    torch::Tensor sums =
        (losses.view({rows, S}).to(torch::kDouble) * chunk_valid.to(torch::kDouble)).sum(1).to(torch::kCPU);
    auto acc = sums.accessor<double, 1>();
    for (int64_t r = 0; r < rows; ++r) result[order[begin + static_cast<size_t>(r)]] = acc[r];
    begin += static_cast<size_t>(rows);
  }
  if (was_training) model->train();
  return result;
}

}  // namespace privtune::eval
