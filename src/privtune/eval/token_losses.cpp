#include "privtune/eval/token_losses.h"

#include <cmath>
#include <limits>
#include <numeric>

#include "privtune/data/batching.h"

namespace privtune::eval {

torch::Tensor next_token_losses(const torch::Tensor& logits, const torch::Tensor& ids) {
  const auto wide = logits.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  const int64_t B = logits.size(0), T = logits.size(1), V = logits.size(2);
  torch::Tensor predicted = logits.slice(1, 0, T - 1).reshape({B * (T - 1), V}).to(wide);  // (B*(T-1), V)
  torch::Tensor targets = ids.slice(1, 1, T).reshape({B * (T - 1)});                       // (B*(T-1))
  torch::Tensor losses = torch::nn::functional::cross_entropy(
      predicted, targets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  return losses.view({B, T - 1});
}

double MeanLoss::mean() const {
  return tokens > 0 ? sum / static_cast<double>(tokens) : std::numeric_limits<double>::quiet_NaN();
}

namespace {

core::Json mean_json(const MeanLoss& m) {
  core::Json j;
  j["loss"] = m.tokens > 0 ? core::Json(m.mean()) : core::Json(nullptr);
  j["tokens"] = m.tokens;
  return j;
}

}  // namespace

core::Json ClassLosses::to_json() const {
  core::Json j;
  j["sens"] = mean_json(sensitive);
  j["nonsens"] = mean_json(nonsensitive);
  core::Json labels = core::Json::object();
  for (const auto& [label, m] : by_label) labels[label] = mean_json(m);
  j["labels"] = labels;
  return j;
}

std::vector<std::vector<float>> score_examples(model::CausalLM& model,
                                               const std::vector<data::TokenizedExample>& examples,
                                               const EvalOptions& options) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const torch::Device device = model->embed->weight.device();
  data::BatchOptions batch_options{options.max_length, options.pad_id};

  std::vector<int64_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<int64_t> lengths;
  for (const auto& e : examples) lengths.push_back(static_cast<int64_t>(e.size()));

  std::vector<std::vector<float>> result(examples.size());
  for (const auto& rows : data::micro_batches(order, std::max<int64_t>(1, options.batch_size), &lengths)) {
    data::Batch batch = data::collate(examples, rows, batch_options);
    if (batch.cols < 2) continue;
    const auto shape = std::vector<int64_t>{batch.rows, batch.cols};
    torch::Tensor ids = torch::tensor(batch.input_ids, torch::kLong).view(shape).to(device);
    torch::Tensor mask = torch::tensor(std::vector<int64_t>(batch.attention_mask.begin(), batch.attention_mask.end()),
                                       torch::kLong)
                             .view(shape)
                             .to(device);
    torch::Tensor losses = next_token_losses(model->forward(ids, mask), ids).to(torch::kCPU, torch::kFloat);
    auto loss = losses.accessor<float, 2>();  // (B, T-1)
    for (int64_t b = 0; b < batch.rows; ++b) {
      std::vector<float>& out = result[static_cast<size_t>(batch.example_indices[static_cast<size_t>(b)])];
      for (int64_t j = 1; j < batch.lengths[b]; ++j) out.push_back(loss[b][j - 1]);
    }
  }
  if (was_training) model->train();
  return result;
}

ClassLosses class_losses(const std::vector<data::TokenizedExample>& examples,
                         const std::vector<std::vector<float>>& losses, const data::LabelVocab& labels) {
  ClassLosses result;
  for (size_t i = 0; i < examples.size(); ++i) {
    const data::TokenizedExample& e = examples[i];
    for (size_t j = 1; j <= losses[i].size(); ++j) {
      if (e.special[j]) continue;
      const double l = losses[i][j - 1];
      MeanLoss& cls = e.sensitive[j] ? result.sensitive : result.nonsensitive;
      cls.sum += l, cls.tokens += 1;
      if (e.sensitive[j] && e.labels[j] >= 0) {
        MeanLoss& per_label = result.by_label[labels.name(e.labels[j])];
        per_label.sum += l, per_label.tokens += 1;
      }
    }
  }
  return result;
}

ClassLosses evaluate_class_losses(model::CausalLM& model, const std::vector<data::TokenizedExample>& examples,
                                  const data::LabelVocab& labels, const EvalOptions& options) {
  return class_losses(examples, score_examples(model, examples, options), labels);
}

}  // namespace privtune::eval
