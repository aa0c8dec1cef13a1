// Inputs for training tests: a tiny random model of a family, saved as a Hugging Face
// folder with a byte-level BPE tokenizer trained on the data, and a small customersim
// dataset folder.
#pragma once

#include <string>

#include "privtune/train/options.h"

namespace privtune::test {

struct RunInputs {
  std::string model_dir, data_dir;
};

// Made once per (family, sizes) and build of the test program, in the build tree:
// `train`/`test` examples, and with `canaries` > 0 that many canaries per repetition count
// (1 and 4) plus as many reference canaries, with 3-digit secrets (1,000 candidates, cheap
// to enumerate).
RunInputs tiny_run_inputs(const std::string& family, int64_t train = 24, int64_t test = 8, int64_t canaries = 0);

// Options for a short CPU run of `method` on `inputs` writing to a fresh `out` folder.
train::TrainOptions quick_options(const RunInputs& inputs, const std::string& method, const std::string& out);

// A gtest failure unless constructing a Trainer from `options` throws a privtune::Error
// whose message contains `fragment`.
void expect_trainer_error(const train::TrainOptions& options, const std::string& fragment);

}  // namespace privtune::test
