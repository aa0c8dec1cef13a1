// PerExampleClipper's contract beyond agreement with the naive loop: no clipping gives the
// ordinary gradient, micro-batches accumulate, frozen parameters stay without .grad,
// parameters without a rule are named, bad input, detaching, rules(), bfloat16.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "clip_reference.h"
#include "privtune/core/error.h"
#include "privtune/dp/per_example.h"
#include "privtune/peft/lora.h"
#include "test_util.h"

namespace {

using namespace privtune;

const std::vector<int64_t> kLengths = {9, 5, 7, 3};

test::Batch batch_for(model::CausalLM& m, uint64_t seed = 11) {
  return test::random_batch(m->config().vocab_size, kLengths, seed);
}

torch::Tensor loss_of(model::CausalLM& m, const test::Batch& b) {
  return test::per_example_loss(m->forward(b.ids, b.mask), b);
}

void add_lora(model::CausalLM& m) {
  peft::LoraConfig config;
  config.r = 2;
  peft::add_lora(m, config, /*seed=*/5);
}

TEST(Clipper, ParsesNormMethods) {
  EXPECT_EQ(dp::parse_norm_method("auto"), dp::NormMethod::kAuto);
  EXPECT_EQ(dp::parse_norm_method("ghost"), dp::NormMethod::kGhost);
  EXPECT_EQ(dp::parse_norm_method("materialized"), dp::NormMethod::kMaterialized);
  EXPECT_THROW(dp::parse_norm_method("materialised"), Error);
}

TEST(Clipper, InfiniteNormGivesTheOrdinarySummedGradient) {
  for (const std::string family : {"gpt_neox", "llama", "gemma2"}) {
    for (bool lora : {false, true}) {
      SCOPED_TRACE(family + (lora ? " lora" : " full"));
      model::CausalLM m = test::tiny_model(family, torch::kDouble);
      if (lora) add_lora(m);
      const test::Batch b = batch_for(m);
      loss_of(m, b).sum().backward();
      const test::Grads ordinary = test::take_grads(m);
      dp::PerExampleClipper clipper(m, {INFINITY, dp::NormMethod::kAuto});
      clipper.backward(loss_of(m, b));
      EXPECT_LE(test::max_relative_error(test::take_grads(m), ordinary), 1e-10);
    }
  }
}

TEST(Clipper, MicroBatchesAccumulate) {
  model::CausalLM m = test::tiny_model("qwen2", torch::kDouble);
  const test::Batch first = batch_for(m, 1), second = batch_for(m, 2);
  const double C = 0.5;
  dp::PerExampleClipper clipper(m, {C, dp::NormMethod::kAuto});
  clipper.backward(loss_of(m, first));
  const test::Grads one = test::take_grads(m);
  clipper.backward(loss_of(m, second));
  const test::Grads two = test::take_grads(m);
  clipper.backward(loss_of(m, first));
  clipper.backward(loss_of(m, second));
  test::Grads both = test::take_grads(m), want = one;
  for (size_t k = 0; k < want.size(); ++k) want[k].second = one[k].second + two[k].second;
  EXPECT_LE(test::max_relative_error(both, want), 1e-12);
}

TEST(Clipper, LoraLeavesTheFrozenBaseWithoutGrad) {
  model::CausalLM m = test::tiny_model("llama");
  add_lora(m);
  dp::PerExampleClipper clipper(m, {1.0, dp::NormMethod::kAuto});
  const test::Batch b = batch_for(m);
  clipper.backward(loss_of(m, b));
  for (const auto& item : m->named_parameters()) {
    const bool adapter = item.key().find(".adapter.lora_") != std::string::npos;
    EXPECT_EQ(item.value().grad().defined(), adapter) << item.key();
  }
  EXPECT_EQ(clipper.rules().size(), peft::lora_parameters(m).size());
}

TEST(Clipper, TrainableParameterWithoutRuleIsNamed) {
  model::CausalLM m = test::tiny_model("gpt_neox");
  m->register_parameter("temperature", torch::ones({1}));
  try {
    dp::PerExampleClipper clipper(m, {1.0, dp::NormMethod::kAuto});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'temperature'"), std::string::npos) << e.what();
  }
  // Frozen, it needs no rule.
  m->named_parameters()["temperature"].set_requires_grad(false);
  EXPECT_NO_THROW(dp::PerExampleClipper(m, {1.0, dp::NormMethod::kAuto}));
}

TEST(Clipper, RejectsBadNormsAndASecondClipper) {
  model::CausalLM m = test::tiny_model("gemma");
  for (double C : {0.0, -1.0, std::nan("")})
    EXPECT_THROW(dp::PerExampleClipper(m, {C, dp::NormMethod::kAuto}), Error) << C;
  dp::PerExampleClipper clipper(m, {1.0, dp::NormMethod::kAuto});
  EXPECT_THROW(dp::PerExampleClipper(m, {1.0, dp::NormMethod::kAuto}), Error);
}

TEST(Clipper, RejectsBadGroupsAndLossesThenRecovers) {
  model::CausalLM m = test::tiny_model("qwen3", torch::kDouble);
  const test::Batch b = batch_for(m);
  dp::PerExampleClipper clipper(m, {1.0, dp::NormMethod::kAuto});
  EXPECT_THROW(clipper.backward(loss_of(m, b), torch::tensor({0, 1, 2}, torch::kLong)), Error);  // 3 ids, 4 rows
  EXPECT_THROW(clipper.backward(loss_of(m, b), torch::tensor({0, -1, 2, 3}, torch::kLong)), Error);
  EXPECT_THROW(clipper.backward(loss_of(m, b), torch::tensor({0.0, 1.0, 2.0, 3.0})), Error);
  EXPECT_THROW(clipper.backward(loss_of(m, b).sum()), Error);  // not one loss per row
  EXPECT_THROW(clipper.backward(loss_of(m, b).narrow(0, 0, 2)), Error);
  EXPECT_FALSE(m->parameters().front().grad().defined());  // nothing was added
  // Each failed call consumed its forward; the next step works as if nothing happened.
  const torch::Tensor norms = clipper.backward(loss_of(m, b));
  EXPECT_EQ(norms.size(0), 4);
  EXPECT_TRUE(norms.isfinite().all().item<bool>());
}

TEST(Clipper, NoGradForwardRecordsNothing) {
  model::CausalLM m = test::tiny_model("llama");
  dp::PerExampleClipper clipper(m, {1.0, dp::NormMethod::kAuto});
  const test::Batch b = batch_for(m);
  torch::Tensor loss;
  {
    torch::NoGradGuard no_grad;
    loss = loss_of(m, b);
  }
  EXPECT_THROW(clipper.backward(loss), std::logic_error);
}

TEST(Clipper, DetachingRestoresTheModel) {
  model::CausalLM m = test::tiny_model("gemma3_text", torch::kDouble);
  const test::Batch b = batch_for(m);
  torch::Tensor before = loss_of(m, b);
  before.sum().backward();
  const test::Grads ordinary = test::take_grads(m);
  {
    dp::PerExampleClipper clipper(m, {1.0, dp::NormMethod::kAuto});
    clipper.backward(loss_of(m, b));
    test::take_grads(m);
  }
  torch::Tensor after = loss_of(m, b);
  EXPECT_TRUE(torch::equal(after, before));
  after.sum().backward();
  EXPECT_EQ(test::max_relative_error(test::take_grads(m), ordinary), 0.0);
}

TEST(Clipper, ReportsRules) {
  model::CausalLM neox = test::tiny_model("gpt_neox");  // untied, LayerNorm with biases
  dp::PerExampleClipper clipper(neox, {1.0, dp::NormMethod::kAuto});
  std::map<std::string, std::string> rules;
  for (const auto& [name, rule] : clipper.rules()) rules[name] = rule;
  EXPECT_EQ(rules.size(), neox->parameters().size());
  EXPECT_EQ(rules.at("embed.weight"), "ghost (embedding)");
  EXPECT_EQ(rules.at("layers.0.attn.qkv.weight"), "auto");  // until a backward picks
  EXPECT_EQ(rules.at("layers.0.attn.qkv.bias"), "materialized (bias)");
  EXPECT_EQ(rules.at("layers.0.attn_norm.weight"), "materialized (norm weight)");
  EXPECT_EQ(rules.at("lm_head.weight"), "auto");
  clipper.backward(loss_of(neox, batch_for(neox)));
  for (const auto& [name, rule] : clipper.rules()) rules[name] = rule;
  // 9 positions: ghost costs 9 x 9 x (32 + 96 + 1) < materialised 9 x 96 x 32.
  EXPECT_EQ(rules.at("layers.0.attn.qkv.weight"), "ghost");

  model::CausalLM llama = test::tiny_model("llama");  // tied
  add_lora(llama);
  {
    dp::PerExampleClipper lora_clipper(llama, {1.0, dp::NormMethod::kAuto});
    lora_clipper.backward(loss_of(llama, batch_for(llama)));
    for (const auto& [name, rule] : lora_clipper.rules()) rules[name] = rule;
    // A (2, 32): materialising costs 9 x 2 x 32 against 9 x 9 x (2 + 32 + 1) for ghost.
    EXPECT_EQ(rules.at("layers.0.attn.q.adapter.lora_A.weight"), "materialized");
  }
  peft::remove_lora(llama);
  dp::PerExampleClipper tied(llama, {1.0, dp::NormMethod::kGhost});
  for (const auto& [name, rule] : tied.rules()) rules[name] = rule;
  EXPECT_EQ(rules.at("embed.weight"), "ghost (tied embedding and LM head)");
  EXPECT_EQ(rules.at("layers.1.mlp.up.weight"), "ghost");
}

TEST(Clipper, Bfloat16ModelsAgreeWithFloat64) {
  for (const std::string family : {"llama", "gpt_neox"}) {
    SCOPED_TRACE(family);
    // The same weights in both: bfloat16 values, held in float64 by one.
    model::CausalLM narrow = test::tiny_model(family, torch::kDouble);
    narrow->to(torch::kBFloat16);
    model::CausalLM wide = test::tiny_model(family, torch::kDouble);
    wide->to(torch::kBFloat16);
    wide->to(torch::kDouble);
    const test::Batch b = batch_for(wide);
    const double C = 0.5;
    dp::PerExampleClipper reference(wide, {C, dp::NormMethod::kAuto});
    const torch::Tensor want_norms = reference.backward(loss_of(wide, b));
    const test::Grads want = test::take_grads(wide);
    dp::PerExampleClipper clipper(narrow, {C, dp::NormMethod::kAuto});
    const torch::Tensor norms = clipper.backward(loss_of(narrow, b));
    EXPECT_EQ(norms.scalar_type(), torch::kDouble);
    EXPECT_TRUE(torch::allclose(norms, want_norms, 0.05, 0));
    test::Grads got = test::take_grads(narrow);
    for (auto& item : got) {
      EXPECT_EQ(item.second.scalar_type(), torch::kBFloat16) << item.first;
      item.second = item.second.to(torch::kDouble);
    }
    // Whole-model relative error: bfloat16 carries ~3 significant digits.
    double error = 0, scale = 0;
    for (size_t k = 0; k < want.size(); ++k) {
      error += (got[k].second - want[k].second).pow(2).sum().item<double>();
      scale += want[k].second.pow(2).sum().item<double>();
    }
    EXPECT_LT(std::sqrt(error / scale), 0.05);
  }
}

}  // namespace
