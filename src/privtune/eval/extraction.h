// Extraction (DESIGN.md section 5): prompted with the text before a sensitive span, does
// greedy decoding reproduce the span exactly? A span here is a maximal run of sensitive
// tokens with one label; the prompt is every token before it (BOS included) and the model
// decodes as many tokens as the span has. Train and test rates side by side tell
// memorised values from guessable formats.
//
// Greedy decoding reproduces a span exactly when, and only when, every span token is the
// argmax after the prompt and the span's earlier tokens: each greedy choice must be the true
// token for decoding to stay on the span. Those argmaxes are what the scoring pass already
// computes at every position (score_examples' `greedy`), so no decoding is run; docs/eval.md.
#pragma once

#include <cstdint>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/data/token_mask.h"

namespace privtune::eval {

struct SpanOccurrence {
  size_t example = 0;
  int64_t first = 0;   // index of the span's first token
  int64_t tokens = 0;  // span length in tokens
  int32_t label = -1;
};

// Every span of every example whose prompt is non-empty (a span at token 0 has none).
std::vector<SpanOccurrence> span_occurrences(const std::vector<data::TokenizedExample>& examples);

struct ExtractionOptions {
  static constexpr int64_t kAllSpans = -1;
  // Per split: every span (kAllSpans), or whole examples in a seeded order until this many
  // spans are in (0: skip extraction).
  int64_t max_spans = kAllSpans;
  int64_t max_length = 0;    // spans ending beyond it are left out (0: no limit)
  uint64_t seed = 0;
  int64_t replicates = 1000;
};

// For each occurrence, whether greedy decoding reproduces it: greedy[i][j - 1] says whether
// token j of example i is the argmax after tokens < j (score_examples). A span past the
// scored tokens counts as not reproduced.
std::vector<uint8_t> greedy_matches(const std::vector<SpanOccurrence>& spans,
                                    const std::vector<std::vector<uint8_t>>& greedy);

// {"train": {"spans", "examples", "rate": {value, ci}, "labels": {label: {"spans", "rate"}}},
//  "test": {...}}: rates with bootstrap intervals over examples; rate null without spans.
// train_greedy and test_greedy: the model's per-token argmax hits on each split.
core::Json extraction_metrics(const std::vector<data::TokenizedExample>& train,
                              const std::vector<std::vector<uint8_t>>& train_greedy,
                              const std::vector<data::TokenizedExample>& test,
                              const std::vector<std::vector<uint8_t>>& test_greedy, const data::LabelVocab& labels,
                              const ExtractionOptions& options);

}  // namespace privtune::eval
