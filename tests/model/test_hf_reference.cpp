// Logits against Hugging Face transformers on tiny random checkpoints saved by
// transformers itself (tests/fixtures/hf, made by scripts/make_hf_fixtures.py).
#include <gtest/gtest.h>

#include "privtune/core/safetensors.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/generate.h"
#include "privtune/model/tensor_io.h"
#include "test_util.h"

namespace {

using namespace privtune;

class HfReference : public ::testing::TestWithParam<std::string> {};

TEST_P(HfReference, LogitsMatchTransformers) {
  const std::string folder = test::source_path("tests/fixtures/hf/" + GetParam());
  model::CausalLM m = model::load_model(folder);
  m->eval();
  core::SafetensorsFile ref(folder + "/reference.safetensors");
  torch::Tensor ids = model::tensor_from_view(*ref.find("input_ids"));
  torch::Tensor mask = model::tensor_from_view(*ref.find("attention_mask"));
  torch::Tensor expected = model::tensor_from_view(*ref.find("logits"));
  torch::NoGradGuard no_grad;
  torch::Tensor logits = m->forward(ids, mask);
  ASSERT_EQ(logits.sizes(), expected.sizes());
  auto valid = mask.to(torch::kBool);
  torch::Tensor got = logits.index({valid});
  torch::Tensor want = expected.index({valid});
  double max_diff = (got - want).abs().max().item<double>();
  double scale = want.abs().max().item<double>();
  std::printf("%s: max |diff| %.3g, logit scale %.3g\n", GetParam().c_str(), max_diff, scale);
  EXPECT_LE(max_diff, 1e-4 * scale) << "max |diff| " << max_diff << " at logit scale " << scale;
  EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-4 * scale));
}

INSTANTIATE_TEST_SUITE_P(Families, HfReference,
                         ::testing::Values("gpt_neox", "gpt_neox_seq", "llama", "llama_untied", "gemma", "gemma2",
                                           "gemma3_text", "qwen2", "qwen3"));

}  // namespace

namespace {

// The same checks on a CUDA device (skipped where there is none): float32 logits against
// transformers, greedy generation equal to the CPU's, bfloat16 compute close.
TEST(HfReferenceCuda, LogitsGenerationAndBf16OnGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const torch::Device cuda(torch::kCUDA, 0);
  for (const char* name : {"gpt_neox", "llama", "gemma2", "gemma3_text", "qwen2", "qwen3"}) {
    SCOPED_TRACE(name);
    const std::string folder = test::source_path(std::string("tests/fixtures/hf/") + name);
    core::SafetensorsFile ref(folder + "/reference.safetensors");
    auto ids = model::tensor_from_view(*ref.find("input_ids")).to(cuda);
    auto mask = model::tensor_from_view(*ref.find("attention_mask")).to(cuda);
    auto expected = model::tensor_from_view(*ref.find("logits"));
    auto valid = mask.to(torch::kCPU).to(torch::kBool);
    torch::NoGradGuard no_grad;

    auto gpu = model::load_model(folder, {cuda, torch::kFloat});
    auto got = gpu->forward(ids, mask).to(torch::kCPU).index({valid});
    auto want = expected.index({valid});
    const double scale = want.abs().max().item<double>();
    EXPECT_LE((got - want).abs().max().item<double>(), 1e-4 * scale);

    auto cpu = model::load_model(folder);
    model::GenerateOptions o;
    o.max_new_tokens = 10;
    std::vector<model::TokenIds> prompts = {{5, 17, 3, 88}, {11}};
    EXPECT_EQ(model::generate(gpu, prompts, o).tokens, model::generate(cpu, prompts, o).tokens);

    auto bf16 = model::load_model(folder, {cuda, torch::kBFloat16});
    auto low = bf16->forward(ids, mask).to(torch::kCPU, torch::kFloat).index({valid});
    EXPECT_TRUE(torch::isfinite(low).all().item<bool>());
    EXPECT_LE((low - want).abs().max().item<double>(), 0.1 * scale);
  }
}

}  // namespace
