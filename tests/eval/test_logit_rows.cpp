// The scoring pass's fused per-row loss and argmax (logit_rows.h) against torch's cross-entropy
// and argmax, for both implementations, at vocabularies that leave every kind of tail; and the
// rows it must hand back to torch.
#include <gtest/gtest.h>

#include <limits>

#include "privtune/eval/logit_rows.h"
#include "privtune/eval/token_losses.h"
#include "test_util.h"

namespace {

using namespace privtune;

struct Rows {
  torch::Tensor losses, argmax;  // (n) float32, (n) int64
  bool finite = false;
};

Rows fused(bool simd, const torch::Tensor& logits, const torch::Tensor& targets) {
  Rows r{torch::empty({logits.size(0)}), torch::empty({logits.size(0)}, torch::kLong)};
  r.finite = eval::logit_row_losses(simd, logits.data_ptr<float>(), logits.size(0), logits.size(1),
                                    targets.data_ptr<int64_t>(), r.losses.data_ptr<float>(), r.argmax.data_ptr<int64_t>());
  return r;
}

torch::Tensor torch_losses(const torch::Tensor& logits, const torch::Tensor& targets) {
  return torch::nn::functional::cross_entropy(logits, targets,
                                              torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
}

TEST(LogitRows, LossesAndArgmaxAsTorchAtEveryTail) {
  torch::manual_seed(11);
  for (int64_t vocab : {1, 7, 8, 15, 16, 17, 100, 4096, 50304}) {
    const int64_t n = 37;
    torch::Tensor logits = torch::randn({n, vocab}) * 4;
    // Ties at the maximum: the first index wins, as torch's argmax has it.
    if (vocab > 9) logits[3][9] = logits[3][2] = logits[3].max().item<float>() + 1;
    if (vocab > 5) logits[5][vocab - 1] = -std::numeric_limits<float>::infinity();  // a -inf logit is fine
    const torch::Tensor targets = torch::randint(vocab, {n}, torch::kLong);
    const torch::Tensor expected = torch_losses(logits, targets);
    for (bool simd : {false, true}) {
      const Rows r = fused(simd, logits, targets);
      ASSERT_TRUE(r.finite) << vocab;
      EXPECT_TRUE(torch::allclose(r.losses, expected, 2e-6, 2e-6)) << "vocab " << vocab << " simd " << simd
                                                                   << " max diff " << (r.losses - expected).abs().max();
      EXPECT_TRUE(torch::equal(r.argmax, logits.argmax(-1))) << "vocab " << vocab << " simd " << simd;
    }
  }
}

TEST(LogitRows, ARowWithANanOrAnInfinityIsHandedBack) {
  const float inf = std::numeric_limits<float>::infinity();
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), inf}) {
    for (int64_t at : {0, 20, 40}) {  // inside the vector loop, and in the tail
      torch::Tensor logits = torch::randn({4, 41});
      logits[2][at] = bad;
      const torch::Tensor targets = torch::zeros({4}, torch::kLong);
      for (bool simd : {false, true}) EXPECT_FALSE(fused(simd, logits, targets).finite) << bad << " at " << at;
    }
  }
  torch::Tensor all_minus_inf = torch::full({2, 9}, -inf);
  const torch::Tensor targets = torch::zeros({2}, torch::kLong);
  for (bool simd : {false, true}) EXPECT_FALSE(fused(simd, all_minus_inf, targets).finite);
}

TEST(LogitRows, ATargetOutsideTheVocabularyIsHandedBack) {
  const torch::Tensor logits = torch::randn({3, 20});
  for (int64_t bad : {-1, 20}) {
    const torch::Tensor targets = torch::tensor({0L, bad, 1L});
    for (bool simd : {false, true}) EXPECT_FALSE(fused(simd, logits, targets).finite) << bad;
  }
}

// Through a model: the fused path (float32 on the CPU) gives the ordinary path's losses, and a
// float64 model, which takes the ordinary path, agrees with it.
TEST(LogitRows, TargetLossesMatchNextTokenLosses) {
  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    model::CausalLM m = test::tiny_model("gpt_neox", dtype, 5);
    torch::manual_seed(2);
    const torch::Tensor ids = torch::randint(m->config().vocab_size, {2, 9}, torch::kLong);
    const torch::Tensor mask = torch::ones({2, 9}, torch::kLong);
    torch::NoGradGuard no_grad;
    const torch::Tensor expected = eval::next_token_losses(m, ids, mask).reshape({-1});  // (2 * 8)
    const torch::Tensor hidden = m->hidden(ids, mask).slice(1, 0, 8).reshape({16, -1});
    torch::Tensor greedy;
    const torch::Tensor losses = eval::target_losses(m, hidden, ids.slice(1, 1, 9).reshape({-1}), &greedy);
    EXPECT_TRUE(torch::allclose(losses.to(torch::kDouble), expected.to(torch::kDouble), 1e-5, 1e-6)) << dtype;
    const torch::Tensor argmax = m->logits(hidden).argmax(-1);
    EXPECT_TRUE(torch::equal(greedy, argmax.eq(ids.slice(1, 1, 9).reshape({-1})))) << dtype;
  }
}

}  // namespace
