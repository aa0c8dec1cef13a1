// The result of encoding one text.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace privtune::tokenizer {

struct Encoding {
  std::vector<int32_t> ids;
  // Per token, the half-open range of Unicode code points of the ORIGINAL text it came from;
  // (0, 0) for tokens the post-processor adds. A byte-level or byte-fallback token covering
  // part of a character maps to that whole character.
  std::vector<std::pair<int64_t, int64_t>> offsets;
  // 1 where the token is a special token (added by the post-processor, or a special added
  // token written in the text).
  std::vector<uint8_t> special;

  size_t size() const { return ids.size(); }
};

}  // namespace privtune::tokenizer
