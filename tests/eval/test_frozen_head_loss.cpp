// The loss through a frozen LM head (frozen_head_loss.h) against the ordinary path (the whole
// batch's logits, then cross-entropy): the same losses and the same gradients upstream of the
// head, for every tiny family, tied and untied, with padding; and when the fast path applies.
#include <gtest/gtest.h>

#include "privtune/eval/frozen_head_loss.h"
#include "privtune/eval/token_losses.h"
#include "test_util.h"

namespace {

using namespace privtune;
using test::tiny_families;
using test::tiny_model;

struct Batch {
  torch::Tensor ids, mask;  // (B, T)
};

Batch padded_batch(int64_t vocab) {
  torch::manual_seed(4);
  Batch b{torch::randint(vocab, {3, 7}, torch::kLong), torch::ones({3, 7}, torch::kLong)};
  b.mask[1].slice(0, 5).zero_();  // rows of 7, 5 and 3 tokens
  b.mask[2].slice(0, 3).zero_();
  return b;
}

torch::Tensor ordinary_losses(model::CausalLM& m, const Batch& b) {  // (B, T-1)
  const int64_t B = b.ids.size(0), T = b.ids.size(1);
  const torch::Tensor logits = m->forward(b.ids, b.mask);  // (B, T, V)
  const torch::Tensor predicted = logits.slice(1, 0, T - 1).reshape({B * (T - 1), logits.size(2)});
  const torch::Tensor wide = predicted.scalar_type() == torch::kDouble ? predicted : predicted.to(torch::kFloat);
  return torch::nn::functional::cross_entropy(wide, b.ids.slice(1, 1, T).reshape({-1}),
                                              torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
      .view({B, T - 1});
}

// Everything frozen but the final norm's weight, which stands for whatever is trained below
// the head (adapters, blocks); its gradient carries the hidden states' gradient.
torch::Tensor train_only_final_norm(model::CausalLM& m) {
  for (auto& p : m->parameters()) p.set_requires_grad(false);
  m->final_norm->weight.set_requires_grad(true);
  return m->final_norm->weight;
}

// Losses and the trainable weight's gradient of sum(losses * upstream).
std::pair<torch::Tensor, torch::Tensor> losses_and_gradient(const torch::Tensor& trainable, const torch::Tensor& losses,
                                                            const torch::Tensor& upstream) {
  (losses * upstream).sum().backward();
  std::pair<torch::Tensor, torch::Tensor> out{losses.detach(), trainable.grad().clone()};
  trainable.mutable_grad().zero_();
  return out;
}

TEST(FrozenHeadLoss, SameLossesAndGradientsAsTheWholeLogits) {
  for (const std::string& family : tiny_families()) {
    for (const auto dtype : {torch::kDouble, torch::kFloat}) {
      model::CausalLM m = tiny_model(family, dtype, 3);
      const torch::Tensor trainable = train_only_final_norm(m);
      EXPECT_EQ(eval::frozen_head_applies(m), m->config().final_softcap == 0) << family;  // gemma2 caps
      const Batch b = padded_batch(m->config().vocab_size);
      const torch::Tensor upstream = torch::rand({3, 6}, torch::TensorOptions().dtype(torch::kDouble)) + 0.5;
      const auto [want_losses, want_grad] = losses_and_gradient(trainable, ordinary_losses(m, b), upstream);
      const auto [got_losses, got_grad] =
          losses_and_gradient(trainable, eval::next_token_losses(m, b.ids, b.mask), upstream);
      const double tolerance = dtype == torch::kDouble ? 1e-12 : 2e-5;
      EXPECT_EQ(got_losses.scalar_type(), dtype == torch::kDouble ? torch::kDouble : torch::kFloat) << family;
      EXPECT_TRUE(torch::allclose(got_losses, want_losses, tolerance, tolerance)) << family << " " << dtype;
      EXPECT_TRUE(torch::allclose(got_grad, want_grad, tolerance, tolerance)) << family << " " << dtype;
    }
  }
}

TEST(FrozenHeadLoss, OnlyWhenTheHeadIsFrozen) {
  model::CausalLM untied = tiny_model("gpt_neox");  // its own LM head
  EXPECT_FALSE(eval::frozen_head_applies(untied));  // every parameter trainable (full)
  untied->output_weight().set_requires_grad(false);
  EXPECT_TRUE(eval::frozen_head_applies(untied));
  model::CausalLM tied = tiny_model("qwen3");  // the embedding is the head
  ASSERT_FALSE(tied->lm_head);
  EXPECT_FALSE(eval::frozen_head_applies(tied));
  tied->embed->weight.set_requires_grad(false);
  EXPECT_TRUE(eval::frozen_head_applies(tied));
  model::CausalLM capped = tiny_model("gemma2");  // a final logit soft-cap: the ordinary path
  capped->output_weight().set_requires_grad(false);
  EXPECT_FALSE(eval::frozen_head_applies(capped));
}

}  // namespace
