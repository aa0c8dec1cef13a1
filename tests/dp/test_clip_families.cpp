// The clipper against the naive one-example-at-a-time loop (clip_reference.h), in float64,
// on a tiny model of every family (tied and untied embeddings), full fine-tuning and LoRA,
// right-padded rows of unequal lengths, each norm method: every row clipped, none clipped,
// and user-level groups.
#include <gtest/gtest.h>

#include <cmath>

#include "clip_reference.h"
#include "privtune/dp/per_example.h"
#include "privtune/peft/lora.h"
#include "test_util.h"

namespace {

using namespace privtune;

// LoRA on every linear layer, B random so that A's gradient is not zero.
void add_random_lora(model::CausalLM& m) {
  peft::LoraConfig config;
  config.r = 3;
  config.alpha = 6;
  config.targets.all_linear = true;
  peft::add_lora(m, config, /*seed=*/5);
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  for (auto& [name, p] : peft::lora_parameters(m))
    if (name.find("lora_B") != std::string::npos) p.copy_(0.3 * torch::randn_like(p));
}

struct Result {
  torch::Tensor norms;
  test::Grads sum;
};

Result clip(model::CausalLM& m, const test::Batch& b, double C, dp::NormMethod method,
            const torch::Tensor& groups = torch::Tensor()) {
  dp::PerExampleClipper clipper(m, {C, method});
  torch::Tensor norms = clipper.backward(test::per_example_loss(m->forward(b.ids, b.mask), b), groups);
  return {norms, test::take_grads(m)};
}

double relative_error(const torch::Tensor& got, const torch::Tensor& want) {
  return ((got - want).abs() / want.clamp_min(1e-300)).max().item<double>();  // an empty group's norm is 0
}

using Case = std::tuple<std::string, bool, dp::NormMethod>;  // family, LoRA, method

class ClipFamilies : public ::testing::TestWithParam<Case> {};

TEST_P(ClipFamilies, MatchesNaiveLoop) {
  const auto& [family, lora, method] = GetParam();
  model::CausalLM m = test::tiny_model(family, torch::kDouble);
  if (lora) add_random_lora(m);
  const test::Batch b = test::random_batch(m->config().vocab_size, {9, 5, 7, 3}, /*seed=*/11);
  const std::vector<test::Grads> rows = test::per_row_gradients(m, b);
  const torch::Tensor norms = test::naive_clipped_sum(rows, INFINITY).norms;
  const double smallest = norms.min().item<double>(), largest = norms.max().item<double>();

  for (double C : {0.5 * smallest, 2.0 * largest}) {  // every row clipped; none
    SCOPED_TRACE("C = " + std::to_string(C));
    const test::ClippedSum want = test::naive_clipped_sum(rows, C);
    const Result got = clip(m, b, C, method);
    EXPECT_EQ(got.norms.scalar_type(), torch::kDouble);
    EXPECT_LE(relative_error(got.norms, want.norms), 1e-8);
    EXPECT_LE(test::max_relative_error(got.sum, want.sum), 1e-8);
  }

  // User-level: rows 0 and 2 are one user; group 2 has no rows (norm 0).
  const std::vector<int64_t> groups = {1, 0, 1, 3};
  const test::ClippedSum unclipped = test::naive_clipped_sum(rows, INFINITY, groups);
  const double C = 0.7 * unclipped.norms.max().item<double>();  // the largest group clipped
  const test::ClippedSum want = test::naive_clipped_sum(rows, C, groups);
  const Result got = clip(m, b, C, method, torch::tensor(groups, torch::kLong));
  EXPECT_LE(relative_error(got.norms, want.norms), 1e-8);
  EXPECT_LE(test::max_relative_error(got.sum, want.sum), 1e-8);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const auto& [family, lora, method] = info.param;
  return family + (lora ? "_lora_" : "_full_") + dp::to_string(method);
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, ClipFamilies,
                         ::testing::Combine(::testing::ValuesIn(test::tiny_families()), ::testing::Bool(),
                                            ::testing::Values(dp::NormMethod::kGhost, dp::NormMethod::kMaterialized,
                                                              dp::NormMethod::kAuto)),
                         case_name);

}  // namespace
