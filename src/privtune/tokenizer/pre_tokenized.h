// The input as a list of splits on its way through added-token extraction, normalisation
// and pre-tokenisation (the reference's PreTokenizedString).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "privtune/tokenizer/normalized_string.h"

namespace privtune::tokenizer {

struct Split {
  uint32_t string = 0;  // index into PreTokenized::strings
  uint32_t begin = 0;   // byte range inside that string's normalised text
  uint32_t end = 0;
  int32_t added_id = -1;     // >= 0: an added token already decided; later stages skip it
  bool byte_level = false;   // the bytes still have to go through the GPT-2 byte-to-char map
};

struct PreTokenized {
  // Storage for the normalised strings splits point into; a deque so that references stay
  // valid while pre-tokenizers append rewritten pieces.
  std::deque<NormalizedString> strings;
  std::vector<Split> splits;

  std::string_view text_of(const Split& s) const {
    return strings[s.string].text().substr(s.begin, s.end - s.begin);
  }
  // A split's text as its own NormalizedString, appended to `strings`; returns its index.
  uint32_t materialize(const Split& s) {
    strings.push_back(strings[s.string].slice(s.begin, s.end));
    return static_cast<uint32_t>(strings.size() - 1);
  }

  // Replaces every split that has no added token by the splits `f(split, out)` appends;
  // empty results are dropped.
  template <typename F>
  void refine(F&& f) {
    std::vector<Split> next;
    next.reserve(splits.size());
    std::vector<Split> produced;
    for (const Split& s : splits) {
      if (s.added_id >= 0) {
        next.push_back(s);
        continue;
      }
      produced.clear();
      f(s, produced);
      for (const Split& p : produced)
        if (p.end > p.begin) next.push_back(p);
    }
    splits.swap(next);
  }
};

}  // namespace privtune::tokenizer
