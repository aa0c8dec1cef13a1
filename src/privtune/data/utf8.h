// UTF-8 validation and the mapping between Unicode code-point offsets (what dataset spans
// use, like Python's str indexing) and byte offsets (what std::string and PCRE2 use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace privtune::data {

// Byte offset of the first invalid UTF-8 sequence in `text` (overlong forms, surrogates,
// code points above U+10FFFF and truncated sequences are invalid), or nullopt if valid.
std::optional<size_t> find_invalid_utf8(std::string_view text);

// Number of code points in valid UTF-8 `text`.
int64_t count_code_points(std::string_view text);

// Appends the UTF-8 encoding of code point `cp` (must be a valid scalar value).
void append_utf8(std::string& out, char32_t cp);

// Decodes valid UTF-8 into code points.
std::u32string decode_utf8(std::string_view text);

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
  // Byte range [begin, end) of the code-point range [start, end).
  std::string_view slice(std::string_view text, int64_t start, int64_t end) const;

 private:
  std::vector<size_t> bytes_;
};

}  // namespace privtune::data
