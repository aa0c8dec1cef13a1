// Precision and recall of the PII tagger against records whose spans are known (generated
// data, or hand-labelled files), per label, both for whole spans (exact start, end and
// label) and per character (code points labelled alike).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "privtune/data/example.h"
#include "privtune/data/pii_tagger.h"

namespace privtune::data {

struct LabelScore {
  int64_t true_positives = 0, false_positives = 0, false_negatives = 0;
  // 1 when there was nothing to find or nothing was predicted, so empty rows do not
  // look like failures.
  double precision() const;
  double recall() const;
};

struct TaggerEvaluation {
  std::map<std::string, LabelScore> spans;       // exact span matches
  std::map<std::string, LabelScore> characters;  // per code point
  int64_t records = 0;
};

// Tags every text record and compares with its spans. Labels that neither side uses are
// absent; truth labels the tagger has no detector for (ORDER_NUMBER, PLACE, ...) appear with
// recall 0.
TaggerEvaluation evaluate_tagger(const PiiTagger& tagger, const std::vector<Example>& truth);

// A Markdown table: label, truth spans, span precision/recall, character precision/recall.
std::string evaluation_table(const TaggerEvaluation& evaluation);

}  // namespace privtune::data
