// Post-processors: TemplateProcessing (special tokens around the sequence), ByteLevel
// (trim_offsets) and Sequence.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/tokenizer/encoding.h"

namespace privtune::tokenizer {

// Token string of an id, for processors that look at the text of tokens.
using TokenText = std::function<std::string(int32_t)>;

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual void process(Encoding& e, bool add_special_tokens, const TokenText& text) const = 0;
};

std::unique_ptr<PostProcessor> make_post_processor(const core::Json& config, const std::string& where);

// A template `[bos] $A [eos]` as transformers builds for Llama and Gemma tokenizers from
// add_bos_token / add_eos_token; a negative id leaves that side out.
std::unique_ptr<PostProcessor> make_bos_eos_template(int32_t bos_id, int32_t eos_id);

}  // namespace privtune::tokenizer
