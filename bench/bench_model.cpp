// Forward and training-step throughput of a random Pythia-160M-shaped model, with the
// machine's measured single-matmul peak and the model FLOP utilisation (MFU) in the same run.
//
//   bench_model [--device cpu|cuda] [--dtype float32|bfloat16] [--batch 8] [--seq 256] [--iters 3]
//
// FLOPs per token: 2 x (matrix parameters) for the projections and LM head, plus
// 4 x layers x seq x hidden for the attention scores and mixing (causal mask not
// discounted, as is customary); a training step counts 3x the forward.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "privtune/core/allocator.h"
#include "privtune/model/causal_lm.h"
#include "privtune/model/device.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace privtune;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void sync(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

// Best of several square and model-shaped matmuls, in FLOP/s.
double matmul_peak(const torch::Device& device, torch::ScalarType dtype) {
  double best = 0;
  for (auto shape : std::vector<std::array<int64_t, 3>>{{2048, 768, 3072}, {2048, 3072, 768}, {1024, 1024, 1024},
                                                        {2048, 2048, 2048}}) {
    auto options = torch::TensorOptions().dtype(dtype).device(device);
    auto a = torch::randn({shape[0], shape[1]}, options), b = torch::randn({shape[1], shape[2]}, options);
    torch::matmul(a, b);
    sync(device);
    int reps = 0;
    auto start = Clock::now();
    do {
      torch::matmul(a, b);
      ++reps;
      sync(device);
    } while (seconds_since(start) < 1.0);
    best = std::max(best, 2.0 * shape[0] * shape[1] * shape[2] * reps / seconds_since(start));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  privtune::core::keep_freed_memory();
  std::string device_name = "cpu", dtype_name = "float32";
  int64_t batch = 8, seq = 256, iters = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--device") device_name = value;
    else if (flag == "--dtype") dtype_name = value;
    else if (flag == "--batch") batch = std::stoll(value);
    else if (flag == "--seq") seq = std::stoll(value);
    else if (flag == "--iters") iters = std::stoll(value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const torch::Device device = model::parse_device(device_name);
  const torch::ScalarType dtype = model::parse_dtype(dtype_name, device);

  core::Json pythia = {{"model_type", "gpt_neox"}, {"vocab_size", 50304}, {"hidden_size", 768},
                       {"intermediate_size", 3072}, {"num_hidden_layers", 12}, {"num_attention_heads", 12},
                       {"rotary_pct", 0.25}, {"use_parallel_residual", true}, {"max_position_embeddings", 2048}};
  model::ModelConfig config = model::parse_model_config(pythia, "pythia-160m shape");
  model::CausalLM m(config, torch::TensorOptions().dtype(dtype).device(device));
  model::init_random(m, 1, 0.02);

  int64_t matrix_params = 0, all_params = 0;
  for (const auto& item : m->named_parameters()) {
    all_params += item.value().numel();
    if (item.value().dim() == 2 && item.key() != "embed.weight") matrix_params += item.value().numel();
  }
  const double tokens = static_cast<double>(batch * seq);
  const double forward_flops =
      tokens * (2.0 * matrix_params + 4.0 * config.num_layers * seq * config.hidden_size);

  const double peak = matmul_peak(device, dtype);
  auto ids = torch::randint(0, config.vocab_size, {batch, seq}, torch::TensorOptions().dtype(torch::kLong).device(device));
  auto mask = torch::ones({batch, seq}, ids.options());
  torch::optim::SGD optimizer(m->parameters(), torch::optim::SGDOptions(1e-4));

  auto time_it = [&](auto&& step) {
    step();  // warm-up
    sync(device);
    double best = 1e30;
    for (int64_t i = 0; i < iters; ++i) {
      auto start = Clock::now();
      step();
      sync(device);
      best = std::min(best, seconds_since(start));
    }
    return best;
  };
  double forward_s = time_it([&] {
    torch::NoGradGuard no_grad;
    m->forward(ids, mask);
  });
  double train_s = time_it([&] {
    optimizer.zero_grad();
    auto logits = m->forward(ids, mask);
    auto loss = torch::cross_entropy_loss(logits.narrow(1, 0, seq - 1).reshape({-1, config.vocab_size}).to(torch::kFloat),
                                          ids.narrow(1, 1, seq - 1).reshape({-1}));
    loss.backward();
    optimizer.step();
  });

  std::printf("device %s, dtype %s, threads %d, Pythia-160M shape (%.1fM parameters), batch %lld x %lld\n",
              device.str().c_str(), model::dtype_name(dtype).c_str(), torch::get_num_threads(), all_params / 1e6,
              static_cast<long long>(batch), static_cast<long long>(seq));
  std::printf("matmul peak (measured)   %8.1f GFLOP/s\n", peak / 1e9);
  std::printf("forward                  %8.0f tokens/s  %8.1f GFLOP/s  MFU %5.1f%%\n", tokens / forward_s,
              forward_flops / forward_s / 1e9, 100 * forward_flops / forward_s / peak);
  std::printf("training step (fwd+bwd)  %8.0f tokens/s  %8.1f GFLOP/s  MFU %5.1f%%\n", tokens / train_s,
              3 * forward_flops / train_s / 1e9, 100 * 3 * forward_flops / train_s / peak);
  return 0;
}
