#include "privtune/cli/train_flags.h"

#include "privtune/cli/config_file.h"
#include "privtune/core/error.h"

namespace privtune::cli {

void add_train_flags(CLI::App& cmd, TrainFlags& f, const std::string& out_help) {
  train::TrainOptions& o = f.o;
  add_config_flag(cmd, f.config);
  cmd.add_option("--model", o.model_dir, "Base model: Hugging Face folder (config.json, *.safetensors, tokenizer)");
  cmd.add_option("--data", o.data_dir, "Dataset folder (train.jsonl, test.jsonl)");
  cmd.add_option("--out", o.out_dir, out_help);
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
  cmd.add_option("--dist-backend", o.dist_backend,
                 "Data-parallel collectives: nccl (one GPU per worker), gloo (CPU, or workers sharing a GPU), or "
                 "auto: nccl when every worker has a GPU of its own, else gloo")
      ->capture_default_str();
  cmd.add_option("--stop-after", f.stop_after,
                 "Stop after step N as if interrupted, leaving a checkpoint for --resume (a time-limited job)");
  cmd.add_flag("--json", f.json, "Print run.json to stdout at the end");
  cmd.add_flag("--quiet", f.quiet, "No progress output");
}

void check_resume_flags(const CLI::App& cmd, const std::string& what) {
  for (const CLI::Option* option : cmd.get_options()) {
    const std::string name = option->get_name();
    if (option->count() > 0 && name != "--resume" && name != "--quiet" && name != "--json" && name != "--stop-after")
      throw Error("--resume continues " + what + " with the settings it started with; " + name +
                  " cannot be given with it");
  }
}

}  // namespace privtune::cli
