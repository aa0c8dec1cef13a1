// On a GPU (skipped without one): the clipper gives the CPU's norms and clipped sums, and the
// noise generator the CPU's values, for a float64 model and tensors moved to the device.
#include <gtest/gtest.h>

#include "clip_reference.h"
#include "privtune/dp/noise.h"
#include "privtune/dp/per_example.h"
#include "test_util.h"

namespace {

using namespace privtune;

TEST(DpCuda, ClipperAndNoiseMatchTheCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const torch::Device cuda(torch::kCUDA, 0);
  for (const std::string family : {"llama", "gpt_neox"}) {
    SCOPED_TRACE(family);
    model::CausalLM m = test::tiny_model(family, torch::kDouble);
    const test::Batch b = test::random_batch(m->config().vocab_size, {9, 5, 7, 3}, /*seed=*/11);
    const torch::Tensor groups = torch::tensor({0, 1, 0, 2}, torch::kLong);
    torch::Tensor cpu_norms, gpu_norms;
    {
      dp::PerExampleClipper clipper(m, {0.5, dp::NormMethod::kAuto});
      cpu_norms = clipper.backward(test::per_example_loss(m->forward(b.ids, b.mask), b), groups);
    }
    const test::Grads cpu = test::take_grads(m);
    m->to(cuda);
    {
      const test::Batch on_gpu{b.ids.to(cuda), b.mask.to(cuda)};
      dp::PerExampleClipper clipper(m, {0.5, dp::NormMethod::kAuto});
      gpu_norms = clipper.backward(test::per_example_loss(m->forward(on_gpu.ids, on_gpu.mask), on_gpu), groups);
    }
    test::Grads gpu = test::take_grads(m);
    for (auto& item : gpu) item.second = item.second.to(torch::kCPU);
    EXPECT_TRUE(gpu_norms.device().is_cpu());
    // Not 1e-10: rotary tables are computed in float32 whatever the model's dtype (as
    // transformers does), and the GPU's float32 cos/sin differ from the CPU's in the last
    // bits (2e-7 relative seen on an H200).
    EXPECT_TRUE(torch::allclose(gpu_norms, cpu_norms, 1e-6, 0));
    EXPECT_LE(test::max_relative_error(gpu, cpu), 1e-6);
  }
  dp::GaussianNoise on_cpu = dp::GaussianNoise::seeded(3), on_gpu = dp::GaussianNoise::seeded(3);
  torch::Tensor a = torch::zeros({1000}, torch::kDouble), b = torch::zeros({1000}, torch::kDouble).to(cuda);
  on_cpu.add(a, 2.0);
  on_gpu.add(b, 2.0);
  EXPECT_TRUE(torch::equal(b.to(torch::kCPU), a));
}

}  // namespace
