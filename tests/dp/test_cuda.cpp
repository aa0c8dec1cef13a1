// On a GPU (skipped without one): the clipper gives the CPU's norms and clipped sums, and the
// noise generator the CPU's values, for a float64 model and tensors moved to the device.
#include <gtest/gtest.h>

#include <algorithm>

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
    EXPECT_TRUE(gpu_norms.device().is_cuda());
    gpu_norms = gpu_norms.cpu();
    // Not 1e-10: rotary tables are computed in float32 whatever the model's dtype (as
    // transformers does), and the GPU's float32 cos/sin differ from the CPU's in the last
    // bits (2e-7 relative seen on an H200).
    EXPECT_TRUE(torch::allclose(gpu_norms, cpu_norms, 1e-6, 0));
    EXPECT_LE(test::max_relative_error(gpu, cpu), 1e-6);
  }
}

// A GPU build generates the noise of a CUDA tensor on the device (noise_cuda.h), one without
// the kernel on the CPU: either way, the values of the CPU's stream, up to the last bits of
// CUDA's double-precision log and sincospi.
TEST(DpCuda, NoiseOnTheGpuIsTheCpusStream) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const torch::Device cuda(torch::kCUDA, 0);
  for (const dp::NoiseSampler sampler : {dp::NoiseSampler::kSumOfFour, dp::NoiseSampler::kBoxMuller}) {
    SCOPED_TRACE(dp::noise_sampler_name(sampler));
    dp::GaussianNoise on_cpu = dp::GaussianNoise::seeded(3, sampler), on_gpu = dp::GaussianNoise::seeded(3, sampler);
    // Odd sizes (a partial last block), float32 and float64, a transposed (non-contiguous)
    // tensor, and one past the device's 2^24-value buffer.
    const std::vector<torch::Tensor> shapes = {torch::zeros({1001}, torch::kDouble), torch::zeros({37, 5}, torch::kFloat),
                                               torch::zeros({6, 9}, torch::kDouble).t(),
                                               torch::zeros({(int64_t{1} << 24) + 13}, torch::kFloat)};
    for (const torch::Tensor& shape : shapes) {
      torch::Tensor a = shape.clone(), b = shape.to(cuda);  // both keep the transposed strides
      on_cpu.add(a, 2.0);
      on_gpu.add(b, 2.0);
      ASSERT_TRUE(b.is_cuda());
      const torch::Tensor gpu = b.cpu().to(torch::kDouble), cpu = a.to(torch::kDouble);
      EXPECT_GT(cpu.abs().max().item<double>(), 0);
      // float64: within 1e-13 (each value is at most 4 normals of a few units); float32: the
      // same float or its neighbour.
      const double tolerance = shape.scalar_type() == torch::kDouble ? 1e-13 : 2e-6;
      EXPECT_LE((gpu - cpu).abs().max().item<double>(), tolerance * std::max(1.0, cpu.abs().max().item<double>()))
          << "numel " << shape.numel();
    }
  }
}

}  // namespace
