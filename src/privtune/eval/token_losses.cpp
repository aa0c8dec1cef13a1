#include "privtune/eval/token_losses.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "privtune/data/batching.h"
#include "privtune/eval/frozen_head_loss.h"
#include "privtune/eval/logit_rows.h"

namespace privtune::eval {

torch::Tensor next_token_losses(model::CausalLM& model, const torch::Tensor& ids, const torch::Tensor& attention_mask) {
  const int64_t B = ids.size(0), T = ids.size(1);
  const torch::Tensor hidden = model->hidden(ids, attention_mask);  // (B, T, C)
  const torch::Tensor targets = ids.slice(1, 1, T).reshape({B * (T - 1)});  // (B*(T-1))
  if (frozen_head_applies(model)) {
    const int64_t C = hidden.size(2);
    return frozen_head_losses(model, hidden.slice(1, 0, T - 1).reshape({B * (T - 1), C}), targets).view({B, T - 1});
  }
  const torch::Tensor logits = model->logits(hidden.slice(1, 0, T - 1));  // (B, T-1, V)
  const auto wide = logits.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  const int64_t V = logits.size(2);
  const torch::Tensor losses = torch::nn::functional::cross_entropy(
      logits.reshape({B * (T - 1), V}).to(wide), targets,
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  return losses.view({B, T - 1});
}

int64_t logit_block_rows(int64_t vocab) { return std::max<int64_t>(16, (int64_t{1} << 24) / vocab); }

torch::Tensor target_losses(model::CausalLM& model, const torch::Tensor& hidden, const torch::Tensor& targets,
                            torch::Tensor* greedy) {
  const int64_t N = hidden.size(0);
  const int64_t rows = logit_block_rows(model->config().vocab_size);
  std::vector<torch::Tensor> parts, hits;
  for (int64_t begin = 0; begin < N; begin += rows) {
    const int64_t end = std::min(N, begin + rows);
    torch::Tensor logits = model->logits(hidden.slice(0, begin, end));  // (rows, V)
    const torch::Tensor target = targets.slice(0, begin, end);          // (rows)
    if (logits.device().is_cpu() && logits.scalar_type() == torch::kFloat && !logits.requires_grad()) {
      const torch::Tensor x = logits.contiguous(), t = target.to(torch::kLong).contiguous();
      torch::Tensor losses = torch::empty({x.size(0)}, x.options());
      torch::Tensor best = torch::empty({x.size(0)}, t.options());
      if (logit_row_losses(x.data_ptr<float>(), x.size(0), x.size(1), t.data_ptr<int64_t>(), losses.data_ptr<float>(),
                           greedy != nullptr ? best.data_ptr<int64_t>() : nullptr)) {
        if (greedy != nullptr) hits.push_back(best.eq(t));
        parts.push_back(losses);
        continue;
      }
    }
    if (greedy != nullptr) hits.push_back(logits.argmax(-1).eq(target));
    const auto wide = logits.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
    parts.push_back(torch::nn::functional::cross_entropy(
        logits.to(wide), target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone)));
  }
  if (greedy != nullptr)
    *greedy = hits.empty() ? torch::empty({0}, targets.options().dtype(torch::kBool)) : torch::cat(hits);
  return parts.empty() ? torch::empty({0}, hidden.options().dtype(torch::kFloat)) : torch::cat(parts);
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
                                               const EvalOptions& options,
                                               std::vector<std::vector<uint8_t>>* greedy) {
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
  if (greedy != nullptr) greedy->assign(examples.size(), {});
  for (const auto& rows : data::micro_batches(order, std::max<int64_t>(1, options.batch_size), &lengths)) {
    data::Batch batch = data::collate(examples, rows, batch_options);
    if (batch.cols < 2) continue;
    const auto shape = std::vector<int64_t>{batch.rows, batch.cols};
    torch::Tensor ids = torch::tensor(batch.input_ids, torch::kLong).view(shape).to(device);
    torch::Tensor valid = torch::tensor(std::vector<int64_t>(batch.attention_mask.begin(), batch.attention_mask.end()),
                                        torch::kLong)
                              .view(shape)
                              .to(device, torch::kBool);
    torch::Tensor positions = torch::arange(batch.cols, ids.options()).unsqueeze(0).expand(shape);
    torch::Tensor hidden = model->hidden(ids, positions, valid, nullptr);  // (B, T, C)

    // Positions whose next token is real, row-major: (b, j) predicts ids[b, j + 1].
    std::vector<int64_t> scored, targets;
    for (int64_t b = 0; b < batch.rows; ++b)
      for (int64_t j = 0; j + 1 < batch.lengths[b]; ++j) {
        scored.push_back(b * batch.cols + j);
        targets.push_back(batch.input_ids[static_cast<size_t>(b * batch.cols + j + 1)]);
      }
    torch::Tensor scored_rows = torch::tensor(scored, torch::kLong).to(device);
    torch::Tensor picked = hidden.reshape({batch.rows * batch.cols, hidden.size(2)}).index_select(0, scored_rows);  // (N, C)
    torch::Tensor hits;  // (N) bool, when greedy is wanted
    torch::Tensor losses = target_losses(model, picked, torch::tensor(targets, torch::kLong).to(device),
                                         greedy != nullptr ? &hits : nullptr)
                               .to(torch::kCPU, torch::kFloat);
    const float* loss = losses.data_ptr<float>();  // (N), in the order of `scored`
    if (greedy != nullptr) hits = hits.to(torch::kCPU, torch::kUInt8);
    const uint8_t* hit = greedy != nullptr ? hits.data_ptr<uint8_t>() : nullptr;
    for (int64_t b = 0; b < batch.rows; ++b) {
      const auto i = static_cast<size_t>(batch.example_indices[static_cast<size_t>(b)]);
      const int64_t n = std::max<int64_t>(0, batch.lengths[b] - 1);
      result[i].assign(loss, loss + n);
      loss += n;
      if (greedy != nullptr) {
        (*greedy)[i].assign(hit, hit + n);
        hit += n;
      }
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
