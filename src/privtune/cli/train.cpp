// privtune train --model DIR --data DIR --method full|lora|head|scrub|dp|dp-lora --out DIR
// [--config F.toml] ...: fine-tune a model (DESIGN.md sections 1 and 6) and write the
// weights or adapter, train_log.jsonl and run.json into --out.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/cli/config_file.h"
#include "privtune/cli/train_flags.h"
#include "privtune/core/error.h"
#include "privtune/train/checkpoint.h"
#include "privtune/train/trainer.h"

namespace privtune::cli {

namespace {

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
  add_train_flags(*cmd, *flags, "Output folder (model or adapter, train_log.jsonl, run.json)");
  cmd->callback([flags, cmd] {
    apply_config_file(*cmd, flags->config);
    train::TrainOptions options = flags->o;
    if (!flags->resume.empty()) {
      // A resumed run is the run that was started: its settings come from its checkpoint.
      check_resume_flags(*cmd, "a run");
      options.resume = true;
      options.out_dir = flags->resume;
      // A run killed after it finished (run.json written, its checkpoint being removed).
      if (train::settle_finished_run(options.out_dir)) {
        std::printf("%s: the run is complete (run.json); nothing to resume\n", options.out_dir.c_str());
        return;
      }
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
