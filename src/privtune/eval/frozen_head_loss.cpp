#include "privtune/eval/frozen_head_loss.h"

#include <algorithm>

#include "privtune/eval/token_losses.h"

namespace privtune::eval {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct FrozenHeadCrossEntropy : public torch::autograd::Function<FrozenHeadCrossEntropy> {
  // hidden (N, C); weight (V, C) and bias (V) constant; targets (N) -> (N). The bias is an
  // optional because an undefined tensor among a Function's inputs fails in libtorch 1.13.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& hidden, const torch::Tensor& weight,
                               const torch::Tensor& targets, const c10::optional<torch::Tensor>& bias) {
    const int64_t N = hidden.size(0), V = weight.size(0);
    const auto wide = hidden.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
    torch::Tensor losses = torch::empty({N}, hidden.options().dtype(wide));
    torch::Tensor direction = torch::empty_like(hidden);  // (N, C): (softmax - onehot) W per row
    const int64_t rows = logit_block_rows(V);
    torch::Tensor product_weight;  // the weight in the logits' dtype (bf16 under autocast), cast once
    for (int64_t begin = 0; begin < N; begin += rows) {
      const int64_t end = std::min(N, begin + rows);
      const torch::Tensor target = targets.slice(0, begin, end).unsqueeze(1);   // (n, 1)
      const torch::Tensor logits = torch::linear(hidden.slice(0, begin, end), weight, bias);  // (n, V)
      torch::Tensor log_probs = torch::log_softmax(logits, 1, wide);                         // (n, V)
      losses.slice(0, begin, end).copy_(log_probs.gather(1, target).squeeze(1).neg());
      torch::Tensor probs = log_probs.exp_();  // softmax, in the place of the log-probabilities
      probs.scatter_add_(1, target, torch::full_like(target, -1.0, probs.options()));  // - onehot
      if (!product_weight.defined()) product_weight = weight.to(logits.scalar_type());
      direction.slice(0, begin, end).copy_(torch::matmul(probs.to(logits.scalar_type()), product_weight));
    }
    ctx->save_for_backward({direction});
    return losses;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_losses) {
    const torch::Tensor direction = ctx->get_saved_variables()[0];
    const torch::Tensor upstream = grad_losses[0].to(direction.scalar_type()).unsqueeze(1);  // (N, 1)
    return {direction * upstream, torch::Tensor(), torch::Tensor(), torch::Tensor()};  // one per input of forward
  }
};

}  // namespace

bool frozen_head_applies(model::CausalLM& model) {
  if (model->config().final_softcap > 0) return false;
  if (model->lm_head) {
    const model::LinearImpl& head = *model->lm_head;
    if (head.adapter || head.recorder != nullptr) return false;
    if (head.bias.defined() && head.bias.requires_grad()) return false;
  } else if (model->embed->recorder != nullptr) {
    return false;
  }
  return !model->output_weight().requires_grad();
}

torch::Tensor frozen_head_losses(model::CausalLM& model, const torch::Tensor& hidden, const torch::Tensor& targets) {
  c10::optional<torch::Tensor> bias;
  if (model->lm_head && model->lm_head->bias.defined()) bias = model->lm_head->bias;
  return FrozenHeadCrossEntropy::apply(hidden, model->output_weight(), targets, bias);
}

}  // namespace privtune::eval
