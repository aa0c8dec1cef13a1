// privtune merge --model DIR --adapter DIR --out DIR [--overwrite]: fold a LoRA adapter
// (PEFT layout) into its base model and write a plain Hugging Face model folder, in the
// base's stored dtype, with the base's tokenizer files.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "privtune/cli/commands.h"
#include "privtune/core/file_io.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/device.h"
#include "privtune/peft/adapter_io.h"
#include "privtune/peft/merge.h"

namespace privtune::cli {

void add_merge_command(CLI::App& root) {
  struct Flags {
    std::string model, adapter, out;
    bool overwrite = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("merge", "Merge a LoRA adapter into its base model (W + scale B A)");
  cmd->add_option("--model", flags->model, "Base Hugging Face model folder")->required();
  cmd->add_option("--adapter", flags->adapter, "PEFT LoRA adapter folder (adapter_config.json, adapter_model.safetensors)")
      ->required();
  cmd->add_option("--out", flags->out, "Folder for the merged model")->required();
  cmd->add_flag("--overwrite", flags->overwrite, "Write into a non-empty --out");
  cmd->callback([flags] {
    const std::string& out = flags->out;
    if (core::path_exists(out) && !core::is_directory(out)) throw Error(out + ": exists and is not a folder");
    if (core::is_directory(out) && !std::filesystem::is_empty(out) && !flags->overwrite)
      throw Error(out + ": not empty (pass --overwrite to write into it)");
    // Merged on the CPU in float32 whatever the stored dtype, so that W + scale B A is
    // rounded once, when saving.
    model::CausalLM m = model::load_model(flags->model, {torch::kCPU, torch::kFloat});
    peft::load_adapter(m, flags->adapter);
    const int64_t layers = peft::merge_lora(m);
    torch::ScalarType stored = torch::kFloat;
    try {
      stored = model::parse_dtype(m->config().torch_dtype, torch::kCPU);
    } catch (const Error&) {
      // An unusual torch_dtype in config.json: keep float32 rather than fail after the work.
    }
    model::SaveOptions options;
    options.dtype = stored;
    options.copy_files_from = flags->model;
    model::save_model(m, out, options);
    std::printf("merged %lld adapted layers of %s into %s: wrote %s (%s)\n", static_cast<long long>(layers),
                flags->adapter.c_str(), flags->model.c_str(), out.c_str(), model::dtype_name(stored).c_str());
  });
}

}  // namespace privtune::cli
