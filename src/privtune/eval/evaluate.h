// `privtune eval` as a library call: every measurement of DESIGN.md section 5 for one
// fine-tuned model against its base on one dataset, as the metrics.json document
// (schema: docs/eval.md). The demo and sweeps call this too.
//
// Cost: one batched no-grad forward per example for each of model and base serves every
// loss-based number (cells, membership scores); exposure scores candidate secrets against a
// shared prefix cache; extraction reads greedy decoding off the model's scoring pass (the
// argmax at every position: extraction.h).
#pragma once

#include <cstdint>
#include <string>

#include "privtune/core/json_util.h"
#include "privtune/data/dataset.h"
#include "privtune/eval/canary_exposure.h"
#include "privtune/eval/extraction.h"
#include "privtune/eval/token_losses.h"
#include "privtune/model/causal_lm.h"
#include "privtune/tokenizer/tokenizer.h"

namespace privtune::eval {

struct EvaluateOptions {
  EvalOptions scoring;        // batch size and max length of the loss forwards
  int64_t replicates = 1000;  // bootstrap resamples for every interval
  uint64_t seed = 0;          // bootstrap, candidate sampling, extraction subset
  ExposureOptions exposure;   // its seed and replicates are taken from here
  ExtractionOptions extraction;
  double min_k_fraction = 0.2;
  bool progress = true;  // phase lines on stderr
};

// The dataset's text splits encoded with `tok` (the model's own tokenizer): labels are
// shared by both splits, zlib sizes computed from the texts.
struct EvalData {
  std::vector<data::TokenizedExample> train, test;
  data::LabelVocab labels;
  std::vector<int64_t> train_zlib, test_zlib;                      // of each text (0: none)
  std::vector<int64_t> train_sensitive_zlib, test_sensitive_zlib;  // of its spans' text
  std::vector<data::Canary> canaries;
  bool has_spans = false;  // any sensitive token in either split
};

// Error naming the file for an empty split.
EvalData prepare_eval_data(const data::Dataset& dataset, const std::string& data_dir, const tokenizer::Tokenizer& tok);

// Runs everything; `model` and `base` must share the tokenizer's vocabulary (checked by
// the caller, which knows where both came from). Models are left in eval mode.
core::Json evaluate(model::CausalLM& model, model::CausalLM& base, const tokenizer::Tokenizer& tok,
                    const EvalData& data, const EvaluateOptions& options);

// The terminal summary of a metrics document: utility, leakage per class, membership,
// exposure and extraction, with intervals.
std::string format_eval_table(const core::Json& metrics);

}  // namespace privtune::eval
