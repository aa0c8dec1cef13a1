// The subcommands of the `privtune` executable. Each lives in its own file in this folder
// and adds itself to the root CLI11 app; main.cpp lists them in kCommands.
#pragma once

namespace CLI {
class App;
}

namespace privtune::cli {

void add_tokenizer_commands(CLI::App& app);  // tokenize, tokenizer train (tokenize.cpp)
void add_data_command(CLI::App& app);        // data generate|tag|stats (data.cpp)

}  // namespace privtune::cli
