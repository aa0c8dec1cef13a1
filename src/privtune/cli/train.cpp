// privtune train --model DIR --data DIR --method full|lora|head|scrub|dp|dp-lora --out DIR
// [--config F.toml] ...: fine-tune a model (DESIGN.md sections 1 and 6) and write the
// weights or adapter, train_log.jsonl and run.json into --out.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/cli/config_file.h"
#include "privtune/core/error.h"
#include "privtune/train/trainer.h"

namespace privtune::cli {

namespace {

struct TrainFlags {
  train::TrainOptions o;
  std::string config, resume;
  bool json = false, quiet = false;
  int64_t stop_after = 0;  // > 0: stop after this step, leaving a checkpoint to resume from
};

void add_flags(CLI::App& cmd, TrainFlags& f) {
  train::TrainOptions& o = f.o;
  add_config_flag(cmd, f.config);
  cmd.add_option("--model", o.model_dir, "Base model: Hugging Face folder (config.json, *.safetensors, tokenizer)");
  cmd.add_option("--data", o.data_dir, "Dataset folder (train.jsonl, test.jsonl)");
  cmd.add_option("--out", o.out_dir, "Output folder (model or adapter, train_log.jsonl, run.json)");
  cmd.add_flag("--overwrite", o.overwrite, "Write into a non-empty --out");
  cmd.add_option("--resume", f.resume, "Continue the run in this output folder from its last checkpoint");
  cmd.add_option("--method", o.method, "full | lora | head | scrub | dp | dp-lora")->capture_default_str();
  cmd.add_option("--device", o.device, "auto | cpu | cuda | cuda:N")->capture_default_str();
  cmd.add_option("--dtype", o.dtype, "Weights and optimizer state: float32 | float64 | bfloat16")->capture_default_str();
  cmd.add_option("--autocast", o.autocast, "auto (bf16 on CUDA) | off | bf16")->capture_default_str();
  cmd.add_option("--seed", o.seed, "Seed for sampling, LoRA init, dropout and DP noise (DP: makes the run not for release)");

  cmd.add_option("--epochs", o.epochs, "Passes over the training data")->capture_default_str();
  cmd.add_option("--max-steps", o.max_steps, "Steps to train (overrides --epochs)");
  cmd.add_option("--batch-size", o.batch_size, "Examples per step (expected, under Poisson sampling)")->capture_default_str();
  cmd.add_option("--micro-batch-size", o.micro_batch_size, "Examples per forward/backward (gradient accumulation)");
  cmd.add_option("--max-length", o.max_length, "Tokens kept per example (0: all)")->capture_default_str();
  cmd.add_option("--sampling", o.sampling, "auto | poisson | shuffle | sequential")->capture_default_str();

  cmd.add_option("--optimizer", o.optimizer, "adamw | sgd")->capture_default_str();
  cmd.add_option("--lr", o.lr, "Peak learning rate")->capture_default_str();
  cmd.add_option("--weight-decay", o.weight_decay, "Decoupled weight decay (matrices only)")->capture_default_str();
  cmd.add_option("--momentum", o.momentum, "SGD momentum")->capture_default_str();
  cmd.add_option("--beta1", o.beta1, "AdamW beta1")->capture_default_str();
  cmd.add_option("--beta2", o.beta2, "AdamW beta2")->capture_default_str();
  cmd.add_option("--adam-eps", o.adam_eps, "AdamW epsilon")->capture_default_str();
  cmd.add_option("--schedule", o.schedule, "constant | linear | cosine")->capture_default_str();
  cmd.add_option("--warmup-steps", o.warmup_steps, "Linear warm-up steps")->capture_default_str();
  cmd.add_option("--max-grad-norm", o.max_grad_norm,
                 "Clipping norm: per example (C) for DP methods, whole batch otherwise (0: off)");

  cmd.add_option("--lora-r", o.lora_r, "LoRA rank")->capture_default_str();
  cmd.add_option("--lora-alpha", o.lora_alpha, "LoRA alpha (scale alpha / r)")->capture_default_str();
  cmd.add_option("--lora-dropout", o.lora_dropout, "Dropout on the adapters' input")->capture_default_str();
  cmd.add_option("--lora-targets", o.lora_targets, "Module names (q_proj,v_proj), all-linear, or re:PATTERN");
  cmd.add_flag("--rslora", o.rslora, "Scale alpha / sqrt(r)");
  cmd.add_option("--head-blocks", o.head_blocks, "head: last blocks trained")->capture_default_str();
  cmd.add_flag("--head-lm,!--no-head-lm", o.head_lm, "head: train the final norm and LM head (default on)");
  cmd.add_option("--loss-on", o.loss_on, "all | nonsensitive (no loss on sensitive targets)")->capture_default_str();

  cmd.add_option("--noise-multiplier", o.noise_multiplier, "DP: sigma");
  cmd.add_option("--target-epsilon", o.target_epsilon, "DP: pick sigma for this epsilon over the planned steps");
  cmd.add_option("--delta", o.delta, "DP: delta (default: a power of ten below 1/(10 N))");
  cmd.add_option("--accountant", o.accountant, "DP: rdp | pld")->capture_default_str();
  cmd.add_option("--dp-unit", o.dp_unit, "DP: example | user")->capture_default_str();
  cmd.add_option("--clip-method", o.clip_method, "DP per-example norms: auto | ghost | materialized")
      ->capture_default_str();

  cmd.add_option("--eval-every", o.eval_every, "Evaluate the test split every N steps (0: at the end only)");
  cmd.add_flag("--eval,!--no-eval", o.eval, "Evaluate the test split (default on)");
  cmd.add_option("--eval-batch-size", o.eval_batch_size, "Examples per evaluation batch")->capture_default_str();
  cmd.add_option("--checkpoint-every", o.checkpoint_every, "Checkpoint every N steps for --resume (0: never)");
  cmd.add_option("--log-every", o.log_every, "Steps between progress lines when not on a terminal")
      ->capture_default_str();
  cmd.add_option("--dist-timeout", o.dist_timeout,
                 "Data-parallel runs (WORLD_SIZE > 1): seconds to wait for the other workers before failing")
      ->capture_default_str();
  cmd.add_option("--stop-after", f.stop_after,
                 "Stop after step N as if interrupted, leaving a checkpoint for --resume (a time-limited job)");
  cmd.add_flag("--json", f.json, "Print run.json to stdout at the end");
  cmd.add_flag("--quiet", f.quiet, "No progress output");
}

void print_summary(const core::Json& run) {
  const auto& e = run["efficiency"];
  std::printf("method %s: %lld steps, final loss %.4f\n", run["method"].get<std::string>().c_str(),
              static_cast<long long>(e["steps"].get<int64_t>()), run["training"]["final_loss"].get<double>());
  std::printf("trainable %s of %s parameters; %.0f tokens/s; %.3f s/step; peak memory %s\n",
              format_count(e["trainable_parameters"].get<double>()).c_str(),
              format_count(e["total_parameters"].get<double>()).c_str(), e["tokens_per_s"].get<double>(),
              e["time_per_step_s"].get<double>(), format_bytes(e["peak_memory_bytes"].get<double>()).c_str());
  if (run.contains("final_eval")) {
    const auto& test = run["final_eval"]["test"];
    auto show = [](const core::Json& m) {
      return m["loss"].is_null() ? std::string("n/a") : std::to_string(m["loss"].get<double>());
    };
    std::printf("test loss: nonsensitive %s, sensitive %s\n", show(test["nonsens"]).c_str(), show(test["sens"]).c_str());
  }
  if (run.contains("dp")) {
    const auto& dp = run["dp"];
    std::printf("DP: epsilon %s at delta %g (%s, sigma %.4g, C %g, q %.4g)%s\n", dp["epsilon"].dump().c_str(),
                dp["delta"].get<double>(), dp["accountant"].get<std::string>().c_str(), dp["sigma"].get<double>(),
                dp["max_grad_norm"].get<double>(), dp["q"].get<double>(),
                dp["for_release"].get<bool>() ? "" : " [not for release]");
  }
  std::printf("wrote %s\n", run["settings"]["out_dir"].get<std::string>().c_str());
}

}  // namespace

void add_train_command(CLI::App& root) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* cmd = root.add_subcommand("train", "Fine-tune a model: full, lora, head, scrub, dp or dp-lora");
  add_flags(*cmd, *flags);
  cmd->callback([flags, cmd] {
    apply_config_file(*cmd, flags->config);
    train::TrainOptions options = flags->o;
    if (!flags->resume.empty()) {
      // A resumed run is the run that was started: its settings come from its checkpoint.
      for (const CLI::Option* option : cmd->get_options()) {
        const std::string name = option->get_name();
        if (option->count() > 0 && name != "--resume" && name != "--quiet" && name != "--json" &&
            name != "--stop-after")
          throw Error("--resume continues a run with the settings it started with; " + name + " cannot be given with it");
      }
      options.resume = true;
      options.out_dir = flags->resume;
    }
    options.progress = !flags->quiet;
    if (flags->stop_after < 0) throw Error("--stop-after must be >= 1");
    train::Trainer trainer(options);
    if (flags->stop_after > 0) trainer.stop_after_step(flags->stop_after);
    const core::Json run = trainer.run();
    if (run.contains("distributed") && run["distributed"]["rank"] != 0) return;  // rank 0 reports
    if (run.contains("stopped_at_step")) {
      std::printf("stopped after step %lld; continue with --resume %s\n",
                  static_cast<long long>(run["stopped_at_step"].get<int64_t>()), options.out_dir.c_str());
      return;
    }
    if (flags->json)
      print_json(run);
    else
      print_summary(run);
  });
}

}  // namespace privtune::cli
