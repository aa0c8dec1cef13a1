// Properties every family must have: save/load round trip, padding invariance, batch
// equals one-by-one, cached generation equals recomputation, exact gradients, bf16 and
// sharded checkpoints.
#include <gtest/gtest.h>

#include <filesystem>

#include "privtune/core/file_io.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/generate.h"
#include "test_util.h"

namespace {

using namespace privtune;
using model::TokenIds;

class Family : public ::testing::TestWithParam<std::string> {};

std::vector<TokenIds> sample_sequences() {
  return {{5, 17, 3, 88, 42, 9, 61, 7, 33, 20}, {11, 4, 70}, {96, 1, 2, 50, 8, 8}};
}

torch::Tensor single_logits(model::CausalLM& m, const TokenIds& seq) {
  auto batch = model::pad_right({seq}, 0, torch::kCPU);
  return m->forward(batch.ids, batch.mask)[0];
}

TEST_P(Family, SaveLoadGivesIdenticalLogits) {
  auto m = test::tiny_model(GetParam());
  const std::string dir = test::temp_dir("roundtrip_" + GetParam());
  model::save_model(m, dir);
  auto loaded = model::load_model(dir);
  torch::NoGradGuard no_grad;
  auto batch = model::pad_right(sample_sequences(), 0, torch::kCPU);
  EXPECT_TRUE(torch::equal(m->forward(batch.ids, batch.mask), loaded->forward(batch.ids, batch.mask)));
}

TEST_P(Family, RightPaddingAndBatchingDoNotChangeLogits) {
  auto m = test::tiny_model(GetParam());
  torch::NoGradGuard no_grad;
  auto sequences = sample_sequences();
  auto batch = model::pad_right(sequences, 0, torch::kCPU);
  auto batched = m->forward(batch.ids, batch.mask);
  // Different pad ids must not matter either.
  auto batch_other_pad = model::pad_right(sequences, 55, torch::kCPU);
  auto batched_other = m->forward(batch_other_pad.ids, batch_other_pad.mask);
  for (size_t b = 0; b < sequences.size(); ++b) {
    const int64_t n = static_cast<int64_t>(sequences[b].size());
    auto alone = single_logits(m, sequences[b]);
    auto row = batched[static_cast<int64_t>(b)].narrow(0, 0, n);
    EXPECT_TRUE(torch::allclose(row, alone, 1e-5, 1e-5)) << "row " << b;
    EXPECT_TRUE(torch::allclose(batched_other[static_cast<int64_t>(b)].narrow(0, 0, n), alone, 1e-5, 1e-5));
  }
}

TEST_P(Family, CachedGenerationEqualsRecomputation) {
  auto m = test::tiny_model(GetParam());
  std::vector<TokenIds> prompts = {{5, 17, 3, 88}, {11}, {96, 1, 2, 50, 8, 8, 30}};
  for (double temperature : {0.0, 0.9}) {
    model::GenerateOptions o;
    o.max_new_tokens = 8;
    o.temperature = temperature;
    o.top_k = 20;
    o.top_p = 0.9;
    o.seed = 7;
    o.keep_logits = true;
    auto cached = model::generate(m, prompts, o);
    o.use_cache = false;
    auto full = model::generate(m, prompts, o);
    EXPECT_EQ(cached.tokens, full.tokens) << "temperature " << temperature;
    ASSERT_EQ(cached.step_logits.size(), full.step_logits.size());
    for (size_t s = 0; s < cached.step_logits.size(); ++s)
      EXPECT_TRUE(torch::allclose(cached.step_logits[s], full.step_logits[s], 1e-4, 1e-5)) << "step " << s;
    for (const auto& row : cached.tokens) EXPECT_EQ(row.size(), 8u);
  }
}

TEST_P(Family, GenerationStopsAtEos) {
  auto m = test::tiny_model(GetParam());
  model::GenerateOptions o;
  o.max_new_tokens = 6;
  auto free_run = model::generate(m, {{5, 17, 3}}, o);
  ASSERT_GE(free_run.tokens[0].size(), 3u);
  o.stop_ids = {free_run.tokens[0][2]};
  auto stopped = model::generate(m, {{5, 17, 3}}, o);
  auto first_stop = std::find(free_run.tokens[0].begin(), free_run.tokens[0].end(), o.stop_ids[0]);
  TokenIds expected(free_run.tokens[0].begin(), first_stop + 1);
  EXPECT_EQ(stopped.tokens[0], expected);
}

TEST_P(Family, GradientsMatchFiniteDifferences) {
  auto m = test::tiny_model(GetParam(), torch::kDouble, 3);
  auto batch = model::pad_right(sample_sequences(), 0, torch::kCPU);
  torch::manual_seed(0);
  auto probe = torch::randn({batch.ids.size(0), batch.ids.size(1), m->config().vocab_size}, torch::kDouble) *
               batch.mask.unsqueeze(-1).to(torch::kDouble);
  auto loss_fn = [&] { return (m->forward(batch.ids, batch.mask) * probe).sum(); };
  m->zero_grad();
  loss_fn().backward();
  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  int checked = 0;
  for (const auto& item : m->named_parameters()) {
    torch::Tensor p = item.value();
    auto flat = p.view(-1);
    // Two coordinates of every parameter tensor.
    for (int64_t index : {int64_t{0}, p.numel() / 2 + 1}) {
      if (index >= p.numel()) continue;
      const double original = flat[index].item<double>();
      flat[index].fill_(original + h);
      const double up = loss_fn().item<double>();
      flat[index].fill_(original - h);
      const double down = loss_fn().item<double>();
      flat[index].fill_(original);
      const double numeric = (up - down) / (2 * h);
      const double analytic = p.grad().view(-1)[index].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-6 * std::max(1.0, std::abs(numeric))) << item.key() << "[" << index << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

TEST_P(Family, LoadsBf16AndShardedCheckpoints) {
  auto m = test::tiny_model(GetParam());
  torch::NoGradGuard no_grad;
  auto batch = model::pad_right(sample_sequences(), 0, torch::kCPU);

  // bf16 on disk, float32 in memory: equals the model whose weights were rounded to bf16.
  const std::string bf16_dir = test::temp_dir("bf16_" + GetParam());
  model::save_model(m, bf16_dir, {torch::kBFloat16, 0, ""});
  auto loaded = model::load_model(bf16_dir);
  auto rounded = test::tiny_model(GetParam());
  for (auto& p : rounded->parameters()) p.copy_(p.to(torch::kBFloat16).to(torch::kFloat));
  EXPECT_TRUE(torch::equal(loaded->forward(batch.ids, batch.mask), rounded->forward(batch.ids, batch.mask)));
  EXPECT_NE(core::read_text_file(bf16_dir + "/config.json").find("bfloat16"), std::string::npos);

  // Shards: several files plus the index; identical logits.
  const std::string shard_dir = test::temp_dir("sharded_" + GetParam());
  model::save_model(m, shard_dir, {torch::kFloat, 20000, ""});
  EXPECT_TRUE(std::filesystem::exists(shard_dir + "/model.safetensors.index.json"));
  EXPECT_FALSE(std::filesystem::exists(shard_dir + "/model.safetensors"));
  int shards = 0;
  for (const auto& entry : std::filesystem::directory_iterator(shard_dir))
    shards += entry.path().extension() == ".safetensors";
  EXPECT_GE(shards, 2);
  auto sharded = model::load_model(shard_dir);
  EXPECT_TRUE(torch::equal(sharded->forward(batch.ids, batch.mask), m->forward(batch.ids, batch.mask)));

  // bf16 compute: close to float32.
  auto bf16_model = model::load_model(bf16_dir, {torch::kCPU, torch::kBFloat16});
  auto diff = (bf16_model->forward(batch.ids, batch.mask).to(torch::kFloat) - rounded->forward(batch.ids, batch.mask)).abs();
  EXPECT_LT(diff.max().item<double>(), 0.1 * rounded->forward(batch.ids, batch.mask).abs().max().item<double>());
}

TEST_P(Family, TokenLogprobsAreNormalisedAndMasked) {
  auto m = test::tiny_model(GetParam());
  torch::NoGradGuard no_grad;
  auto batch = model::pad_right(sample_sequences(), 0, torch::kCPU);
  auto lp = model::token_logprobs(m, batch.ids, batch.mask);
  EXPECT_TRUE((lp <= 0).all().item<bool>());
  EXPECT_TRUE((lp.select(1, 0) == 0).all().item<bool>());
  EXPECT_TRUE((lp.masked_select(batch.mask == 0) == 0).all().item<bool>());
  auto logits = m->forward(batch.ids, batch.mask);
  double expected = torch::log_softmax(logits[0][3], -1)[batch.ids[0][4].item<int64_t>()].item<double>();
  EXPECT_NEAR(lp[0][4].item<double>(), expected, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(All, Family, ::testing::ValuesIn(test::tiny_families()));

}  // namespace
