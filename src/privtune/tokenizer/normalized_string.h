// A piece of the input text after normalisation, with the alignment back to the original.
//
// Every byte of the normalised text knows the byte range of the original text it came from
// (for a character produced from several original characters, their union; for an inserted
// character such as a prepended "▁", the character it was attached to). Token offsets are
// computed from this alignment, never by re-searching the text.
//
// Untouched text is kept as a view into the original input with no alignment table (the
// identity case), which is what the byte-level tokenizers (Llama 3, Qwen, GPT-NeoX) see for
// most inputs; the table is built only when a normaliser or pre-tokenizer rewrites text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace privtune::tokenizer {

// Half-open byte range [begin, end) of the original input.
struct OriginalRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

class NormalizedString {
 public:
  NormalizedString() = default;
  // original[begin, end) as is; `original` must outlive this object and its slices.
  static NormalizedString view_of(std::string_view original, uint32_t begin, uint32_t end);

  std::string_view text() const { return identity_ ? view_ : std::string_view(owned_); }
  size_t size() const { return text().size(); }
  bool empty() const { return text().empty(); }

  // Original range of normalised byte `i`.
  OriginalRange align_at(size_t i) const;
  // Original range covered by normalised bytes [b, e), b < e.
  OriginalRange original_range(size_t b, size_t e) const;
  // Original range of the whole string (begin of the first byte, end of the last).
  OriginalRange original_span() const;

  // Normalised bytes [b, e) (on character boundaries) with their alignment.
  NormalizedString slice(size_t b, size_t e) const;

  // Builds a new normalised text character by character; each appended piece carries the
  // original range its bytes map to.
  class Builder {
   public:
    void append(std::string_view utf8, OriginalRange range);
    void append_code_point(char32_t cp, OriginalRange range);
    std::string text;
    std::vector<OriginalRange> align;
  };
  // Replaces the text and alignment with a builder's output.
  void assign(Builder&& builder);

  // Calls f(code_point, byte_begin, byte_end, original_range) for every character.
  template <typename F>
  void for_each_char(F&& f) const;

  // Inserts `s` before the first character, aligned with that character (no-op when empty).
  void prepend(std::string_view s);

 private:
  std::string owned_;
  std::string_view view_;
  std::vector<OriginalRange> align_;  // one entry per byte of owned_; unused in identity mode
  uint32_t base_ = 0;                 // identity mode: original offset of view_[0]
  bool identity_ = true;
};

}  // namespace privtune::tokenizer

#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

template <typename F>
void NormalizedString::for_each_char(F&& f) const {
  std::string_view t = text();
  size_t i = 0;
  while (i < t.size()) {
    size_t b = i;
    char32_t cp = utf8::decode(t, i);
    f(cp, b, i, original_range(b, i));
  }
}

}  // namespace privtune::tokenizer
