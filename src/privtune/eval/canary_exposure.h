// Canary exposure (DESIGN.md section 5; method in exposure.h): every canary of the dataset,
// inserted or reference, ranked by model loss among the candidate secrets of its format,
// and the exposures summarised by repetition count.
#pragma once

#include <cstdint>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/data/canary.h"
#include "privtune/eval/exposure.h"
#include "privtune/model/causal_lm.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::eval {

struct ExposureOptions {
  int64_t enumerate_limit = 1000000;  // spaces up to this size are enumerated: exact rank
  int64_t samples = 10000;            // random candidates for larger spaces
  uint64_t seed = 0;
  int64_t replicates = 1000;          // bootstrap over canaries for the per-repetition means
};

struct CanaryExposure {
  const data::Canary* canary = nullptr;
  double loss = 0;           // total loss of the canary sentence, nats
  int64_t candidates = 0;    // candidates scored
  double log2_space = 0;     // log2 of the candidate space's size
  ExposureEstimate estimate;
};

// Scores the canary sentence `prefix + candidate + suffix` for every candidate (the whole
// sentence's target loss; the tokens all candidates share are left out, being equal).
CanaryExposure canary_exposure(model::CausalLM& model, const tokenizer::Tokenizer& tok, const data::Canary& canary,
                               const ExposureOptions& options);

// {"canaries": [{id, repetitions, inserted, exposure, rank, method, candidates, log2_space}],
//  "by_repetitions": [{"repetitions", "canaries", "mean_exposure": {value, ci}}],
//  "inserted_mean_exposure": {value, ci}}; null when the dataset has no canaries.
core::Json exposure_metrics(model::CausalLM& model, const tokenizer::Tokenizer& tok,
                            const std::vector<data::Canary>& canaries, const ExposureOptions& options);

}  // namespace privtune::eval
