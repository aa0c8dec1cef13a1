// privtune generate --model DIR [--adapter DIR] (--prompt STR | --prompt-ids 1,2,3) [--max-new-tokens N
// --temperature T --top-k K --top-p P --seed S]: continue a prompt, greedy or sampled, with a
// KV cache, stopping at the end-of-sequence token.
#include <cstdio>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/cli/model_input.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::cli {

void add_generate_command(CLI::App& root) {
  struct Flags {
    ModelFlags model;
    std::string prompt, prompt_ids;
    model::GenerateOptions options;
    bool json = false, ignore_eos = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("generate", "Continue a prompt with the model");
  add_model_flags(*cmd, flags->model);
  auto* text = cmd->add_option("--prompt", flags->prompt, "Prompt text, encoded with the model folder's tokenizer.json");
  auto* ids = cmd->add_option("--prompt-ids", flags->prompt_ids, "Prompt as comma-separated token ids");
  text->excludes(ids);
  ids->excludes(text);
  cmd->add_option("--max-new-tokens", flags->options.max_new_tokens, "Tokens to generate at most")->capture_default_str();
  cmd->add_option("--temperature", flags->options.temperature, "0 for greedy decoding")->capture_default_str();
  cmd->add_option("--top-k", flags->options.top_k, "Sample among the k most likely tokens (0: all)")->capture_default_str();
  cmd->add_option("--top-p", flags->options.top_p, "Nucleus sampling threshold")->capture_default_str();
  cmd->add_option("--seed", flags->options.seed, "Sampling seed")->capture_default_str();
  cmd->add_flag("--ignore-eos", flags->ignore_eos, "Do not stop at the model's end-of-sequence token");
  cmd->add_flag("--json", flags->json, "Print JSON");
  cmd->callback([flags] {
    auto m = load_flagged_model(flags->model);
    if (flags->prompt.empty() == flags->prompt_ids.empty()) throw Error("generate: give one of --prompt or --prompt-ids");
    model::GenerateOptions options = flags->options;
    if (!flags->ignore_eos) options.stop_ids = m->config().eos_token_ids;
    model::TokenIds prompt;
    tokenizer::Tokenizer tok;
    if (!flags->prompt.empty()) {
      tok = tokenizer::Tokenizer::from_folder(flags->model.model);
      auto encoding = tok.encode(flags->prompt, /*add_special_tokens=*/true);
      if (encoding.ids.empty()) throw Error("--prompt: encodes to no tokens");
      prompt.assign(encoding.ids.begin(), encoding.ids.end());
      if (!flags->ignore_eos && tok.eos_id()) options.stop_ids.push_back(*tok.eos_id());
    } else {
      prompt = parse_id_list(flags->prompt_ids, m->config().vocab_size, "--prompt-ids");
    }
    auto result = model::generate(m, {prompt}, options);
    const auto& tokens = result.tokens[0];
    if (tok.loaded()) {
      std::vector<int32_t> new_ids(tokens.begin(), tokens.end());
      std::string completion = tok.decode(new_ids, /*skip_special_tokens=*/true);
      if (flags->json) return print_json({{"prompt", flags->prompt}, {"prompt_ids", prompt}, {"new_ids", tokens}, {"completion", completion}});
      std::printf("%s%s\n", flags->prompt.c_str(), completion.c_str());
      return;
    }
    if (flags->json) return print_json({{"prompt_ids", prompt}, {"new_ids", tokens}});
    for (size_t i = 0; i < tokens.size(); ++i) std::printf(i ? ",%lld" : "%lld", static_cast<long long>(tokens[i]));
    std::printf("\n");
  });
}

}  // namespace privtune::cli
