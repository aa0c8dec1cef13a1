#include "privtune/data/utf8.h"

#include <algorithm>
#include <stdexcept>

namespace privtune::data {

std::optional<std::string> utf8_problem(std::string_view text) {
  size_t bad = tokenizer::utf8::find_invalid(text);
  if (bad == std::string_view::npos) return std::nullopt;
  return "invalid UTF-8 at byte " + std::to_string(bad + 1);
}

CodePointIndex::CodePointIndex(std::string_view text) {
  bytes_.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) bytes_.push_back(i);
  bytes_.push_back(text.size());
}

int64_t CodePointIndex::code_point_of(size_t byte) const {
  auto it = std::lower_bound(bytes_.begin(), bytes_.end(), byte);
  if (it == bytes_.end() || *it != byte)
    throw std::out_of_range("byte offset " + std::to_string(byte) + " is inside a UTF-8 sequence");
  return static_cast<int64_t>(it - bytes_.begin());
}

std::string_view CodePointIndex::slice(std::string_view text, int64_t start, int64_t end) const {
  size_t b = byte_of(start);
  return text.substr(b, byte_of(end) - b);
}

}  // namespace privtune::data
