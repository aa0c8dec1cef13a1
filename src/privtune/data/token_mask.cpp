#include "privtune/data/token_mask.h"

#include <algorithm>
#include <stdexcept>

namespace privtune::data {

int32_t LabelVocab::id(const std::string& label) {
  auto it = ids_.find(label);
  if (it != ids_.end()) return it->second;
  auto id = static_cast<int32_t>(names_.size());
  names_.push_back(label);
  ids_.emplace(label, id);
  return id;
}

int32_t LabelVocab::find(const std::string& label) const {
  auto it = ids_.find(label);
  return it == ids_.end() ? -1 : it->second;
}

TokenMask token_mask(const std::vector<Span>& spans, const TokenOffsets& offsets, const std::vector<uint8_t>& special,
                     LabelVocab& vocab) {
  if (!special.empty() && special.size() != offsets.size())
    throw std::invalid_argument("token_mask: " + std::to_string(special.size()) + " special flags for " +
                                std::to_string(offsets.size()) + " tokens");
  std::vector<int32_t> span_ids;
  span_ids.reserve(spans.size());
  for (const Span& s : spans) span_ids.push_back(vocab.id(s.label));

  TokenMask mask;
  mask.sensitive.assign(offsets.size(), 0);
  mask.labels.assign(offsets.size(), -1);
  for (size_t t = 0; t < offsets.size(); ++t) {
    auto [a, b] = offsets[t];
    if (a > b)
      throw std::invalid_argument("token_mask: token " + std::to_string(t) + " has offsets (" + std::to_string(a) +
                                  ", " + std::to_string(b) + ")");
    if (a == b || (!special.empty() && special[t])) continue;
    // Spans do not overlap, so their ends ascend with their starts: the first span that
    // can touch [a, b) is the first one ending after a.
    auto it = std::upper_bound(spans.begin(), spans.end(), a, [](int64_t x, const Span& s) { return x < s.end; });
    int64_t best = 0;
    for (; it != spans.end() && it->start < b; ++it) {
      int64_t overlap = std::min(b, it->end) - std::max(a, it->start);
      if (overlap > best) {
        best = overlap;
        mask.labels[t] = span_ids[static_cast<size_t>(it - spans.begin())];
      }
    }
    mask.sensitive[t] = best > 0 ? 1 : 0;
  }
  return mask;
}

TokenizedExample tokenized_from_encoding(const Example& example, const std::vector<int64_t>& ids,
                                         const TokenOffsets& offsets, const std::vector<uint8_t>& special,
                                         LabelVocab& vocab) {
  if (ids.size() != offsets.size())
    throw std::invalid_argument("tokenized_from_encoding: ids and offsets differ in length");
  TokenMask mask = token_mask(example.spans, offsets, special, vocab);
  TokenizedExample out;
  out.id = example.id;
  out.user = example.user;
  out.input_ids = ids;
  out.sensitive = std::move(mask.sensitive);
  out.labels = std::move(mask.labels);
  // A token with an empty range covers no character, so it is neither sensitive nor
  // non-sensitive: it counts as special like a flagged one (BOS often has (0, 0)).
  out.special.resize(ids.size());
  for (size_t t = 0; t < ids.size(); ++t)
    out.special[t] = (!special.empty() && special[t]) || offsets[t].first == offsets[t].second ? 1 : 0;
  return out;
}

TokenizedExample tokenized_from_pretokenized(const Example& example, LabelVocab& vocab) {
  TokenizedExample out;
  out.id = example.id;
  out.user = example.user;
  out.input_ids = example.input_ids;
  out.sensitive = example.sensitive.empty() ? std::vector<uint8_t>(example.input_ids.size(), 0) : example.sensitive;
  out.special.assign(example.input_ids.size(), 0);
  out.labels.assign(example.input_ids.size(), -1);
  int32_t label = -1;
  for (size_t i = 0; i < out.sensitive.size(); ++i) {
    if (!out.sensitive[i]) continue;
    if (label < 0) label = vocab.id(kUnlabelledSensitive);
    out.labels[i] = label;
  }
  return out;
}

}  // namespace privtune::data
