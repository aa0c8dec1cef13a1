// Causal attention in query blocks (model::plan_attention_mask) must give what one block
// over every key gives: the plan, then outputs and gradients for every family's attention
// (fused QKV, grouped-query heads, qk-norm, soft-caps), with right and left padding and a
// sliding window.
#include <gtest/gtest.h>

#include "privtune/model/attention.h"
#include "test_util.h"

namespace {

using namespace privtune;

// (B, 1, T, T) causal mask of rows with `lengths` real tokens, right-padded, or left-padded
// (the padding first, so its queries see no key at all); window > 0 limits the look-back.
torch::Tensor causal_mask(const std::vector<int64_t>& lengths, int64_t T, bool left, int64_t window = 0) {
  const auto B = static_cast<int64_t>(lengths.size());
  torch::Tensor valid = torch::zeros({B, T}, torch::kBool);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t n = lengths[static_cast<size_t>(b)];
    if (left) valid[b].slice(0, T - n, T).fill_(true);
    else valid[b].slice(0, 0, n).fill_(true);
  }
  const torch::Tensor pos = torch::arange(T, torch::kLong);
  torch::Tensor allowed = valid.view({B, 1, 1, T}).logical_and(pos.view({1, 1, 1, T}) <= pos.view({1, 1, T, 1}));
  if (window > 0) allowed = allowed.logical_and(pos.view({1, 1, T, 1}) - pos.view({1, 1, 1, T}) < window);
  return allowed;
}

std::vector<std::vector<int64_t>> plan_of(const torch::Tensor& allowed) {
  std::vector<std::vector<int64_t>> out;
  for (const auto& b : model::plan_attention_mask(allowed).blocks) out.push_back({b.begin, b.end, b.key_end});
  return out;
}

TEST(AttentionBlocks, PlanSkipsOnlyKeysNoQueryOfTheBlockMaySee) {
  // 300 queries: blocks of 64 (at least 64, at most 8 blocks), each up to its own last query.
  const std::vector<std::vector<int64_t>> causal = {
      {0, 64, 64}, {64, 128, 128}, {128, 192, 192}, {192, 256, 256}, {256, 300, 300}};
  EXPECT_EQ(plan_of(causal_mask({300, 150}, 300, false)), causal);
  // 1000 queries: 8 blocks of 125.
  EXPECT_EQ(plan_of(causal_mask({1000}, 1000, false)).size(), 8u);
  // Left padding: a query with no key at all keeps every key (its uniform row), so the
  // first block of a row padded by 10 needs all 300 keys; the others are unchanged.
  std::vector<std::vector<int64_t>> left = causal;
  left[0][2] = 300;
  EXPECT_EQ(plan_of(causal_mask({300, 290}, 300, true)), left);
  // Nothing to skip (every query sees every key), or fewer than 256 queries: one block.
  EXPECT_TRUE(plan_of(torch::ones({2, 1, 300, 300}, torch::kBool)).empty());
  EXPECT_TRUE(plan_of(causal_mask({255}, 255, false)).empty());
}

class BlockedAttention : public ::testing::TestWithParam<std::string> {};

TEST_P(BlockedAttention, EqualsOneBlockForwardAndBackward) {
  torch::manual_seed(3);
  auto m = test::tiny_model(GetParam(), torch::kDouble);
  const model::ModelConfig& c = m->config();
  auto block = m->layers[0]->as<model::Block>();
  const int64_t T = 300;
  const torch::Tensor positions = torch::arange(T, torch::kLong).unsqueeze(0).expand({3, T});
  const model::RopeTables rope = model::rope_tables(c.ropes[0], c.rotary_dim, positions, torch::kDouble);
  for (const bool left : {false, true})
    for (const int64_t window : {int64_t{0}, int64_t{40}}) {
      SCOPED_TRACE(std::string(left ? "left" : "right") + " padding, window " + std::to_string(window));
      const torch::Tensor allowed = causal_mask({300, 281, 270}, T, left, window);
      const model::AttentionMask blocked = model::plan_attention_mask(allowed);
      ASSERT_FALSE(blocked.blocks.empty());
      const model::AttentionMask whole{allowed, {}};
      const torch::Tensor x = torch::randn({3, T, c.hidden_size}, torch::kDouble);
      const torch::Tensor weights = torch::randn({3, T, c.hidden_size}, torch::kDouble);
      std::vector<torch::Tensor> outputs, grads;
      for (const model::AttentionMask* mask : {&blocked, &whole}) {
        torch::Tensor input = x.clone().requires_grad_(true);
        torch::Tensor out = block->attn->forward(input, rope, *mask, nullptr);
        (out * weights).sum().backward();
        outputs.push_back(out.detach());
        grads.push_back(input.grad());
      }
      EXPECT_TRUE(torch::allclose(outputs[0], outputs[1], 1e-12, 1e-12));
      EXPECT_TRUE(torch::allclose(grads[0], grads[1], 1e-12, 1e-12));
    }
}

INSTANTIATE_TEST_SUITE_P(Families, BlockedAttention, ::testing::ValuesIn(test::tiny_families()));

}  // namespace
