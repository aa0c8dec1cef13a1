#include "privtune/data/encode.h"

namespace privtune::data {

TokenizedExample encode_example(const tokenizer::Tokenizer& tok, const Example& example, bool add_special_tokens,
                                LabelVocab& vocab) {
  if (example.pretokenized()) return tokenized_from_pretokenized(example, vocab);
  tokenizer::Encoding e = tok.encode(example.text, add_special_tokens);
  std::vector<int64_t> ids(e.ids.begin(), e.ids.end());
  return tokenized_from_encoding(example, ids, e.offsets, e.special, vocab);
}

}  // namespace privtune::data
