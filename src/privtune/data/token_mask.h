// From character spans to per-token classes (DESIGN.md section 4): a token is sensitive
// if any character of its offset range lies inside a sensitive span; special tokens
// (flagged special, or with an empty range such as BOS at (0, 0)) never are. Masks come
// only from the tokenizer's offsets of the whole text, never from re-tokenising pieces,
// because a piece tokenises differently on its own than inside its context.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "privtune/data/example.h"

namespace privtune::data {

// Per-token code-point ranges, half open, as in the tokenizer's Encoding::offsets.
using TokenOffsets = std::vector<std::pair<int64_t, int64_t>>;

// Label names <-> small integer ids, in order of first use (ids are stable for a run).
class LabelVocab {
 public:
  int32_t id(const std::string& label);          // adds the label if new
  int32_t find(const std::string& label) const;  // -1 if unknown
  const std::string& name(int32_t id) const { return names_.at(static_cast<size_t>(id)); }
  const std::vector<std::string>& names() const { return names_; }
  size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t> ids_;
};

struct TokenMask {
  std::vector<uint8_t> sensitive;  // 1 for a sensitive token
  std::vector<int32_t> labels;     // label id of the span covering most of the token; -1 if none
};

// `spans` sorted and non-overlapping (as Example keeps them); `special` empty or one flag
// per token. Offsets with start > end are a std::invalid_argument (a tokenizer bug).
TokenMask token_mask(const std::vector<Span>& spans, const TokenOffsets& offsets, const std::vector<uint8_t>& special,
                     LabelVocab& vocab);

// Label given to sensitive tokens of pre-tokenized records, which carry no label.
inline constexpr const char* kUnlabelledSensitive = "SENSITIVE";

// One example as token ids with per-token classes, ready for batching.
struct TokenizedExample {
  std::string id, user;
  std::vector<int64_t> input_ids;
  std::vector<uint8_t> sensitive;
  std::vector<int32_t> labels;
  std::vector<uint8_t> special;  // 1 for special tokens: neither sensitive nor non-sensitive
  size_t size() const { return input_ids.size(); }
};

// From a text example and its encoding (ids, offsets and special flags of the whole text).
// Tokens flagged special or with an empty offset range are marked special.
TokenizedExample tokenized_from_encoding(const Example& example, const std::vector<int64_t>& ids,
                                         const TokenOffsets& offsets, const std::vector<uint8_t>& special,
                                         LabelVocab& vocab);

// From a pre-tokenized example (no special tokens known, sensitive tokens labelled
// SENSITIVE).
TokenizedExample tokenized_from_pretokenized(const Example& example, LabelVocab& vocab);

}  // namespace privtune::data
