// Pre-tokenizers: ByteLevel (with and without its regex), Split (every behaviour, invert),
// Metaspace, Digits, Punctuation, Whitespace, WhitespaceSplit and Sequence.
#pragma once

#include <memory>
#include <string>

#include "privtune/core/json_util.h"
#include "privtune/tokenizer/pre_tokenized.h"

namespace privtune::tokenizer {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenized& pt) const = 0;
};

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const core::Json& config, const std::string& where);

// Rewrites a split whose bytes are still waiting for the byte-to-character map (see
// Split::byte_level) into mapped characters, each aligned with the byte it stands for.
void materialize_byte_level(PreTokenized& pt, Split& s);

// What to do with the delimiters a pattern finds (the reference's SplitDelimiterBehavior).
enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
Behavior parse_behavior(const std::string& name, const std::string& where);

}  // namespace privtune::tokenizer
