// privtune: fine-tune language models and measure what they memorize.
// Exit codes (DESIGN.md section 7): 0 ok, 2 bad input or usage, 1 internal error.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "privtune/cli/commands.h"
#include "privtune/core/allocator.h"
#include "privtune/core/error.h"
#include "privtune/core/version.h"

namespace {

using AddCommand = void (*)(CLI::App&);

// Every subcommand, in the order `privtune --help` lists them.
const AddCommand kCommands[] = {
    privtune::cli::add_demo_command,
    privtune::cli::add_data_command,
    privtune::cli::add_inspect_command,
    privtune::cli::add_tokenizer_commands,
    privtune::cli::add_logprobs_command,
    privtune::cli::add_generate_command,
    privtune::cli::add_init_command,
    privtune::cli::add_train_command,
    privtune::cli::add_eval_command,
    privtune::cli::add_audit_command,
    privtune::cli::add_merge_command,
    privtune::cli::add_accountant_command,
    privtune::cli::add_sweep_command,
    privtune::cli::add_report_command,
    privtune::cli::add_launch_command,
};

}  // namespace

int main(int argc, char** argv) {
  privtune::core::keep_freed_memory();
  CLI::App app{"privtune: fine-tune language models and measure what they memorize"};
  app.set_version_flag("--version", std::string(privtune::kVersion) + " (" + privtune::kGitCommit + ")");
  app.set_config("--config", "", "TOML file whose keys set flags (flag name without dashes)");
  app.require_subcommand(1);
  for (AddCommand add : kCommands) add(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other bad-input error.
    std::fprintf(stderr, "privtune: error: %s (see --help)\n", e.what());
    return privtune::kExitBadInput;
  } catch (const privtune::Error& e) {
    std::fprintf(stderr, "privtune: error: %s\n", e.what());
    return privtune::kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "privtune: internal error: %s\n", e.what());
    return privtune::kExitInternal;
  }
  return privtune::kExitOk;
}
