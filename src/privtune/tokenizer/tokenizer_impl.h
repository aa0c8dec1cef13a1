// The loaded state behind a Tokenizer (internal to the tokenizer module).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "privtune/tokenizer/added_tokens.h"
#include "privtune/tokenizer/bpe_model.h"
#include "privtune/tokenizer/decoders.h"
#include "privtune/tokenizer/normalizers.h"
#include "privtune/tokenizer/post_processors.h"
#include "privtune/tokenizer/pre_tokenizers.h"

namespace privtune::tokenizer {

struct TokenizerImpl {
  std::string source;
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<BpeModel> model;
  std::unique_ptr<PostProcessor> post_processor;
  std::unique_ptr<Decoder> decoder;
  AddedVocabulary added;
  std::optional<int32_t> bos, eos, pad;
  bool clean_up_spaces = false;
  int32_t vocab_limit = 0;

  std::string token_text(int32_t id) const;
};

}  // namespace privtune::tokenizer
