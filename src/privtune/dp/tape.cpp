#include "privtune/dp/tape.h"

#include <stdexcept>

namespace privtune::dp {

namespace {

// (B, ..., d) -> (B, L, d): every layer's leading axis is the batch, its last the features.
torch::Tensor by_position(const torch::Tensor& t) {
  if (t.dim() < 2) throw std::logic_error("per-example clipping: a recorded layer saw no batch axis");
  return t.reshape({t.size(0), -1, t.size(-1)});
}

}  // namespace

Tape::Tape(const std::vector<torch::Tensor>& parameters) : parameters_(parameters) {
  for (size_t i = 0; i < parameters_.size(); ++i) index_[parameters_[i].unsafeGetTensorImpl()] = i;
}

const size_t* Tape::index_of(const torch::Tensor& parameter) const {
  if (!parameter.defined()) return nullptr;
  auto it = index_.find(parameter.unsafeGetTensorImpl());
  return it == index_.end() ? nullptr : &it->second;
}

size_t Tape::add_output(const torch::Tensor& y) {
  // When nothing before this layer is trainable (the embedding; an adapter on a frozen base)
  // its output is not in the graph yet; it must be for backward to reach it.
  if (!y.requires_grad()) y.requires_grad_(true);
  outputs_.push_back(y);
  return outputs_.size() - 1;
}

void Tape::add_weight_and_bias(const torch::Tensor& weight, const torch::Tensor& bias, Form weight_form,
                               const torch::Tensor& input, const torch::Tensor& y) {
  const size_t* w = index_of(weight);
  const size_t* b = index_of(bias);
  if (w == nullptr && b == nullptr) return;
  const size_t output = add_output(y);
  if (w != nullptr) uses_.push_back({*w, output, weight_form, by_position(input.detach())});
  if (b != nullptr) uses_.push_back({*b, output, Form::kGradientSum, torch::Tensor()});
}

void Tape::linear(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& x,
                  const torch::Tensor& y) {
  add_weight_and_bias(weight, bias, Form::kWeightTimesInput, x, y);
}

void Tape::embedding(const torch::Tensor& weight, const torch::Tensor& ids, const torch::Tensor& y) {
  const size_t* w = index_of(weight);
  if (w == nullptr) return;
  uses_.push_back({*w, add_output(y), Form::kIdsTimesGradient, ids.reshape({ids.size(0), -1})});
}

void Tape::scale(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& normed,
                 const torch::Tensor& y) {
  add_weight_and_bias(weight, bias, Form::kGradientTimesInput, normed, y);
}

int64_t Tape::batch_size() const {
  const int64_t rows = outputs_.empty() ? 0 : outputs_.front().size(0);
  for (const auto& y : outputs_)
    if (y.size(0) != rows)
      throw std::logic_error("per-example clipping: the recorded forward passes have different batch sizes "
                             "(a forward without backward since the last step?)");
  return rows;
}

void Tape::clear() {
  outputs_.clear();
  uses_.clear();
}

std::vector<ParameterUses> Tape::backward(const torch::Tensor& total_loss) {
  std::vector<torch::Tensor> outputs = std::move(outputs_);
  std::vector<Use> uses = std::move(uses_);
  clear();
  std::vector<torch::Tensor> grads = torch::autograd::grad({total_loss}, outputs, /*grad_outputs=*/{},
                                                           /*retain_graph=*/false, /*create_graph=*/false,
                                                           /*allow_unused=*/true);
  outputs.clear();

  std::vector<ParameterUses> result(parameters_.size());
  for (const Use& use : uses) {
    if (!grads[use.output].defined()) continue;  // this output does not reach the loss
    const torch::Tensor grad = by_position(grads[use.output]);  // (B, L, out)
    const torch::Tensor& parameter = parameters_[use.parameter];
    const auto acc = accumulation_dtype(parameter);
    ParameterUses& into = result[use.parameter];
    switch (use.form) {
      case Form::kWeightTimesInput:
        into.products.push_back({Factor::vectors(grad), Factor::vectors(use.input)});
        break;
      case Form::kIdsTimesGradient:
        into.products.push_back({Factor::one_hot(use.input, parameter.size(0)), Factor::vectors(grad)});
        break;
      case Form::kGradientSum:
        into.per_row.push_back(grad.sum(1, /*keepdim=*/false, acc));
        break;
      case Form::kGradientTimesInput:
        into.per_row.push_back((grad.to(use.input.scalar_type()) * use.input).sum(1, /*keepdim=*/false, acc));
        break;
    }
  }
  return result;
}

}  // namespace privtune::dp
