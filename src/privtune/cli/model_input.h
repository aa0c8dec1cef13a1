// Turning command-line input into token ids for a loaded model.
#pragma once

#include <string>
#include <vector>

#include "privtune/cli/common.h"
#include "privtune/model/generate.h"

namespace privtune::cli {

// Loads --model on --device with --dtype, applies --adapter when given (merged into float32
// or float64 weights), in eval mode.
model::CausalLM load_flagged_model(const ModelFlags& flags);

// A JSON file holding an array of id arrays (a batch; unequal lengths allowed). Error
// naming the file and position for anything else, or for ids outside [0, vocab_size).
std::vector<model::TokenIds> read_ids_file(const std::string& path, int64_t vocab_size);
// "5,17,3" -> {5, 17, 3}, checked against the vocabulary; `flag` names the source in errors.
model::TokenIds parse_id_list(const std::string& text, int64_t vocab_size, const std::string& flag);

}  // namespace privtune::cli
