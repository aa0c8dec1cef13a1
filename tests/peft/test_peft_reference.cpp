// Adapters saved by Hugging Face PEFT 0.21 (tests/fixtures/hf/*_lora, non-zero B, made by
// scripts/make_hf_fixtures.py from the base folders next to them): base + adapter must give
// PEFT's logits within 1e-4 relative, and so must the merged model.
#include <gtest/gtest.h>

#include <algorithm>

#include "privtune/core/safetensors.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/tensor_io.h"
#include "privtune/peft/adapter_io.h"
#include "privtune/peft/lora.h"
#include "privtune/peft/merge.h"
#include "test_util.h"

namespace {

using namespace privtune;

struct Reference {
  torch::Tensor ids, mask, logits;
};

Reference read_reference(const std::string& adapter) {
  core::SafetensorsFile ref(adapter + "/reference.safetensors");
  return {model::tensor_from_view(*ref.find("input_ids")), model::tensor_from_view(*ref.find("attention_mask")),
          model::tensor_from_view(*ref.find("logits"))};
}

// Compares valid positions only, as tests/model/test_hf_reference.cpp does.
void expect_close(const torch::Tensor& logits, const Reference& ref, const std::string& what) {
  ASSERT_EQ(logits.sizes(), ref.logits.sizes());
  auto valid = ref.mask.to(torch::kBool);
  torch::Tensor got = logits.index({valid});
  torch::Tensor want = ref.logits.index({valid});
  const double max_diff = (got - want).abs().max().item<double>();
  const double scale = want.abs().max().item<double>();
  std::printf("%s: max |diff| %.3g, logit scale %.3g\n", what.c_str(), max_diff, scale);
  EXPECT_LE(max_diff, 1e-4 * scale) << what;
}

class PeftReference : public ::testing::TestWithParam<std::string> {};

TEST_P(PeftReference, BasePlusAdapterMatchesPeft) {
  const std::string base = test::source_path("tests/fixtures/hf/" + GetParam());
  const std::string adapter = base + "_lora";
  const Reference ref = read_reference(adapter);
  model::CausalLM m = model::load_model(base);
  m->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor before = m->forward(ref.ids, ref.mask);

  peft::LoraConfig config = peft::load_adapter(m, adapter);
  EXPECT_EQ(config.r, 4);
  EXPECT_EQ(config.alpha, 8.0);
  EXPECT_FALSE(peft::lora_parameters(m).empty());
  torch::Tensor logits = m->forward(ref.ids, ref.mask);
  expect_close(logits, ref, GetParam() + " + adapter");
  // The adapter must matter, or the comparison above proves nothing.
  EXPECT_GT((logits - before).abs().max().item<double>(), 1e-3);

  const auto adapted_layers = static_cast<int64_t>(peft::lora_parameters(m).size() / 2);  // A and B each
  EXPECT_EQ(peft::merge_lora(m), adapted_layers);
  EXPECT_FALSE(peft::has_lora(m));
  expect_close(m->forward(ref.ids, ref.mask), ref, GetParam() + " merged");
}

TEST_P(PeftReference, KeysMatchThePeftFile) {
  const std::string base = test::source_path("tests/fixtures/hf/" + GetParam());
  model::CausalLM m = model::load_model(base);
  peft::load_adapter(m, base + "_lora");
  core::SafetensorsFile file(base + "_lora/" + peft::kAdapterWeightsFile);
  std::vector<std::string> ours, theirs;
  for (auto& [key, tensor] : peft::peft_state(m)) ours.push_back(key);
  for (const auto& t : file.tensors()) theirs.push_back(t.name);
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  EXPECT_EQ(ours, theirs);
}

INSTANTIATE_TEST_SUITE_P(Families, PeftReference, ::testing::Values("llama", "gpt_neox", "qwen2"));

}  // namespace

namespace {

// The same on a CUDA device (skipped where there is none): float32 base + adapter against
// PEFT, and merging a bfloat16 model stays close.
TEST(PeftReferenceCuda, AdapterOnGpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const torch::Device cuda(torch::kCUDA, 0);
  for (const char* name : {"llama", "gpt_neox", "qwen2"}) {
    SCOPED_TRACE(name);
    const std::string base = test::source_path(std::string("tests/fixtures/hf/") + name);
    const Reference ref = read_reference(base + "_lora");
    torch::NoGradGuard no_grad;
    model::CausalLM m = model::load_model(base, {cuda, torch::kFloat});
    peft::load_adapter(m, base + "_lora");
    m->eval();
    expect_close(m->forward(ref.ids.to(cuda), ref.mask.to(cuda)).to(torch::kCPU), ref, std::string(name) + " cuda");

    model::CausalLM low = model::load_model(base, {cuda, torch::kBFloat16});
    peft::load_adapter(low, base + "_lora");
    peft::merge_lora(low);
    low->eval();
    auto valid = ref.mask.to(torch::kBool);
    auto got = low->forward(ref.ids.to(cuda), ref.mask.to(cuda)).to(torch::kCPU, torch::kFloat).index({valid});
    auto want = ref.logits.index({valid});
    EXPECT_LE((got - want).abs().max().item<double>(), 0.1 * want.abs().max().item<double>());
  }
}

}  // namespace
