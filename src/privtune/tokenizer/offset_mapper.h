// Original byte ranges -> code-point ranges of the original text.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "privtune/tokenizer/normalized_string.h"

namespace privtune::tokenizer {

class OffsetMapper {
 public:
  explicit OffsetMapper(std::string_view text);
  // A range that starts or ends inside a character is widened to the whole character.
  std::pair<int64_t, int64_t> operator()(OriginalRange r) const {
    if (ascii_) return {r.begin, r.end};
    if (r.end <= r.begin) return {leads_[r.begin], leads_[r.begin]};
    return {leads_[r.begin + 1] - 1, leads_[r.end]};
  }

 private:
  bool ascii_ = true;
  std::vector<uint32_t> leads_;  // leads_[i]: characters that start before byte i
};

}  // namespace privtune::tokenizer
