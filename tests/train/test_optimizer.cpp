#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "privtune/train/optimizer.h"

namespace privtune::train {
namespace {

using MultiTensor = OptimizerOptions::MultiTensor;

// A matrix (decayed) and two vectors (not decayed); the second vector gets no gradient on
// the second step, so its step count falls behind the others'.
std::vector<torch::Tensor> make_parameters(torch::Device device) {
  torch::manual_seed(3);
  const auto options = torch::TensorOptions().dtype(torch::kFloat).device(device);
  return {torch::randn({5, 7}, options).requires_grad_(), torch::randn({7}, options).requires_grad_(),
          torch::randn({3}, options).requires_grad_()};
}

void set_gradients(std::vector<torch::Tensor>& parameters, int step) {
  torch::manual_seed(100 + step);
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (step == 1 && i == 2) continue;
    parameters[i].mutable_grad() = torch::randn_like(parameters[i]);
  }
}

OptimizerOptions adamw(MultiTensor multi_tensor) {
  OptimizerOptions o;
  o.lr = 1e-2;
  o.weight_decay = 0.1;
  o.multi_tensor = multi_tensor;
  return o;
}

// Runs `steps` AdamW steps from `first`, with the given kernels.
void run_steps(Optimizer& optimizer, std::vector<torch::Tensor>& parameters, int first, int steps) {
  for (int step = first; step < first + steps; ++step) {
    set_gradients(parameters, step);
    optimizer.step();
    optimizer.zero_grad();
  }
}

void expect_identical(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i].cpu(), b[i].cpu())) << "parameter " << i;
}

// The multi-tensor AdamW is torch's AdamW, bit for bit on a CPU: weight decay on matrices
// only, bias corrections by each parameter's own step count.
TEST(Optimizer, MultiTensorAdamWIsTorchsAdamW) {
  std::vector<torch::Tensor> reference = make_parameters(torch::kCPU), multi = make_parameters(torch::kCPU);
  Optimizer torch_adamw(reference, adamw(MultiTensor::kOff));
  Optimizer multi_adamw(multi, adamw(MultiTensor::kOn));
  run_steps(torch_adamw, reference, 0, 4);
  run_steps(multi_adamw, multi, 0, 4);
  expect_identical(multi, reference);
}

// Its state is torch's: a checkpoint written by one kind of step resumes under the other.
TEST(Optimizer, MultiTensorStateIsTorchsCheckpointState) {
  std::vector<torch::Tensor> reference = make_parameters(torch::kCPU), mixed = make_parameters(torch::kCPU);
  Optimizer torch_adamw(reference, adamw(MultiTensor::kOff));
  run_steps(torch_adamw, reference, 0, 5);

  std::string saved;
  {
    Optimizer multi_adamw(mixed, adamw(MultiTensor::kOn));
    run_steps(multi_adamw, mixed, 0, 3);
    saved = multi_adamw.save();
  }
  Optimizer resumed(mixed, adamw(MultiTensor::kOff));
  resumed.load(saved);
  run_steps(resumed, mixed, 3, 2);
  expect_identical(mixed, reference);
}

TEST(Optimizer, MultiTensorAdamWOnCudaMatchesTheCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  std::vector<torch::Tensor> cpu = make_parameters(torch::kCPU);
  std::vector<torch::Tensor> gpu;
  for (const auto& p : cpu) gpu.push_back(p.detach().to(torch::kCUDA).requires_grad_());
  Optimizer cpu_adamw(cpu, adamw(MultiTensor::kOff));
  Optimizer gpu_adamw(gpu, adamw(MultiTensor::kAuto));  // on a GPU: the multi-tensor kernels
  for (int step = 0; step < 4; ++step) {
    set_gradients(cpu, step);
    for (size_t i = 0; i < gpu.size(); ++i)
      if (cpu[i].grad().defined()) gpu[i].mutable_grad() = cpu[i].grad().to(torch::kCUDA);
    cpu_adamw.step();
    gpu_adamw.step();
    cpu_adamw.zero_grad();
    gpu_adamw.zero_grad();
  }
  for (size_t i = 0; i < cpu.size(); ++i) EXPECT_TRUE(torch::allclose(gpu[i].cpu(), cpu[i], 1e-5, 1e-6)) << i;
}

}  // namespace
}  // namespace privtune::train
