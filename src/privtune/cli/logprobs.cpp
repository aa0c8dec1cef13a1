// privtune logprobs --model DIR --ids-file F.json [--json] [--logits-out F.safetensors]:
// log p(token | prefix) for every token of every sequence.
#include <cstdio>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/cli/model_input.h"
#include "privtune/core/file_io.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/device.h"
#include "privtune/model/tensor_io.h"

namespace privtune::cli {

void add_logprobs_command(CLI::App& root) {
  struct Flags {
    ModelFlags model;
    std::string ids_file, logits_out;
    bool json = false, overwrite = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("logprobs", "Per-token log-probabilities of token sequences");
  add_model_flags(*cmd, flags->model);
  cmd->add_option("--ids-file", flags->ids_file, "JSON file: an array of token id arrays (a batch)")->required();
  cmd->add_option("--logits-out", flags->logits_out, "Also write the float32 logits, one tensor per sequence");
  cmd->add_flag("--overwrite", flags->overwrite, "Replace an existing --logits-out file");
  cmd->add_flag("--json", flags->json, "Print JSON");
  cmd->callback([flags] {
    if (!flags->logits_out.empty() && core::path_exists(flags->logits_out) && !flags->overwrite)
      throw Error(flags->logits_out + ": exists (pass --overwrite to replace it)");
    torch::Device device = model::parse_device(flags->model.device);
    auto m = model::load_model(flags->model.model, {device, model::parse_dtype(flags->model.dtype, device)});
    m->eval();
    auto sequences = read_ids_file(flags->ids_file, m->config().vocab_size);
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
      std::printf("  %5s %8s %12s\n", "index", "id", "logprob");
      for (const auto& t : seq["tokens"]) {
        if (t["logprob"].is_null())
          std::printf("  %5zu %8lld %12s\n", t["index"].get<size_t>(), static_cast<long long>(t["id"]), "-");
        else
          std::printf("  %5zu %8lld %12.6f\n", t["index"].get<size_t>(), static_cast<long long>(t["id"]),
                      t["logprob"].get<double>());
      }
    }
  });
}

}  // namespace privtune::cli
