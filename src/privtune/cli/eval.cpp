// privtune eval --model DIR [--adapter DIR] --base DIR --data DIR --out metrics.json
// [--json] ...: every privacy and utility measurement of DESIGN.md section 5 for a
// fine-tuned model against its base (schema of metrics.json: docs/eval.md).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/cli/config_file.h"
#include "privtune/cli/model_input.h"
#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/eval/evaluate.h"
#include "privtune/train/device_stats.h"

namespace privtune::cli {

namespace {

struct EvalFlags {
  ModelFlags model;
  std::string base, data, out, config;
  bool overwrite = false, json = false, quiet = false;
  int64_t seed = 0;
  std::string extraction_spans = "all";
  eval::EvaluateOptions o;
};

// --extraction-max-spans: "all" (every span) or a count >= 0 (0 skips extraction).
int64_t parse_span_limit(const std::string& text) {
  if (text == "all") return eval::ExtractionOptions::kAllSpans;
  size_t used = 0;
  int64_t n = -1;
  try {
    n = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || n < 0)
    throw Error("--extraction-max-spans: '" + text + "' is not a count >= 0 or 'all'");
  return n;
}

// The vocabulary of a model folder's tokenizer: model.vocab and added_tokens of its
// tokenizer.json (what decides which id means which text).
core::Json vocabulary_of(const std::string& folder) {
  const std::string path = core::join_path(folder, "tokenizer.json");
  if (!core::path_exists(path)) throw Error(path + ": missing (evaluation tokenizes the dataset with it)");
  core::Json j = core::read_json_file(path);
  return {j.value("model", core::Json::object()).value("vocab", core::Json()), j.value("added_tokens", core::Json())};
}

// Model and base must read token ids the same way, or every comparison is meaningless.
void check_same_vocabulary(const std::string& model_dir, const std::string& base_dir, int64_t model_vocab,
                           int64_t base_vocab) {
  if (model_vocab != base_vocab)
    throw Error("--model and --base have different vocabulary sizes (" + std::to_string(model_vocab) + " and " +
                std::to_string(base_vocab) + "): the base must be the model's own base");
  if (vocabulary_of(model_dir) != vocabulary_of(base_dir))
    throw Error(core::join_path(base_dir, "tokenizer.json") + ": its vocabulary differs from " +
                core::join_path(model_dir, "tokenizer.json") + " (the base must be the model's own base)");
}

}  // namespace

void add_eval_command(CLI::App& root) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* cmd = root.add_subcommand("eval", "Measure utility, leakage, memorization, MIA, exposure and extraction");
  add_config_flag(*cmd, f->config);
  add_model_flags(*cmd, f->model);
  cmd->add_option("--base", f->base, "The base model the fine-tuned one started from (HF folder)")->required();
  cmd->add_option("--data", f->data, "Dataset folder (train.jsonl members, test.jsonl non-members, canaries.jsonl)")
      ->required();
  cmd->add_option("--out", f->out, "metrics.json to write")->required();
  cmd->add_flag("--overwrite", f->overwrite, "Replace an existing --out");
  cmd->add_flag("--json", f->json, "Print metrics.json to stdout instead of the table");
  cmd->add_flag("--quiet", f->quiet, "No progress lines on stderr");
  cmd->add_option("--seed", f->seed, "Seed of the bootstrap, candidate sampling and extraction subset")
      ->capture_default_str();
  cmd->add_option("--batch-size", f->o.scoring.batch_size, "Examples per forward")->capture_default_str();
  cmd->add_option("--max-length", f->o.scoring.max_length, "Tokens kept per example (0: all)")->capture_default_str();
  cmd->add_option("--bootstrap", f->o.replicates, "Bootstrap resamples for the 95% intervals")->capture_default_str();
  cmd->add_option("--min-k", f->o.min_k_fraction, "Fraction of tokens for the Min-K% score")->capture_default_str();
  cmd->add_option("--exposure-enumerate-limit", f->o.exposure.enumerate_limit,
                  "Enumerate canary spaces up to this size (exact rank)")
      ->capture_default_str();
  cmd->add_option("--exposure-samples", f->o.exposure.samples, "Random candidates for larger canary spaces")
      ->capture_default_str();
  cmd->add_option("--extraction-max-spans", f->extraction_spans,
                  "Spans counted per split: all, or at most N (whole examples in a seeded order; 0: no extraction)")
      ->capture_default_str();
  cmd->callback([cmd, f] {
    apply_config_file(*cmd, f->config);
    eval::EvaluateOptions& o = f->o;
    if (o.scoring.batch_size < 1) throw Error("--batch-size must be >= 1");
    if (o.scoring.max_length < 0 || (o.scoring.max_length > 0 && o.scoring.max_length < 2))
      throw Error("--max-length must be 0 (all) or >= 2");
    if (o.replicates < 10) throw Error("--bootstrap must be >= 10");
    if (!(o.min_k_fraction > 0 && o.min_k_fraction <= 1)) throw Error("--min-k must be in (0, 1]");
    if (o.exposure.samples < 10000) throw Error("--exposure-samples must be >= 10000");
    if (o.exposure.enumerate_limit < 1) throw Error("--exposure-enumerate-limit must be >= 1");
    o.extraction.max_spans = parse_span_limit(f->extraction_spans);
    if (f->seed < 0) throw Error("--seed must be >= 0");
    if (core::path_exists(f->out) && !f->overwrite) throw Error(f->out + ": exists (pass --overwrite to replace it)");
    o.seed = static_cast<uint64_t>(f->seed);
    o.progress = !f->quiet;

    model::CausalLM m = load_flagged_model(f->model);
    ModelFlags base_flags = f->model;
    base_flags.model = f->base;
    base_flags.adapter.clear();
    model::CausalLM base = load_flagged_model(base_flags);
    check_same_vocabulary(f->model.model, f->base, m->config().vocab_size, base->config().vocab_size);

    tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_folder(f->model.model);
    if (tok.vocab_size() > m->config().vocab_size)
      throw Error(f->model.model + ": the tokenizer has " + std::to_string(tok.vocab_size()) +
                  " tokens, more than the model's vocabulary of " + std::to_string(m->config().vocab_size));
    data::Dataset dataset = data::read_dataset(f->data, data::OnBadRecord::kFail);
    eval::EvalData eval_data = eval::prepare_eval_data(dataset, f->data, tok);
    for (const auto* split : {&eval_data.train, &eval_data.test})
      for (const data::TokenizedExample& e : *split)
        for (int64_t id : e.input_ids)
          if (id < 0 || id >= m->config().vocab_size)
            throw Error(f->data + ": example " + e.id + " has token id " + std::to_string(id) +
                        " outside the model's vocabulary");

    const torch::Device device = m->embed->weight.device();
    train::reset_device_peak(device);
    core::Json metrics = eval::evaluate(m, base, tok, eval_data, o);
    metrics["inputs"] = {{"model", f->model.model}, {"adapter", f->model.adapter}, {"base", f->base},
                         {"data", f->data}, {"device", device.str()}};
    metrics["efficiency"]["peak_rss_bytes"] = train::peak_rss_bytes();
    metrics["efficiency"]["device_peak_bytes"] = train::device_peak_bytes(device);
    core::write_file_atomic(f->out, metrics.dump(2) + "\n");
    if (f->json) {
      print_json(metrics);
    } else {
      std::fputs(eval::format_eval_table(metrics).c_str(), stdout);
      std::printf("\nWrote %s\n", f->out.c_str());
    }
  });
}

}  // namespace privtune::cli
