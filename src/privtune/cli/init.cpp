// privtune init --config-json F --tokenizer F --out DIR [--seed N] [--std X] [--overwrite]:
// a randomly initialised model folder (Hugging Face layout) from a config.json and a
// tokenizer.json, the starting point for pre-training a model from scratch with
// `privtune train` (scripts/make_base_model builds the built-in model this way).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/config.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::cli {

void add_init_command(CLI::App& root) {
  struct Flags {
    std::string config_json, tokenizer, out;
    int64_t seed = 0;
    double std = 0.02;
    bool overwrite = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("init", "Write a randomly initialised model folder (to pre-train from scratch)");
  cmd->add_option("--config-json", f->config_json, "Hugging Face config.json of the architecture")->required();
  cmd->add_option("--tokenizer", f->tokenizer, "tokenizer.json to ship with the model")->required();
  cmd->add_option("--out", f->out, "Model folder to write")->required();
  cmd->add_option("--seed", f->seed, "Seed of the initial weights")->capture_default_str();
  cmd->add_option("--std", f->std, "Standard deviation of the normal initialisation of matrices")
      ->capture_default_str();
  cmd->add_flag("--overwrite", f->overwrite, "Write into a non-empty --out");
  cmd->callback([f] {
    if (core::path_exists(f->out) && !core::is_directory(f->out)) throw Error(f->out + ": exists and is not a folder");
    if (core::is_directory(f->out) && !std::filesystem::is_empty(f->out) && !f->overwrite)
      throw Error(f->out + ": not empty (pass --overwrite to write into it)");
    if (f->seed < 0) throw Error("--seed must be >= 0");
    if (!(f->std > 0)) throw Error("--std must be > 0");
    const core::Json config_json = core::read_json_file(f->config_json);
    const model::ModelConfig config = model::parse_model_config(config_json, f->config_json);
    const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_file(f->tokenizer);
    if (tok.vocab_size() > config.vocab_size)
      throw Error(f->config_json + ": vocab_size " + std::to_string(config.vocab_size) + " is smaller than the " +
                  std::to_string(tok.vocab_size()) + " tokens of " + f->tokenizer);

    model::CausalLM m(config, torch::TensorOptions().dtype(torch::kFloat));
    model::init_random(m, static_cast<uint64_t>(f->seed), f->std);
    model::save_model(m, f->out);
    core::write_file_atomic(core::join_path(f->out, "tokenizer.json"), core::read_text_file(f->tokenizer));
    int64_t parameters = 0;
    for (const auto& p : m->parameters()) parameters += p.numel();
    std::printf("wrote %s: %s with %s parameters\n", f->out.c_str(), config.model_type.c_str(),
                format_count(static_cast<double>(parameters)).c_str());
  });
}

}  // namespace privtune::cli
