// Decoders: ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace and Sequence. Each turns
// the list of token strings into a new list (the reference's decode_chain); the tokenizer
// joins the final list.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::tokenizer {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

std::unique_ptr<Decoder> make_decoder(const core::Json& config, const std::string& where);

}  // namespace privtune::tokenizer
