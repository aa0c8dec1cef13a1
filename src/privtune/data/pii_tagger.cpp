#include "privtune/data/pii_tagger.h"

#include <algorithm>

#include "privtune/data/pii_detectors.h"
#include "privtune/data/utf8.h"

namespace privtune::data {

struct PiiTagger::Impl {
  PatternDetectors patterns;
  NameDetector names;
};

PiiTagger::PiiTagger() : impl_(std::make_unique<Impl>()) {}
PiiTagger::~PiiTagger() = default;

std::vector<std::string> PiiTagger::labels() {
  return {"EMAIL",     "URL",   "IP_ADDRESS", "CARD_NUMBER", "SSN", "NATIONAL_ID",
          "ID_NUMBER", "PHONE", "DATE",       "ADDRESS",     "NAME"};
}

std::vector<Span> PiiTagger::tag(const std::string& text) const {
  std::vector<PiiCandidate> candidates;
  impl_->patterns.detect(text, candidates);
  impl_->names.detect(text, candidates);
  // Most specific detector first; within one, leftmost then longest.
  std::stable_sort(candidates.begin(), candidates.end(), [](const PiiCandidate& a, const PiiCandidate& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end > b.end;
  });
  std::vector<const PiiCandidate*> kept;
  for (const PiiCandidate& c : candidates) {
    bool overlaps = std::any_of(kept.begin(), kept.end(),
                                [&](const PiiCandidate* k) { return c.begin < k->end && k->begin < c.end; });
    if (!overlaps) kept.push_back(&c);
  }
  CodePointIndex index(text);
  std::vector<Span> spans;
  for (const PiiCandidate* c : kept)
    spans.push_back({index.code_point_of(c->begin), index.code_point_of(c->end), c->label});
  sort_spans(spans);
  return spans;
}

}  // namespace privtune::data
