// --config F.toml for a subcommand (DESIGN.md section 7): every key sets the flag of the
// same name (`lora-r`, `lora_r` and `lora_r = 8` under a [train] table alike), unless the
// command line gives that flag too: the command line wins.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace privtune::cli {

// Adds `--config FILE` to `command`; apply_config_file() must then run first in the
// command's callback.
void add_config_flag(CLI::App& command, std::string& path);

// Applies the TOML file to the flags of `command` not given on the command line. Error
// naming the file and key for a syntax error, an unknown key, or a value of the wrong type.
void apply_config_file(CLI::App& command, const std::string& path);

}  // namespace privtune::cli
