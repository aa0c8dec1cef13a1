// Cost of DP-SGD per training step against non-private training, measured in one run: time
// and peak memory of one step of
//   full     forward, mean token loss, backward, AdamW
//   dp       forward, per-example losses, PerExampleClipper::backward, secure noise, AdamW
//   naive    the per-example loop: each row alone forward and backward, clip, sum, noise, AdamW
//   lora     as full with LoRA (r 8, the family's default targets)
//   dp-lora  as dp with LoRA
// plus secure noise for 162M values alone, with the default sampler (the halved sum of four
// Box-Muller normals, against the floating-point attack) and with one Box-Muller normal per
// value (noise-bm): the mitigation's cost; and the noise's two kernels alone on one thread
// (kernels): ChaCha20's key stream in GB/s and Box-Muller in ns per pair for every SIMD
// level the CPU has (dp/box_muller.h).
//
//   bench_dp [--model small|pythia-160m] [--batch 8] [--seq 128] [--iters 2] [--skip naive,...]
//
// Models are random gpt_neox ones: "small" is Pythia-31M-shaped (hidden 256, 6 layers),
// "pythia-160m" Pythia-160M-shaped. float32 on the CPU. Each configuration runs in a child
// process of its own (forked before any torch work), so that its peak RSS (VmHWM, reset after
// the warm-up step) is its own.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "privtune/core/allocator.h"
#include "privtune/core/error.h"
#include "privtune/dp/box_muller.h"
#include "privtune/dp/chacha20.h"
#include "privtune/dp/noise.h"
#include "privtune/dp/per_example.h"
#include "privtune/dp/per_example_loss.h"
#include "privtune/model/causal_lm.h"
#include "privtune/peft/lora.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace privtune;

struct Options {
  std::string model = "small";
  int64_t batch = 8, seq = 128, iters = 2;
  std::string skip;
};

struct Measured {
  double seconds = 0;   // best step time
  double peak_mb = 0;   // peak RSS during the timed steps
  double start_mb = 0;  // RSS before them (model, optimizer state, allocator caches)
  double noise_seconds = 0;  // of the best step, adding noise (dp, dp-lora, naive)
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double status_mb(const std::string& key) {  // a "VmRSS:  1234 kB" line of /proc/self/status, in MB
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) / 1024.0;
  return 0;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }  // VmHWM := VmRSS (Linux >= 4.0)

model::ModelConfig model_config(const std::string& name) {
  core::Json j = {{"model_type", "gpt_neox"}, {"vocab_size", 50304}, {"rotary_pct", 0.25},
                  {"use_parallel_residual", true}, {"max_position_embeddings", 2048}};
  if (name == "pythia-160m") {
    j.update({{"hidden_size", 768}, {"intermediate_size", 3072}, {"num_hidden_layers", 12}, {"num_attention_heads", 12}});
  } else if (name == "small") {
    j.update({{"hidden_size", 256}, {"intermediate_size", 1024}, {"num_hidden_layers", 6}, {"num_attention_heads", 8}});
  } else {
    throw Error("--model must be small or pythia-160m, got " + name);
  }
  return model::parse_model_config(j, name + " shape");
}

struct Batch {
  torch::Tensor ids, mask;
};

torch::Tensor row_losses(model::CausalLM& m, const Batch& b) {  // (B)
  const int64_t T = b.ids.size(1);
  return dp::per_example_loss(m->forward(b.ids, b.mask).narrow(1, 0, T - 1), b.ids.narrow(1, 1, T - 1),
                              b.mask.narrow(1, 1, T - 1));
}

// One configuration: a fresh model, one warm-up step, then the best of `iters` steps.
Measured run(const std::string& name, const Options& o) {
  const bool lora = name == "lora" || name == "dp-lora";
  const bool dp = name == "dp" || name == "dp-lora";
  const double C = 1.0, sigma = 1.0;

  if (name == "noise" || name == "noise-bm") {  // 162M values, as many as Pythia-160M has parameters
    torch::Tensor values = torch::zeros({162'000'000});
    dp::GaussianNoise noise = dp::GaussianNoise::secure(name == "noise" ? dp::NoiseSampler::kSumOfFour
                                                                        : dp::NoiseSampler::kBoxMuller);
    noise.add(values, 1.0);
    Measured out{1e30, 0, status_mb("VmRSS")};
    reset_peak_rss();
    for (int64_t i = 0; i < o.iters; ++i) {
      const auto start = Clock::now();
      noise.add(values, 1.0);
      out.seconds = std::min(out.seconds, seconds_since(start));
    }
    out.peak_mb = status_mb("VmHWM");
    return out;
  }

  model::CausalLM m(model_config(o.model), torch::TensorOptions().dtype(torch::kFloat));
  model::init_random(m, 1, 0.02);
  if (lora) peft::add_lora(m, peft::LoraConfig{}, /*seed=*/1);
  std::vector<torch::Tensor> trainable = peft::trainable_parameters(m);
  torch::optim::AdamW optimizer(trainable, torch::optim::AdamWOptions(1e-4));
  torch::manual_seed(2);
  Batch b{torch::randint(m->config().vocab_size, {o.batch, o.seq}, torch::kLong),
          torch::ones({o.batch, o.seq}, torch::kLong)};

  std::unique_ptr<dp::PerExampleClipper> clipper;
  if (dp) clipper = std::make_unique<dp::PerExampleClipper>(m, dp::ClipOptions{C, dp::NormMethod::kAuto});
  dp::GaussianNoise noise = dp::GaussianNoise::secure();
  double noise_seconds = 0;
  auto privatise = [&] {  // noise on the clipped sum, then the mean over the expected batch
    const auto start = Clock::now();
    for (auto& p : trainable) {
      noise.add(p.mutable_grad(), sigma * C);
      p.mutable_grad().div_(static_cast<double>(o.batch));
    }
    noise_seconds = seconds_since(start);
  };

  auto step = [&] {
    optimizer.zero_grad();
    if (dp) {
      clipper->backward(row_losses(m, b));
      privatise();
    } else if (name == "naive") {
      std::vector<torch::Tensor> sum;
      for (auto& p : trainable) sum.push_back(torch::zeros_like(p));
      for (int64_t i = 0; i < o.batch; ++i) {
        optimizer.zero_grad();
        row_losses(m, {b.ids.narrow(0, i, 1), b.mask.narrow(0, i, 1)}).sum().backward();
        double sq = 0;
        for (auto& p : trainable) sq += p.grad().pow(2).sum().item<double>();
        const double factor = std::min(1.0, C / std::sqrt(sq));
        for (size_t k = 0; k < trainable.size(); ++k) sum[k].add_(trainable[k].grad(), factor);
      }
      for (size_t k = 0; k < trainable.size(); ++k) trainable[k].mutable_grad() = sum[k];
      privatise();
    } else {
      row_losses(m, b).mean().backward();  // every row has the same length: the token mean
    }
    optimizer.step();
  };

  step();
  if (dp) {
    std::map<std::string, int> counts;
    for (const auto& rule : clipper->rules()) counts[rule.second]++;
    std::string summary;
    for (const auto& [rule, count] : counts) summary += " " + std::to_string(count) + " x " + rule + ";";
    std::printf("  %s rules:%s\n", name.c_str(), summary.c_str());
  }
  Measured out{1e30, 0, status_mb("VmRSS")};
  reset_peak_rss();
  for (int64_t i = 0; i < o.iters; ++i) {
    const auto start = Clock::now();
    step();
    const double seconds = seconds_since(start);
    if (seconds < out.seconds) out.seconds = seconds, out.noise_seconds = noise_seconds;
  }
  out.peak_mb = status_mb("VmHWM");
  return out;
}

// The noise's kernels on this thread: ChaCha20 over 64 blocks at a time, then Box-Muller over
// the same words for every SIMD level; the best of five passes of ~1 s of work each.
void print_noise_kernels() {
  const int64_t blocks = 64, pairs = blocks * 4, passes = 40000;
  std::vector<uint32_t> words(16 * blocks);
  std::vector<double> normals(2 * pairs);
  auto best_of_five = [&](auto&& pass) {
    double best = 1e30;
    for (int repeat = 0; repeat < 5; ++repeat) {
      const auto start = Clock::now();
      for (int64_t i = 0; i < passes; ++i) pass(i);
      best = std::min(best, seconds_since(start));
    }
    return best;
  };
  const double chacha = best_of_five([&](int64_t i) {
    dp::chacha20_blocks(dp::ChaChaKey{1, 2, 3}, dp::ChaChaNonce{}, static_cast<uint32_t>(i * blocks), blocks, words.data());
  });
  std::printf("kernels  ChaCha20 %.2f GB/s on one thread\n", 64.0 * blocks * passes / chacha / 1e9);
  for (dp::SimdLevel level : dp::supported_simd_levels()) {
    const double seconds = best_of_five([&](int64_t) { dp::box_muller(level, words.data(), pairs, 1.0, normals.data()); });
    std::printf("kernels  Box-Muller %-6s %6.2f ns/pair%s\n", dp::simd_level_name(level), seconds * 1e9 / (pairs * passes),
                level == dp::best_simd_level() ? "  (used)" : "");
  }
}

// Runs `name` in a child process and reads its measurement back through a pipe.
bool run_in_child(const std::string& name, const Options& o, Measured* out) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Measured m = run(name, o);
    const bool ok = write(fds[1], &m, sizeof(m)) == static_cast<ssize_t>(sizeof(m));
    std::fflush(stdout);
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  const bool ok = read(fds[0], out, sizeof(*out)) == static_cast<ssize_t>(sizeof(*out));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  privtune::core::keep_freed_memory();
  Options o;
  CLI::App app("Cost of DP-SGD per training step against non-private training", "bench_dp");
  app.add_option("--model", o.model, "model shape")->check(CLI::IsMember({"small", "pythia-160m"}));
  app.add_option("--batch", o.batch, "rows a step")->check(CLI::Range(1, 1 << 30));
  app.add_option("--seq", o.seq, "positions a row")->check(CLI::Range(int64_t{2}, int64_t{1} << 20));
  app.add_option("--iters", o.iters, "steps timed after the warm-up (the best is reported)")
      ->check(CLI::Range(1, 1 << 30));
  std::string skip;
  app.add_option("--skip", skip, "comma-separated configurations to leave out, e.g. naive,noise");
  CLI11_PARSE(app, argc, argv);
  o.skip = "," + skip + ",";
  std::printf("bench_dp: %s-shaped gpt_neox, float32 CPU, %d threads, batch %lld x %lld, best of %lld steps after a "
              "warm-up\n",
              o.model.c_str(), torch::get_num_threads(), static_cast<long long>(o.batch),
              static_cast<long long>(o.seq), static_cast<long long>(o.iters));
  std::map<std::string, Measured> results;
  for (const std::string name : {"full", "dp", "naive", "lora", "dp-lora", "noise", "noise-bm"}) {
    if (o.skip.find("," + name + ",") != std::string::npos) continue;
    Measured m;
    if (!run_in_child(name, o, &m)) {
      std::printf("%-8s failed\n", name.c_str());
      continue;
    }
    results[name] = m;
    std::printf("%-8s %8.3f s/step  %8.0f tokens/s  peak RSS %8.0f MB (%8.0f MB before the step)", name.c_str(),
                m.seconds, static_cast<double>(o.batch * o.seq) / m.seconds, m.peak_mb, m.start_mb);
    if (m.noise_seconds > 0) std::printf("  noise %.3f s", m.noise_seconds);
    std::printf("\n");
  }
  auto ratio = [&](const std::string& a, const std::string& b) {
    if (!results.count(a) || !results.count(b)) return;
    std::printf("%-8s / %-5s time %5.2fx  peak memory %5.2fx\n", a.c_str(), b.c_str(),
                results[a].seconds / results[b].seconds, results[a].peak_mb / results[b].peak_mb);
  };
  ratio("dp", "full");
  ratio("naive", "full");
  ratio("dp-lora", "lora");
  if (results.count("noise"))
    std::printf("secure noise, sum of 4: %.0f M values/s (%.3f s for 162M)\n", 162.0 / results["noise"].seconds,
                results["noise"].seconds);
  if (results.count("noise-bm"))
    std::printf("secure noise, Box-Muller: %.0f M values/s (%.3f s for 162M)\n", 162.0 / results["noise-bm"].seconds,
                results["noise-bm"].seconds);
  ratio("noise", "noise-bm");
  if (o.skip.find(",kernels,") == std::string::npos) print_noise_kernels();
  return 0;
}
