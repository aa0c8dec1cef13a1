// privtune inspect --model DIR [--json]: family, parameters per module kind, dtypes on
// disk, memory estimates for inference, full fine-tuning and LoRA.
#include <cstdio>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/model/inspect.h"

namespace privtune::cli {

void add_inspect_command(CLI::App& root) {
  struct Flags {
    std::string model;
    bool json = false;
    int64_t lora_rank = 8;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("inspect", "Describe a model folder without loading its weights");
  cmd->add_option("--model", flags->model, "Hugging Face model folder")->required();
  cmd->add_option("--lora-r", flags->lora_rank, "LoRA rank used for the LoRA memory estimate")->capture_default_str();
  cmd->add_flag("--json", flags->json, "Print JSON");
  cmd->callback([flags] {
    core::Json info = model::inspect_model(flags->model, flags->lora_rank);
    if (flags->json) return print_json(info);
    std::printf("model        %s\n", info["folder"].get<std::string>().c_str());
    std::printf("family       %s, %lld layers, hidden %lld, vocab %lld\n", info["model_type"].get<std::string>().c_str(),
                static_cast<long long>(info["layers"]), static_cast<long long>(info["hidden_size"]),
                static_cast<long long>(info["vocab_size"]));
    std::printf("features     %s\n", info["features"].dump().c_str());
    std::printf("parameters\n");
    for (const auto& [kind, count] : info["parameters"].items())
      std::printf("  %-11s %10s  (%lld)\n", kind.c_str(), format_count(count.get<double>()).c_str(),
                  static_cast<long long>(count));
    std::printf("checkpoint   %s, %s\n", info["checkpoint"]["files"].dump().c_str(),
                format_bytes(info["checkpoint"]["bytes"].get<double>()).c_str());
    std::printf("dtypes       %s\n", info["checkpoint"]["elements_by_dtype"].dump().c_str());
    std::printf("memory (weights, gradients, optimizer state; activations not included)\n");
    for (const auto& [what, bytes] : info["memory_estimate_bytes"].items())
      std::printf("  %-24s %s\n", what.c_str(), format_bytes(bytes.get<double>()).c_str());
  });
}

}  // namespace privtune::cli
