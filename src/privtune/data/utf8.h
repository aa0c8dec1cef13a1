// Mapping between Unicode code-point offsets (what dataset spans and tokenizer offsets use,
// like Python's str indexing) and byte offsets (what std::string and PCRE2 use).
// Validation, counting and encoding are the tokenizer's (privtune/tokenizer/utf8.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "privtune/tokenizer/utf8.h"

namespace privtune::data {

// Code points in valid UTF-8 `text`, as the signed type spans use.
inline int64_t code_points(std::string_view text) {
  return static_cast<int64_t>(tokenizer::utf8::count_code_points(text));
}

// "invalid UTF-8 at byte N" (1-based) for the first bad byte of `text`, or nullopt.
std::optional<std::string> utf8_problem(std::string_view text);

// Byte offset of every code point of a valid UTF-8 text, plus one past the end, so that
// code-point offset i maps to byte_of(i) in O(1) and a byte offset maps back by binary search.
class CodePointIndex {
 public:
  explicit CodePointIndex(std::string_view text);

  int64_t size() const { return static_cast<int64_t>(bytes_.size()) - 1; }  // code points
  size_t byte_of(int64_t code_point) const { return bytes_.at(static_cast<size_t>(code_point)); }
  // Code-point offset of a byte offset that lies on a code-point boundary (or the end).
  // Throws std::out_of_range for an offset inside a multi-byte sequence.
  int64_t code_point_of(size_t byte) const;
  // The bytes of the code-point range [start, end).
  std::string_view slice(std::string_view text, int64_t start, int64_t end) const;

 private:
  std::vector<size_t> bytes_;
};

}  // namespace privtune::data
