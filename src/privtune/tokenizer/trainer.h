// Training a byte-level BPE tokenizer (GPT-2 style: ByteLevel pre-tokenizer with its regex,
// the 256 byte characters as the alphabet), deterministically: the same inputs and options
// always give the same tokenizer.json, whatever the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace privtune::tokenizer {

struct TrainerOptions {
  // Total size of the vocabulary: special tokens + 256 bytes + merges.
  int32_t vocab_size = 32000;
  // Added as special tokens with the first ids, in this order.
  std::vector<std::string> special_tokens;
  // Pairs seen fewer times than this are never merged (training may then stop below
  // vocab_size).
  int64_t min_frequency = 2;
  // Threads for counting words; 0 = one per core (at most 8).
  int threads = 0;
  // Called with a one-line progress message now and then; may be empty.
  std::function<void(const std::string&)> progress;
};

struct TrainerStats {
  size_t bytes = 0;
  size_t words = 0;         // pre-tokens seen
  size_t unique_words = 0;  // distinct pre-tokens
  size_t merges = 0;
};

// Trains on the text of `input_files` (each line, with its newline, is one sequence) and
// returns the tokenizer.json text. Throws privtune::Error for an unreadable file, text that is
// not UTF-8 (naming the file and byte offset) or impossible options.
std::string train_byte_level_bpe(const std::vector<std::string>& input_files, const TrainerOptions& options,
                                 TrainerStats* stats = nullptr);
// The same on texts in memory.
std::string train_byte_level_bpe_on_texts(const std::vector<std::string>& texts, const TrainerOptions& options,
                                          TrainerStats* stats = nullptr);

}  // namespace privtune::tokenizer
