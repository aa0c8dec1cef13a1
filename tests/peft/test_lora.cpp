// LoRA on the tiny random models of every family: what add_lora attaches and freezes, the
// parameter names, the scale, dropout, training leaving the base bit-identical, merging.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "privtune/model/family.h"
#include "privtune/peft/lora.h"
#include "privtune/peft/lora_layer.h"
#include "privtune/peft/merge.h"
#include "privtune/peft/targets.h"
#include "test_util.h"

namespace {

using namespace privtune;

struct Batch {
  torch::Tensor ids, mask;  // (B, T) int64, right-padded
};

Batch tiny_batch(int64_t vocab) {
  torch::manual_seed(7);
  Batch b{torch::randint(vocab, {2, 9}, torch::kLong), torch::ones({2, 9}, torch::kLong)};
  b.mask[1].narrow(0, 6, 3).zero_();
  return b;
}

// Gives every lora_B random values so that adapters change the output.
void randomise_b(model::CausalLM& m, double std = 0.2) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  for (auto& [name, p] : peft::lora_parameters(m))
    if (name.find("lora_B") != std::string::npos) p.copy_(std::sqrt(std) * torch::randn_like(p));
}

std::map<std::string, torch::Tensor> base_copy(model::CausalLM& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : m->named_parameters())
    if (item.key().find(".adapter.") == std::string::npos) out[item.key()] = item.value().detach().clone();
  return out;
}

class LoraFamilies : public ::testing::TestWithParam<std::string> {};

TEST_P(LoraFamilies, FreshAdapterLeavesOutputAndFreezesBase) {
  model::CausalLM m = test::tiny_model(GetParam());
  m->eval();
  const Batch b = tiny_batch(m->config().vocab_size);
  torch::NoGradGuard no_grad;
  const torch::Tensor before = m->forward(b.ids, b.mask);
  peft::LoraConfig config;
  config.r = 4;
  auto adapted = peft::add_lora(m, config);
  const std::vector<std::string> defaults = model::family_for(GetParam(), "test").default_lora_targets;
  // Default targets on every layer: one adapted module per default target and layer.
  EXPECT_EQ(adapted.size(), defaults.size() * static_cast<size_t>(m->config().num_layers));
  EXPECT_TRUE(torch::equal(m->forward(b.ids, b.mask), before));  // B = 0
  for (const auto& item : m->named_parameters()) {
    const bool lora = item.key().find(".adapter.lora_") != std::string::npos;
    EXPECT_EQ(item.value().requires_grad(), lora) << item.key();
  }
  const auto trainable = peft::trainable_parameters(m);
  EXPECT_EQ(trainable.size(), 2 * adapted.size());
  int64_t expected = 0;  // r x (in + out) per adapted layer
  for (const auto& site : peft::linear_sites(m))
    if (site.linear->adapter) expected += 4 * (site.linear->in_features + site.linear->out_features);
  EXPECT_EQ(peft::count_parameters(trainable), expected);
}

TEST_P(LoraFamilies, AdamWTrainsAdaptersAndLeavesBaseBitIdentical) {
  model::CausalLM m = test::tiny_model(GetParam());
  peft::LoraConfig config;
  config.r = 2;
  config.alpha = 4;
  config.dropout = 0.1;
  config.targets.all_linear = true;
  peft::add_lora(m, config, /*seed=*/5);
  const auto base = base_copy(m);
  std::map<std::string, torch::Tensor> adapters;
  for (auto& [name, p] : peft::lora_parameters(m)) adapters[name] = p.detach().clone();

  m->train();
  const Batch b = tiny_batch(m->config().vocab_size);
  // Weight decay on: AdamW must still never touch a frozen parameter.
  torch::optim::AdamW optimizer(peft::trainable_parameters(m), torch::optim::AdamWOptions(1e-2).weight_decay(0.1));
  for (int step = 0; step < 3; ++step) {
    optimizer.zero_grad();
    auto logits = m->forward(b.ids, b.mask);  // (B, T, V)
    auto loss = torch::nn::functional::cross_entropy(logits.narrow(1, 0, 8).reshape({-1, logits.size(-1)}),
                                                     b.ids.narrow(1, 1, 8).reshape({-1}));
    loss.backward();
    optimizer.step();
  }
  for (const auto& item : m->named_parameters()) {
    if (item.key().find(".adapter.") != std::string::npos) continue;
    EXPECT_TRUE(torch::equal(item.value(), base.at(item.key()))) << item.key() << " changed";
    EXPECT_FALSE(item.value().grad().defined()) << item.key() << " has a gradient";
  }
  for (auto& [name, p] : peft::lora_parameters(m)) EXPECT_FALSE(torch::equal(p, adapters.at(name))) << name;
}

TEST_P(LoraFamilies, MergedModelEqualsBasePlusAdapter) {
  model::CausalLM m = test::tiny_model(GetParam());
  m->eval();
  peft::LoraConfig config;
  config.r = 3;
  config.alpha = 5;
  config.targets.all_linear = true;
  peft::add_lora(m, config);
  randomise_b(m);
  const Batch b = tiny_batch(m->config().vocab_size);
  torch::NoGradGuard no_grad;
  const torch::Tensor with_adapter = m->forward(b.ids, b.mask);
  const int64_t layers = peft::merge_lora(m);
  EXPECT_GT(layers, 0);
  EXPECT_FALSE(peft::has_lora(m));
  EXPECT_TRUE(peft::lora_parameters(m).empty());
  for (const auto& p : m->parameters()) EXPECT_TRUE(p.requires_grad());
  const torch::Tensor merged = m->forward(b.ids, b.mask);
  auto valid = b.mask.to(torch::kBool);
  const double scale = with_adapter.index({valid}).abs().max().item<double>();
  EXPECT_LE((merged - with_adapter).index({valid}).abs().max().item<double>(), 1e-5 * scale);
}

INSTANTIATE_TEST_SUITE_P(Tiny, LoraFamilies, ::testing::ValuesIn(test::tiny_families()));

TEST(Lora, ParameterNamesMapToPeftKeys) {
  model::CausalLM m = test::tiny_model("llama");
  peft::LoraConfig config;
  config.r = 2;
  peft::add_lora(m, config);
  auto params = peft::lora_parameters(m);
  ASSERT_EQ(params.size(), 12u);  // 3 layers x {q, v} x {A, B}
  EXPECT_EQ(params[0].first, "layers.0.attn.q.adapter.lora_A.weight");
  EXPECT_EQ(params[0].second.sizes().vec(), (std::vector<int64_t>{2, 32}));  // (r, in)
  EXPECT_EQ(params[1].first, "layers.0.attn.q.adapter.lora_B.weight");
  EXPECT_EQ(params[1].second.sizes().vec(), (std::vector<int64_t>{32, 2}));  // (out, r)
  auto state = peft::peft_state(m);
  EXPECT_EQ(state[0].first, "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
  EXPECT_EQ(state[3].first, "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight");
  EXPECT_EQ(state[3].second.sizes().vec(), (std::vector<int64_t>{16, 2}));  // GQA: 2 kv heads x 8

  model::CausalLM neox = test::tiny_model("gpt_neox");
  peft::add_lora(neox, config);
  EXPECT_EQ(peft::peft_state(neox)[0].first,
            "base_model.model.gpt_neox.layers.0.attention.query_key_value.lora_A.weight");
}

TEST(Lora, InitialisationFollowsPeft) {
  model::CausalLM m = test::tiny_model("qwen2");
  peft::LoraConfig config;
  config.r = 16;
  config.targets.names = {"down_proj"};
  peft::add_lora(m, config, 11);
  auto params = peft::lora_parameters(m);
  ASSERT_EQ(params.size(), 6u);
  const torch::Tensor& a = params[0].second;  // (16, 48): kaiming_uniform(a = sqrt(5)) bound 1/sqrt(48)
  const double bound = 1.0 / std::sqrt(48.0);
  EXPECT_LE(a.abs().max().item<double>(), bound);
  EXPECT_GT(a.abs().max().item<double>(), 0.8 * bound);
  EXPECT_TRUE(torch::equal(params[1].second, torch::zeros_like(params[1].second)));
  // The same seed gives the same adapter; another seed another.
  model::CausalLM again = test::tiny_model("qwen2");
  peft::add_lora(again, config, 11);
  EXPECT_TRUE(torch::equal(peft::lora_parameters(again)[0].second, a));
  model::CausalLM other = test::tiny_model("qwen2");
  peft::add_lora(other, config, 12);
  EXPECT_FALSE(torch::equal(peft::lora_parameters(other)[0].second, a));
}

TEST(Lora, ScaleIsAlphaOverROrSqrtRWithRsLora) {
  peft::LoraConfig config;
  config.r = 16;
  config.alpha = 32;
  EXPECT_DOUBLE_EQ(config.scale(), 2.0);
  config.rslora = true;
  EXPECT_DOUBLE_EQ(config.scale(), 8.0);

  // And the layer applies it: delta(x) = scale * x A^T B^T.
  model::CausalLM m = test::tiny_model("llama");
  config.r = 4;
  config.alpha = 6;  // rsLoRA: 6 / 2 = 3
  config.targets.names = {"layers.1.self_attn.q_proj"};
  peft::add_lora(m, config);
  randomise_b(m);
  auto* layer = m->layers[1]->as<model::Block>()->attn->q.get();
  auto adapter = std::dynamic_pointer_cast<peft::LoraAdapterImpl>(layer->adapter);
  ASSERT_TRUE(adapter);
  EXPECT_DOUBLE_EQ(adapter->scale, 3.0);
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({5, 32});
  torch::Tensor expected = torch::linear(x, layer->weight, layer->bias) +
                           3.0 * torch::matmul(torch::matmul(x, adapter->lora_A->weight.t()), adapter->lora_B->weight.t());
  EXPECT_TRUE(torch::allclose(layer->forward(x), expected, 1e-5, 1e-6));
}

TEST(Lora, DropoutOnlyInTrainingMode) {
  model::CausalLM m = test::tiny_model("gpt_neox");
  peft::LoraConfig config;
  config.r = 4;
  config.dropout = 0.5;
  peft::add_lora(m, config);
  randomise_b(m);
  const Batch b = tiny_batch(m->config().vocab_size);
  torch::NoGradGuard no_grad;
  m->eval();
  torch::Tensor e1 = m->forward(b.ids, b.mask), e2 = m->forward(b.ids, b.mask);
  EXPECT_TRUE(torch::equal(e1, e2));
  m->train();
  torch::Tensor t1 = m->forward(b.ids, b.mask);
  EXPECT_FALSE(torch::allclose(t1, e1));
}

TEST(Lora, RemoveRestoresThePlainModel) {
  model::CausalLM m = test::tiny_model("gemma2");
  m->eval();
  const Batch b = tiny_batch(m->config().vocab_size);
  torch::NoGradGuard no_grad;
  const torch::Tensor before = m->forward(b.ids, b.mask);
  peft::LoraConfig config;
  config.targets.all_linear = true;
  peft::add_lora(m, config);
  randomise_b(m);
  EXPECT_FALSE(torch::equal(m->forward(b.ids, b.mask), before));
  EXPECT_THROW(peft::add_lora(m, config), Error);  // twice
  peft::remove_lora(m);
  EXPECT_TRUE(torch::equal(m->forward(b.ids, b.mask), before));
  EXPECT_EQ(peft::trainable_parameters(m).size(), m->parameters().size());
}

}  // namespace
