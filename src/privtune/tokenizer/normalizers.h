// Normalizers: NFC, NFD, NFKC, NFKD, Replace, Prepend, Lowercase, Strip, StripAccents and
// Sequence, as the reference's `normalizer` section describes them.
#pragma once

#include <memory>
#include <string>

#include "privtune/core/json_util.h"
#include "privtune/tokenizer/normalized_string.h"

namespace privtune::tokenizer {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(NormalizedString& s) const = 0;
};

// Builds the normalizer a tokenizer.json section describes; null JSON gives nullptr. Throws
// privtune::Error naming `where` for an unknown type or a malformed field.
std::unique_ptr<Normalizer> make_normalizer(const core::Json& config, const std::string& where);

}  // namespace privtune::tokenizer
