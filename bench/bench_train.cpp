// Training-step time and peak memory of full fine-tuning, LoRA, head, DP-SGD and DP-LoRA (and
// evaluation's scoring pass, tokens/s against training's) on a random
// GPT-NeoX model (Pythia-160M-shaped, small: hidden 256, or tiny: the built-in model's shape), next to the same step written
// as a plain PyTorch Python eager loop (bench/train_peer.py), measured in one run.
//
//   bench_train [--shape small|pythia160m|tiny] [--device cpu|cuda] [--batch 8] [--seq 128]
//               [--steps 5] [--rounds 1] [--threads N] [--python /usr/bin/python3]
//               [--eval-batch N (default: privtune eval's, eval::EvalOptions::batch_size)]
//
// Each configuration runs in a process of its own (this program re-executed with --one
// METHOD, or the Python peer), so that peak memory is that configuration's alone. The
// step measured is the trainer's (train::accumulate_micro_batch, the plain aggregator,
// AdamW), on random tokens; the median of --steps steps after two warm-up steps. --rounds R
// runs every configuration R times, round-robin (so that a slow spell of a shared machine
// or a latency-bound GPU falls on all of them), and reports the median over the rounds and
// each ratio's range over them.
#include <ATen/record_function.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "privtune/core/allocator.h"
#include "privtune/core/json_util.h"
#include "privtune/eval/token_losses.h"
#include "privtune/model/causal_lm.h"
#include "privtune/model/device.h"
#include "privtune/peft/lora.h"
#include "privtune/train/device_stats.h"
#include "privtune/train/optimizer.h"
#include "privtune/train/step.h"
#include "privtune/train/trainable.h"

namespace {

using namespace privtune;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string shape = "small", device = "cpu", one, python = "/usr/bin/python3";
  int64_t batch = 8, seq = 128, steps = 5, rounds = 1, threads = 0;
  int64_t eval_batch = eval::EvalOptions{}.batch_size;  // rows per scoring forward, as `privtune eval`
};

// Shapes: "pythia160m" (Pythia-160M), "small" (hidden 256, Pythia's vocabulary) and "tiny"
// (the built-in model models/privtune-tiny: hidden 128, vocabulary 4096).
struct Shape {
  int64_t vocab, hidden, layers, heads;
};

Shape shape_of(const std::string& name) {
  if (name == "pythia160m") return {50304, 768, 12, 12};
  if (name == "tiny") return {4096, 128, 4, 4};
  return {50304, 256, 4, 4};
}

core::Json model_config(const std::string& name) {
  const Shape s = shape_of(name);
  return {{"model_type", "gpt_neox"},
          {"vocab_size", s.vocab},
          {"hidden_size", s.hidden},
          {"intermediate_size", 4 * s.hidden},
          {"num_hidden_layers", s.layers},
          {"num_attention_heads", s.heads},
          {"rotary_pct", 0.25},
          {"use_parallel_residual", true},
          {"max_position_embeddings", 2048},
          {"tie_word_embeddings", false}};
}

// Evaluation's scoring pass (eval::score_examples: one no-grad forward per example) over
// --eval-batch random rows of the training rows' length, in forwards of that many rows, as
// `privtune eval` runs it by default; prints a JSON line like run_one.
int run_eval(const Args& a, model::CausalLM& m, const torch::Device& device) {
  const int64_t rows = a.eval_batch;
  torch::Tensor random =
      torch::randint(0, shape_of(a.shape).vocab, {rows, a.seq}, torch::TensorOptions().dtype(torch::kLong));
  std::vector<data::TokenizedExample> examples(static_cast<size_t>(rows));
  for (int64_t b = 0; b < rows; ++b) {
    auto& e = examples[static_cast<size_t>(b)];
    e.input_ids.assign(random[b].data_ptr<int64_t>(), random[b].data_ptr<int64_t>() + a.seq);
    e.sensitive.assign(static_cast<size_t>(a.seq), 0);
    e.special.assign(static_cast<size_t>(a.seq), 0);
    e.labels.assign(static_cast<size_t>(a.seq), -1);
  }
  eval::EvalOptions options;
  options.batch_size = rows;
  std::vector<double> times;
  for (int64_t step = 0; step < a.steps + 2; ++step) {
    const auto start = Clock::now();
    eval::score_examples(m, examples, options);  // copies the losses to the CPU: synchronised
    if (step >= 2) times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  const double step_s = times[times.size() / 2];
  const int64_t peak = device.is_cuda() ? train::device_peak_bytes(device) : train::peak_rss_bytes();
  std::printf("%s\n", core::Json{{"method", "eval"},
                                 {"rows", rows},
                                 {"step_s", step_s},
                                 {"tokens_per_s", static_cast<double>(rows * a.seq) / step_s},
                                 {"peak_memory_bytes", peak},
                                 {"trainable", 0}}
                          .dump()
                          .c_str());
  return 0;
}

// ATen operator calls (every dispatch, nested ones too) while `step` runs once: on a GPU at
// a latency-bound size, the host's cost of a step grows with this count.
std::atomic<int64_t> g_operator_calls{0};
int64_t count_operator_calls(const std::function<void()>& step) {
  g_operator_calls = 0;
  const at::CallbackHandle handle = at::addGlobalCallback(
      at::RecordFunctionCallback([](const at::RecordFunction&) -> std::unique_ptr<at::ObserverContext> {
        ++g_operator_calls;
        return nullptr;
      }).scopes({at::RecordScope::FUNCTION}));
  step();
  at::removeCallback(handle);
  return g_operator_calls;
}

// One configuration in this process; prints a JSON line.
int run_one(const Args& a) {
  if (a.threads > 0) torch::set_num_threads(static_cast<int>(a.threads));
  const torch::Device device = model::parse_device(a.device);
  model::CausalLM m(model::parse_model_config(model_config(a.shape), a.shape), torch::TensorOptions().device(device));
  model::init_random(m, 0);
  if (a.one == "eval") return run_eval(a, m, device);
  train::TrainOptions options;
  options.method = a.one;
  options.seed = 0;
  const train::TrainableSet trainable = train::prepare_trainable(m, options);
  std::unique_ptr<train::GradientAggregator> aggregator;
  if (train::is_dp(train::parse_method(a.one))) {
    train::DpAggregatorOptions dp;  // C = 1, sigma = 1, secure noise
    dp.noise_multiplier = 1.0;
    dp.expected_batch = static_cast<double>(a.batch);
    aggregator = train::make_dp_aggregator(m, trainable.tensors, dp);
  } else {
    aggregator = train::make_plain_aggregator(trainable.tensors, 0.0);
  }
  train::Optimizer optimizer(trainable.tensors, {});

  train::DeviceBatch batch;
  batch.ids = torch::randint(0, shape_of(a.shape).vocab, {a.batch, a.seq},
                             torch::TensorOptions().dtype(torch::kLong).device(device));
  batch.attention = torch::ones_like(batch.ids);
  batch.loss_weights = torch::ones({a.batch, a.seq - 1}, torch::TensorOptions().device(device));
  batch.rows = a.batch;
  auto train_step = [&] {
    aggregator->begin_step(a.batch);
    train::accumulate_micro_batch(m, *aggregator, batch, torch::Tensor(), false);  // read by nobody: no wait
    aggregator->finish_step();
    optimizer.step();
    optimizer.zero_grad();
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  std::vector<double> times;
  for (int64_t step = 0; step < a.steps + 2; ++step) {
    const auto start = Clock::now();
    train_step();
    if (step >= 2) times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  const double step_s = times[times.size() / 2];
  const int64_t peak = device.is_cuda() ? train::device_peak_bytes(device) : train::peak_rss_bytes();
  const int64_t operator_calls = count_operator_calls(train_step);  // one more step, not timed
  std::printf("%s\n", core::Json{{"method", a.one},
                                 {"step_s", step_s},
                                 {"tokens_per_s", static_cast<double>(a.batch * a.seq) / step_s},
                                 {"peak_memory_bytes", peak},
                                 {"operator_calls", operator_calls},
                                 {"trainable", trainable.count}}
                          .dump()
                          .c_str());
  return 0;
}

// Runs `command` and parses the last line of its output as JSON.
core::Json run_child(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return nullptr;
  std::string out, last;
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe)) out += buffer;
  pclose(pipe);
  size_t end = out.find_last_not_of("\n");
  if (end == std::string::npos) return nullptr;
  size_t begin = out.rfind('\n', end);
  last = out.substr(begin == std::string::npos ? 0 : begin + 1, end + 1);
  core::Json j = core::Json::parse(last, nullptr, false);
  return j.is_discarded() ? core::Json(nullptr) : j;
}

}  // namespace

int main(int argc, char** argv) {
  privtune::core::keep_freed_memory();
  Args a;
  CLI::App app("Training-step and scoring speed of privtune against a PyTorch Python loop", "bench_train");
  app.add_option("--shape", a.shape, "model shape")->check(CLI::IsMember({"small", "pythia160m", "tiny"}));
  app.add_option("--device", a.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--batch", a.batch, "rows a training step")->check(CLI::Range(1, 1 << 30));
  app.add_option("--seq", a.seq, "positions a row")->check(CLI::Range(int64_t{2}, int64_t{1} << 20));
  app.add_option("--steps", a.steps, "steps timed (the median is reported)")->check(CLI::Range(1, 1 << 30));
  app.add_option("--rounds", a.rounds, "rounds of every arm")->check(CLI::Range(1, 1 << 30));
  app.add_option("--threads", a.threads, "torch threads (0: torch's default)")->check(CLI::Range(0, 1024));
  app.add_option("--python", a.python, "the Python peer's interpreter");
  app.add_option("--one", a.one, "run one arm in this process and print its JSON line");
  app.add_option("--eval-batch", a.eval_batch, "rows a scoring forward")->check(CLI::Range(1, 1 << 30));
  CLI11_PARSE(app, argc, argv);
  if (!a.one.empty()) return run_one(a);

  const std::string common = " --shape " + a.shape + " --device " + a.device + " --batch " + std::to_string(a.batch) +
                             " --seq " + std::to_string(a.seq) + " --steps " + std::to_string(a.steps) +
                             " --threads " + std::to_string(a.threads);
  const std::string self = argv[0];
  const std::string peer = std::string(PRIVTUNE_SOURCE_DIR) + "/bench/train_peer.py";
  std::printf("bench_train: %s model, batch %lld x %lld (scoring: %lld rows a forward), %s, median of %lld steps, %lld "
              "round(s)\n",
              a.shape.c_str(), static_cast<long long>(a.batch), static_cast<long long>(a.seq),
              static_cast<long long>(a.eval_batch), a.device.c_str(), static_cast<long long>(a.steps),
              static_cast<long long>(a.rounds));
  // The peer gets the heap policy privtune sets for itself (core/allocator.h), through
  // glibc's variables, so that the comparison is of the two training loops and not of two
  // malloc settings; PRIVTUNE_MALLOC=default compares both with glibc's defaults.
  const char* heap_choice = std::getenv("PRIVTUNE_MALLOC");
  const std::string peer_heap = heap_choice != nullptr && std::string(heap_choice) == "default"
                                    ? ""
                                    : "MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 ";
  // Configuration ("full/privtune", ...) -> one result per round (null: that run failed).
  std::map<std::string, std::vector<core::Json>> runs;
  const std::vector<std::string> methods = {"full", "lora", "head", "dp", "dp-lora", "eval"};
  // The peer has no DP-SGD (that would need Opacus): dp arms compare with privtune's own.
  auto has_peer = [](const std::string& method) { return method == "full" || method == "lora" || method == "head"; };
  for (int64_t round = 0; round < a.rounds; ++round)
    for (const std::string& method : methods) {
      runs[method + "/privtune"].push_back(
          run_child("'" + self + "' --one " + method + common + " --eval-batch " + std::to_string(a.eval_batch)));
      if (has_peer(method))
        runs[method + "/python"].push_back(run_child(peer_heap + a.python + " '" + peer + "' --method " + method + common));
    }

  // The run with the median step over the rounds, its tokens/s (null if any round failed);
  // the largest peak. Tokens/s comes from the run: the scoring arm's forwards hold --eval-batch rows.
  auto summary = [&](const std::string& key) -> core::Json {
    std::vector<core::Json> by_step;
    double peak = 0;
    for (const core::Json& j : runs[key]) {
      if (j.is_null()) return nullptr;
      by_step.push_back(j);
      peak = std::max(peak, j["peak_memory_bytes"].get<double>());
    }
    std::sort(by_step.begin(), by_step.end(), [](const core::Json& x, const core::Json& y) {
      return x["step_s"].get<double>() < y["step_s"].get<double>();
    });
    const core::Json& median = by_step[by_step.size() / 2];
    return core::Json{{"step_s", median["step_s"]}, {"tokens_per_s", median["tokens_per_s"]},
                      {"peak_memory_bytes", peak}, {"trainable", median["trainable"]}};
  };
  std::printf("%-7s %-8s %12s %12s %14s %12s\n", "method", "impl", "step (s)", "tokens/s", "peak memory", "trainable");
  for (const std::string& method : methods)
    for (const std::string impl : {"privtune", "python"}) {
      if (impl == "python" && !has_peer(method)) continue;
      const core::Json j = summary(method + "/" + impl);
      if (j.is_null()) {
        std::printf("%-7s %-8s failed\n", method.c_str(), impl.c_str());
        continue;
      }
      std::printf("%-7s %-8s %12.4f %12.0f %11.1f MiB %12lld\n", method.c_str(), impl.c_str(), j["step_s"].get<double>(),
                  j["tokens_per_s"].get<double>(), j["peak_memory_bytes"].get<double>() / 1048576.0,
                  static_cast<long long>(j["trainable"].get<int64_t>()));
    }

  // x / y of `key`: of the medians, and its lowest and highest over the rounds.
  auto ratio = [&](const std::string& x, const std::string& y, const char* key, const char* label, const char* goal) {
    const core::Json mx = summary(x), my = summary(y);
    if (mx.is_null() || my.is_null()) {
      std::printf("  %-32s n/a (a run failed)\n", label);
      return;
    }
    double low = INFINITY, high = -INFINITY;
    for (int64_t r = 0; r < a.rounds; ++r) {
      const double value = runs[x][r][key].get<double>() / runs[y][r][key].get<double>();
      low = std::min(low, value);
      high = std::max(high, value);
    }
    std::printf("  %-32s %.3f", label, mx[key].get<double>() / my[key].get<double>());
    if (a.rounds > 1) std::printf("  (rounds %.3f-%.3f)", low, high);
    std::printf("  %s\n", goal);
  };
  std::printf("\nratios (goal in brackets)\n");
  for (const std::string method : {"full", "lora", "head"})
    ratio(method + "/privtune", method + "/python", "step_s", (method + " time privtune / python").c_str(), "[<= 1]");
  ratio("lora/privtune", "full/privtune", "step_s", "lora / full time (privtune)", "[<= 0.7]");
  ratio("lora/privtune", "full/privtune", "peak_memory_bytes", "lora / full memory (privtune)", "[<= 0.6]");
  ratio("head/privtune", "full/privtune", "step_s", "head / full time (privtune)", "");
  ratio("dp/privtune", "full/privtune", "step_s", "dp / full time", "[<= 1.3]");
  ratio("dp/privtune", "full/privtune", "peak_memory_bytes", "dp / full memory", "[<= 1.2]");
  ratio("dp-lora/privtune", "lora/privtune", "step_s", "dp-lora / lora time", "[<= 1.15]");
  ratio("eval/privtune", "full/privtune", "tokens_per_s", "eval / full tokens per second", "[>= 3]");
  return 0;
}
