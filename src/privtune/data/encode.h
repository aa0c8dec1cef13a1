// Examples through a real tokenizer: the whole text is encoded once and the spans become a
// token mask through the encoding's offsets (token_mask.h).
#pragma once

#include "privtune/data/example.h"
#include "privtune/data/token_mask.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::data {

// Text examples are encoded (special tokens added when asked); pre-tokenized examples are
// taken as they are. Throws privtune::Error for text the tokenizer rejects.
TokenizedExample encode_example(const tokenizer::Tokenizer& tok, const Example& example, bool add_special_tokens,
                                LabelVocab& vocab);

}  // namespace privtune::data
