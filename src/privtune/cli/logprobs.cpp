// privtune logprobs --model DIR [--adapter DIR] (--text STR | --ids-file F.json) [--json]
//                   [--logits-out F.safetensors]: log p(token | prefix) for every token of
// every sequence; with --text, each token's text and code-point offsets too.
#include <cstdio>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/cli/model_input.h"
#include "privtune/core/file_io.h"
#include "privtune/model/tensor_io.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::cli {

void add_logprobs_command(CLI::App& root) {
  struct Flags {
    ModelFlags model;
    std::string text, ids_file, logits_out;
    bool json = false, overwrite = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("logprobs", "Per-token log-probabilities of token sequences");
  add_model_flags(*cmd, flags->model);
  auto* text = cmd->add_option("--text", flags->text, "Text, encoded with the model folder's tokenizer.json");
  auto* ids = cmd->add_option("--ids-file", flags->ids_file, "JSON file: an array of token id arrays (a batch)");
  text->excludes(ids);
  ids->excludes(text);
  cmd->add_option("--logits-out", flags->logits_out, "Also write the float32 logits, one tensor per sequence");
  cmd->add_flag("--overwrite", flags->overwrite, "Replace an existing --logits-out file");
  cmd->add_flag("--json", flags->json, "Print JSON");
  cmd->callback([flags] {
    if (!flags->logits_out.empty() && core::path_exists(flags->logits_out) && !flags->overwrite)
      throw Error(flags->logits_out + ": exists (pass --overwrite to replace it)");
    auto m = load_flagged_model(flags->model);
    const torch::Device device = m->embed->weight.device();
    if (flags->text.empty() == flags->ids_file.empty()) throw Error("logprobs: give one of --text or --ids-file");
    std::vector<model::TokenIds> sequences;
    tokenizer::Encoding encoding;
    tokenizer::Tokenizer tok;
    if (!flags->text.empty()) {
      tok = tokenizer::Tokenizer::from_folder(flags->model.model);
      encoding = tok.encode(flags->text, /*add_special_tokens=*/true);
      if (encoding.ids.empty()) throw Error("--text: encodes to no tokens");
      sequences.emplace_back(encoding.ids.begin(), encoding.ids.end());
      for (int64_t id : sequences[0])
        if (id >= m->config().vocab_size)
          throw Error(flags->model.model + ": tokenizer id " + std::to_string(id) + " is outside the model's vocabulary");
    } else {
      sequences = read_ids_file(flags->ids_file, m->config().vocab_size);
    }
    torch::NoGradGuard no_grad;
    auto batch = model::pad_right(sequences, 0, device);
    auto logits = m->forward(batch.ids, batch.mask);
    auto lp = model::token_logprobs(m, batch.ids, batch.mask).to(torch::kCPU, torch::kDouble);

    core::Json out = core::Json::array();
    for (size_t b = 0; b < sequences.size(); ++b) {
      core::Json tokens = core::Json::array();
      double total = 0;
      for (size_t j = 0; j < sequences[b].size(); ++j) {
        core::Json token = {{"index", j}, {"id", sequences[b][j]}};
        if (tok.loaded()) {
          token["token"] = tok.id_to_token(static_cast<int32_t>(sequences[b][j]));
          token["offsets"] = {encoding.offsets[j].first, encoding.offsets[j].second};
          token["special"] = encoding.special[j] != 0;
        }
        if (j == 0) {
          token["logprob"] = nullptr;  // nothing predicts the first token
        } else {
          double value = lp[static_cast<int64_t>(b)][static_cast<int64_t>(j)].item<double>();
          token["logprob"] = value;
          total += value;
        }
        tokens.push_back(token);
      }
      out.push_back({{"sequence", b}, {"tokens", tokens}, {"sum_logprob", total}});
    }
    if (!flags->logits_out.empty()) {
      std::vector<std::pair<std::string, torch::Tensor>> tensors;
      for (size_t b = 0; b < sequences.size(); ++b)
        tensors.emplace_back("logits." + std::to_string(b),
                             logits[static_cast<int64_t>(b)].narrow(0, 0, static_cast<int64_t>(sequences[b].size())));
      model::write_tensors(flags->logits_out, tensors, torch::kFloat);
    }
    if (flags->json) return print_json(out);
    for (const auto& seq : out) {
      std::printf("sequence %zu (sum logprob %.4f)\n", seq["sequence"].get<size_t>(), seq["sum_logprob"].get<double>());
      std::printf("  %5s %8s %12s  %-11s %s\n", "index", "id", "logprob", "offsets", "token");
      for (const auto& t : seq["tokens"]) {
        std::string logprob = t["logprob"].is_null() ? "-" : std::to_string(t["logprob"].get<double>());
        std::string offsets = t.contains("offsets") ? t["offsets"].dump() : "";
        std::string token = t.contains("token") ? t["token"].dump() : "";
        std::printf("  %5zu %8lld %12s  %-11s %s\n", t["index"].get<size_t>(), static_cast<long long>(t["id"]),
                    logprob.c_str(), offsets.c_str(), token.c_str());
      }
    }
  });
}

}  // namespace privtune::cli
