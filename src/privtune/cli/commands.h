// The subcommands of the `privtune` executable. Each lives in its own file in this folder
// and adds itself to the root CLI11 app; main.cpp lists them in kCommands.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace privtune::cli {

void add_inspect_command(CLI::App& root);
void add_logprobs_command(CLI::App& root);
void add_generate_command(CLI::App& root);
void add_train_command(CLI::App& root);       // fine-tune: full, lora, head, scrub, dp, dp-lora
void add_eval_command(CLI::App& root);        // privacy and utility metrics
void add_audit_command(CLI::App& root);       // empirical epsilon lower bound (one-run audit)
void add_init_command(CLI::App& root);        // a random model to pre-train from scratch
void add_demo_command(CLI::App& root);        // the privacy-utility-cost study end to end
void add_merge_command(CLI::App& root);       // merge a LoRA adapter into its base
void add_accountant_command(CLI::App& root);
void add_sweep_command(CLI::App& root);       // grids of runs into a results database
void add_report_command(CLI::App& root);      // the HTML report of a results database
void add_launch_command(CLI::App& root);      // N local data-parallel workers
void add_tokenizer_commands(CLI::App& root);  // tokenize, tokenizer train
void add_data_command(CLI::App& root);         // data generate|tag|stats

// Whether `privtune audit --resume DIR` has something to do (an unfinished audit's plan, or
// a finished audit's result), for sweeps that continue interrupted runs.
bool audit_can_resume(const std::string& dir);

}  // namespace privtune::cli
