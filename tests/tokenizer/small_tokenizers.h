// Small tokenizer.json files built in the tests, for the components the npm tokenizers do
// not exercise: GPT-NeoX style byte-level BPE (ByteLevel pre-tokenizer with its regex, NFC,
// trim_offsets) and Llama 2 / Gemma style SentencePiece BPE (Prepend + Replace or Metaspace,
// byte_fallback, unk).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::tokenizer::testing {

using Json = core::Json;

// Vocabulary and merges grown merge by merge; each merge adds its result as a new token.
struct VocabBuilder {
  Json vocab = Json::object();
  Json merges = Json::array();
  int next_id = 0;
  int add(const std::string& token);  // id of token (added when new)
  void merge(const std::string& a, const std::string& b);
  // Merges for `word`, left to right (so that `word` becomes one token).
  void merge_word(const std::vector<std::string>& symbols);
};

// GPT-NeoX style: NFC, ByteLevel(add_prefix_space=false, use_regex), BPE over the 256 byte
// characters plus merges for "Hello", " world", " the", "ing"; ByteLevel post-processor with
// trim_offsets; <|endoftext|> special.
Json neox_style_json();
// Llama 2 style: Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer, BPE with byte_fallback
// and <unk>, template "<s> $A", decoder Replace/ByteFallback/Fuse/Strip.
Json llama2_style_json();
// Gemma style with a Metaspace pre-tokenizer (`scheme`, split) and Metaspace decoder.
Json metaspace_style_json(const std::string& scheme, bool split);

Tokenizer load(const Json& tokenizer_json, const std::string& name = "test tokenizer.json",
               const Json& config = Json());

}  // namespace privtune::tokenizer::testing
