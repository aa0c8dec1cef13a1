// The trainer end to end on tiny models: learning, what each method trains, outputs,
// resume equivalence and bad settings.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/safetensors.h"
#include "privtune/eval/token_losses.h"
#include "privtune/model/checkpoint.h"
#include "privtune/peft/adapter_io.h"
#include "privtune/peft/merge.h"
#include "privtune/tokenizer/tokenizer.h"
#include "privtune/train/batch_loss.h"
#include "privtune/train/run_data.h"
#include "privtune/train/trainer.h"
#include "test_util.h"
#include "train_fixture.h"

namespace privtune::train {
namespace {

using test::quick_options;
using test::tiny_run_inputs;

std::map<std::string, torch::Tensor> base_state(model::CausalLM& m) {
  std::map<std::string, torch::Tensor> state;
  for (auto& [name, t] : model::hf_state(m)) state[name] = t.detach().clone();
  return state;
}

double train_loss(model::CausalLM& m, const test::RunInputs& inputs) {
  auto tok = tokenizer::Tokenizer::from_folder(inputs.model_dir);
  RunData d = read_run_data(inputs.data_dir, tok, {});
  eval::ClassLosses losses = eval::evaluate_class_losses(m, d.train, d.labels, {8, 96, 0});
  eval::MeanLoss all = losses.sensitive;
  all.add(losses.nonsensitive);
  return all.mean();
}

TEST(Trainer, FullFineTuningLowersTheTrainingLoss) {
  const auto inputs = tiny_run_inputs("llama");
  TrainOptions o = quick_options(inputs, "full", "trainer_full");
  o.max_steps = 30;
  o.eval_every = 10;
  model::CausalLM base = model::load_model(inputs.model_dir);
  const double before = train_loss(base, inputs);
  Trainer trainer(o);
  const core::Json run = trainer.run();
  const double after = train_loss(trainer.model(), inputs);
  EXPECT_LT(after, before - 0.5) << "before " << before << " after " << after;
  // Outputs: a loadable model, the log, and run.json with what a reader needs.
  model::CausalLM saved = model::load_model(o.out_dir);
  EXPECT_NEAR(train_loss(saved, inputs), after, 1e-4);
  EXPECT_EQ(run["efficiency"]["steps"], 30);
  EXPECT_EQ(run["efficiency"]["trainable_parameters"], run["efficiency"]["total_parameters"]);
  EXPECT_GT(run["efficiency"]["tokens_per_s"].get<double>(), 0.0);
  EXPECT_GT(run["efficiency"]["estimated_flops"].get<double>(), 0.0);
  EXPECT_EQ(run["data"]["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_EQ(run["evaluations"].size(), 4u);  // steps 0, 10, 20, 30
  EXPECT_TRUE(run["final_eval"]["test"]["nonsens"]["loss"].is_number());
  const core::Json on_disk = core::read_json_file(o.out_dir + "/run.json");
  EXPECT_EQ(on_disk["status"], "complete");
  std::ifstream log(o.out_dir + "/train_log.jsonl");
  int steps = 0, evals = 0;
  for (std::string line; std::getline(log, line);) {
    const core::Json j = core::Json::parse(line);
    (j["event"] == "step" ? steps : evals) += 1;
  }
  EXPECT_EQ(steps, 30);
  EXPECT_EQ(evals, 4);
  EXPECT_FALSE(core::path_exists(o.out_dir + "/checkpoint"));
}

TEST(Trainer, LoraLeavesTheBaseBitIdenticalAndWritesAPeftAdapter) {
  const auto inputs = tiny_run_inputs("gpt_neox");
  TrainOptions o = quick_options(inputs, "lora", "trainer_lora");
  o.max_steps = 10;
  o.lr = 1e-2;
  Trainer trainer(o);
  const auto before = base_state(trainer.model());
  const core::Json run = trainer.run();
  for (auto& [name, t] : model::hf_state(trainer.model()))
    EXPECT_TRUE(torch::equal(t, before.at(name))) << name << " changed";
  EXPECT_LT(run["efficiency"]["trainable_parameters"].get<int64_t>(),
            run["efficiency"]["total_parameters"].get<int64_t>() / 5);
  // PEFT layout: config fields and key names.
  const core::Json config = core::read_json_file(o.out_dir + "/adapter_config.json");
  EXPECT_EQ(config["peft_type"], "LORA");
  EXPECT_EQ(config["r"], 8);
  EXPECT_EQ(config["lora_alpha"], 16.0);
  EXPECT_EQ(config["target_modules"], core::Json::array({"query_key_value"}));
  core::SafetensorsFile weights(o.out_dir + "/adapter_model.safetensors");
  EXPECT_EQ(weights.tensors().size(), 2u * 3u);  // A and B on 3 layers
  for (const auto& view : weights.tensors()) {
    EXPECT_EQ(view.name.rfind("base_model.model.gpt_neox.layers.", 0), 0u) << view.name;
    EXPECT_TRUE(view.name.find(".attention.query_key_value.lora_") != std::string::npos) << view.name;
  }
  EXPECT_FALSE(core::path_exists(o.out_dir + "/model.safetensors"));

  // The adapter learned something, and merging gives the same logits as base + adapter.
  model::CausalLM adapted = model::load_model(inputs.model_dir);
  peft::load_adapter(adapted, o.out_dir);
  torch::Tensor ids = torch::randint(0, 300, {2, 12}, torch::kLong);
  torch::Tensor mask = torch::ones({2, 12}, torch::kLong);
  torch::NoGradGuard no_grad;
  model::CausalLM plain = model::load_model(inputs.model_dir);
  const torch::Tensor adapter_logits = adapted->forward(ids, mask);
  EXPECT_GT((adapter_logits - plain->forward(ids, mask)).abs().max().item<double>(), 1e-3);
  peft::merge_lora(adapted);
  EXPECT_LT((adapted->forward(ids, mask) - adapter_logits).abs().max().item<double>(), 1e-4);
}

TEST(Trainer, HeadTrainsOnlyTheLastBlockAndTheHead) {
  const auto inputs = tiny_run_inputs("qwen2");  // untied head
  TrainOptions o = quick_options(inputs, "head", "trainer_head");
  Trainer trainer(o);
  const auto before = base_state(trainer.model());
  trainer.run();
  for (auto& [name, t] : model::hf_state(trainer.model())) {
    const bool trained = name.rfind("model.layers.2.", 0) == 0 || name == "lm_head.weight" || name == "model.norm.weight";
    EXPECT_EQ(!torch::equal(t, before.at(name)), trained) << name;
  }
}

TEST(Trainer, ScrubTrainsOnPlaceholdersInsteadOfSensitiveValues) {
  const auto inputs = tiny_run_inputs("llama");
  auto tok = tokenizer::Tokenizer::from_folder(inputs.model_dir);
  RunDataOptions scrub;
  scrub.scrub = true;
  const RunData scrubbed = read_run_data(inputs.data_dir, tok, scrub);
  const RunData plain = read_run_data(inputs.data_dir, tok, {});
  EXPECT_GT(scrubbed.scrubbed_spans, 0);
  int64_t sensitive = 0;
  for (const auto& e : scrubbed.train)
    for (uint8_t s : e.sensitive) sensitive += s;
  EXPECT_EQ(sensitive, 0);
  EXPECT_EQ(scrubbed.test.size(), plain.test.size());  // evaluation stays on the real data
  const auto& ids = scrubbed.train[0].input_ids;
  const std::string text = tok.decode(std::vector<int32_t>(ids.begin(), ids.end()), false);
  EXPECT_TRUE(text.find("[NAME]") != std::string::npos) << text;

  data::Example e;
  e.text = "Call Ada at 555-0101, thanks";
  e.spans = {{5, 8, "NAME"}, {12, 20, "PHONE"}};
  const data::Example s = scrub_example(e);
  EXPECT_EQ(s.text, "Call [NAME] at [PHONE], thanks");
  EXPECT_TRUE(s.spans.empty());
}

TEST(Trainer, ResumeGivesTheSameWeightsAsAnUninterruptedRun) {
  const auto inputs = tiny_run_inputs("llama");
  for (const std::string method : {"full", "lora"}) {
    TrainOptions o = quick_options(inputs, method, "trainer_resume_a_" + method);
    o.max_steps = 9;
    o.checkpoint_every = 3;
    o.lora_dropout = 0.1;  // dropout draws must resume too
    o.eval_every = 3;
    Trainer whole(o);
    whole.run();

    TrainOptions interrupted = o;
    interrupted.out_dir = test::temp_dir("trainer_resume_b_" + method);
    {
      Trainer first(interrupted);
      first.stop_after_step(6);
      EXPECT_EQ(first.run()["stopped_at_step"], 6);
    }
    EXPECT_FALSE(core::path_exists(interrupted.out_dir + "/run.json"));
    TrainOptions resume;
    resume.out_dir = interrupted.out_dir;
    resume.resume = true;
    resume.device = "cpu";
    resume.progress = false;
    Trainer second(resume);
    second.run();
    for (const auto& item : whole.model()->named_parameters())
      EXPECT_TRUE(torch::equal(item.value(), second.model()->named_parameters()[item.key()])) << method << " " << item.key();
    EXPECT_EQ(core::read_text_file(o.out_dir + "/train_log.jsonl").size() > 0, true);
    // Same log structure: the resumed run rewrote nothing twice.
    auto events = [](const std::string& path) {
      std::vector<std::pair<std::string, int64_t>> out;
      std::ifstream log(path);
      for (std::string line; std::getline(log, line);) {
        const core::Json j = core::Json::parse(line);
        out.emplace_back(j["event"], j["step"]);
      }
      return out;
    };
    EXPECT_EQ(events(o.out_dir + "/train_log.jsonl"), events(interrupted.out_dir + "/train_log.jsonl"));
  }
}

TEST(Trainer, AnIncompleteCheckpointIsRejected) {
  const auto inputs = tiny_run_inputs("llama");
  TrainOptions o = quick_options(inputs, "full", "trainer_incomplete");
  o.checkpoint_every = 2;
  {
    Trainer t(o);
    t.stop_after_step(2);
    t.run();
  }
  const std::string weights = o.out_dir + "/checkpoint/trainable.safetensors";
  std::filesystem::resize_file(weights, std::filesystem::file_size(weights) - 10);
  TrainOptions resume;
  resume.out_dir = o.out_dir;
  resume.resume = true;
  resume.progress = false;
  try {
    Trainer t(resume);
    FAIL() << "a truncated checkpoint loaded";
  } catch (const Error& e) {
    EXPECT_TRUE(std::string(e.what()).find("incomplete") != std::string::npos) << e.what();
  }
}

TEST(Trainer, RefusesANonEmptyOutputFolder) {
  const auto inputs = tiny_run_inputs("llama");
  TrainOptions o = quick_options(inputs, "full", "trainer_nonempty");
  core::write_file_atomic(o.out_dir + "/notes.txt", "mine");
  o.overwrite = false;
  EXPECT_THROW(Trainer{o}, Error);
  EXPECT_EQ(core::read_text_file(o.out_dir + "/notes.txt"), "mine");
}

TEST(Trainer, BadSettingsGiveClearErrors) {
  const auto inputs = tiny_run_inputs("llama");
  TrainOptions o = quick_options(inputs, "lora", "trainer_bad");
  TrainOptions bad = o;
  bad.lora_r = 0;
  test::expect_trainer_error(bad, "--lora-r");
  bad = o;
  bad.lr = -1;
  test::expect_trainer_error(bad, "--lr");
  bad = o;
  bad.lora_targets = "no_such_proj";
  test::expect_trainer_error(bad, "no_such_proj");
  bad = o;
  bad.method = "sparse";
  test::expect_trainer_error(bad, "--method");
  bad = o;
  bad.method = "head";
  bad.head_blocks = 9;
  test::expect_trainer_error(bad, "--head-blocks");
  bad = o;
  bad.noise_multiplier = 1.0;
  test::expect_trainer_error(bad, "--noise-multiplier");

  const auto no_test = tiny_run_inputs("llama", 12, 0);
  bad = quick_options(no_test, "full", "trainer_bad_no_test");
  bad.eval_every = 2;
  test::expect_trainer_error(bad, "test.jsonl");
}

TEST(Trainer, LossOnNonsensitiveDropsSensitiveTargets) {
  data::Batch batch;
  batch.rows = 1, batch.cols = 4;
  batch.input_ids = {5, 6, 7, 8};
  batch.attention_mask = {1, 1, 1, 1};
  batch.sensitive = {0, 1, 0, 1};
  batch.special = {0, 0, 0, 0};
  batch.lengths = {4};
  const DeviceBatch all = to_device(batch, LossOn::kAll, torch::kCPU, torch::kFloat);
  const DeviceBatch nonsens = to_device(batch, LossOn::kNonsensitive, torch::kCPU, torch::kFloat);
  EXPECT_TRUE(torch::equal(all.loss_weights, torch::tensor({{1.f, 1.f, 1.f}})));
  EXPECT_TRUE(torch::equal(nonsens.loss_weights, torch::tensor({{0.f, 1.f, 0.f}})));
  const torch::Tensor losses = torch::tensor({{1.0f, 2.0f, 4.0f}});
  EXPECT_FLOAT_EQ(per_example_losses(losses, nonsens.loss_weights).item<float>(), 2.0f);
  EXPECT_NEAR(per_example_losses(losses, all.loss_weights).item<float>(), 7.0f / 3.0f, 1e-6);
}

}  // namespace
}  // namespace privtune::train

namespace privtune::train {
namespace {

TEST(Trainer, TrainsOnCudaUnderBf16Autocast) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const auto inputs = test::tiny_run_inputs("llama");
  // Non-private full fine-tuning twice: without and with whole-gradient clipping (on a GPU
  // its norm and scale stay on the device, train/aggregation.cpp).
  const std::vector<std::pair<std::string, double>> runs = {
      {"full", 0.0}, {"full", 0.5}, {"lora", 0.0}, {"dp", 1.0}, {"dp-lora", 1.0}};
  for (const auto& [method, clip] : runs) {
    TrainOptions o = test::quick_options(inputs, method, "trainer_cuda_" + method + (clip > 0 ? "_clipped" : ""));
    o.device = "cuda";
    o.max_grad_norm = clip;
    if (is_dp(parse_method(method))) o.noise_multiplier = 0.5;
    o.max_steps = 20;
    Trainer trainer(o);
    const core::Json run = trainer.run();
    EXPECT_EQ(run["efficiency"]["autocast"], "bf16");
    EXPECT_GT(run["efficiency"]["peak_device_memory_bytes"].get<int64_t>(), 0);
    EXPECT_TRUE(std::isfinite(run["training"]["final_loss"].get<double>()));
    EXPECT_TRUE(trainer.model()->embed->weight.is_cuda());
  }
}

}  // namespace
}  // namespace privtune::train
