#include "privtune/tokenizer/normalized_string.h"

namespace privtune::tokenizer {

NormalizedString NormalizedString::view_of(std::string_view original, uint32_t begin, uint32_t end) {
  NormalizedString s;
  s.view_ = original.substr(begin, end - begin);
  s.base_ = begin;
  s.identity_ = true;
  return s;
}

OriginalRange NormalizedString::align_at(size_t i) const {
  if (!identity_) return align_[i];
  // Identity: the byte maps to the whole original character that contains it, so that a
  // byte-level token covering part of a character still points at that character.
  size_t lead = i;
  while (lead > 0 && utf8::is_continuation(static_cast<uint8_t>(view_[lead]))) --lead;
  size_t len = utf8::sequence_length(static_cast<uint8_t>(view_[lead]));
  return {static_cast<uint32_t>(base_ + lead), static_cast<uint32_t>(base_ + lead + len)};
}

OriginalRange NormalizedString::original_range(size_t b, size_t e) const {
  if (identity_) {
    OriginalRange first = align_at(b);
    OriginalRange last = align_at(e - 1);
    return {first.begin, last.end};
  }
  return {align_[b].begin, align_[e - 1].end};
}

OriginalRange NormalizedString::original_span() const {
  if (empty()) return {base_, base_};
  return original_range(0, size());
}

NormalizedString NormalizedString::slice(size_t b, size_t e) const {
  NormalizedString s;
  if (identity_) {
    s.view_ = view_.substr(b, e - b);
    s.base_ = static_cast<uint32_t>(base_ + b);
    s.identity_ = true;
  } else {
    s.owned_ = owned_.substr(b, e - b);
    s.align_.assign(align_.begin() + static_cast<std::ptrdiff_t>(b), align_.begin() + static_cast<std::ptrdiff_t>(e));
    s.identity_ = false;
    s.base_ = e > b ? align_[b].begin : base_;
  }
  return s;
}

void NormalizedString::Builder::append(std::string_view utf8, OriginalRange range) {
  text.append(utf8);
  align.insert(align.end(), utf8.size(), range);
}

void NormalizedString::Builder::append_code_point(char32_t cp, OriginalRange range) {
  size_t before = text.size();
  utf8::append(text, cp);
  align.insert(align.end(), text.size() - before, range);
}

void NormalizedString::assign(Builder&& builder) {
  if (identity_ && !view_.empty()) base_ = original_span().begin;
  owned_ = std::move(builder.text);
  align_ = std::move(builder.align);
  view_ = {};
  identity_ = false;
}

void NormalizedString::prepend(std::string_view s) {
  if (empty() || s.empty()) return;
  size_t first_end = utf8::sequence_length(static_cast<uint8_t>(text()[0]));
  OriginalRange first = original_range(0, first_end);
  Builder b;
  b.text.reserve(size() + s.size());
  b.append(s, first);
  b.text.append(text());
  if (identity_) {
    for (size_t i = 0; i < size(); ++i) b.align.push_back(align_at(i));
  } else {
    b.align.insert(b.align.end(), align_.begin(), align_.end());
  }
  assign(std::move(b));
}

}  // namespace privtune::tokenizer
