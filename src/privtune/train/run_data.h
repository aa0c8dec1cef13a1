// The data of a training run: the dataset folder read, tokenized with the model's own
// tokenizer, and (for --method scrub) sanitised, plus the users for user-level DP and a
// fingerprint that ties run.json to the exact bytes trained on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "privtune/data/token_mask.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::train {

struct RunData {
  std::vector<data::TokenizedExample> train;  // what the model trains on (scrubbed for scrub)
  std::vector<data::TokenizedExample> test;   // as written, for evaluation
  data::LabelVocab labels;
  std::vector<int64_t> train_lengths;         // tokens per train example
  std::vector<int64_t> train_users;           // user index (0-based) of each train example
  int64_t users = 0;                          // distinct users (each example its own without "user")
  int64_t scrubbed_spans = 0;
  std::string fingerprint;  // FNV-1a 64 of train.jsonl and test.jsonl, hex
};

struct RunDataOptions {
  bool scrub = false;           // replace every sensitive span by "[LABEL]" before tokenizing
  bool require_users = false;   // user-level DP: every train record must name its user
};

// Error naming the file and record for bad records, pre-tokenized records under scrub, or
// a missing "user" under require_users; an empty train split is an Error too.
RunData read_run_data(const std::string& data_dir, const tokenizer::Tokenizer& tok, const RunDataOptions& options);

// "[NAME]"-style placeholders for every span; the result has no spans.
data::Example scrub_example(const data::Example& example);

// FNV-1a 64 of the named files' bytes in order, as 16 hex digits.
std::string fingerprint_files(const std::vector<std::string>& paths);

}  // namespace privtune::train
