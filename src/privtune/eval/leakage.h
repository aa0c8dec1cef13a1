// Utility, privacy leakage and memorization (DESIGN.md section 5) from the per-token losses
// of the fine-tuned model and of its base on the train and test splits, each with a 95%
// bootstrap interval over examples.
//
// Every number is a token-weighted mean L(split, class) or a difference of such means, so an
// example contributes only its loss sum and token count per class ("cell"); a bootstrap
// replicate reweights examples by their multiplicity in a resample. Train and test are
// resampled independently, and model and base share a resample (their difference is
// paired), which keeps each interval as narrow as the data allows.
#pragma once

#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/data/token_mask.h"

namespace privtune::eval {

// The token classes every report breaks losses into: "nonsens", "sens", then each label.
inline constexpr const char* kNonsensitive = "nonsens";
inline constexpr const char* kSensitive = "sens";

// One split's cells: for each class key and example, the model's and the base's loss sums
// and the number of target tokens.
struct SplitCells {
  std::vector<std::string> keys;
  std::vector<std::vector<double>> model_sum;  // [key][example]
  std::vector<std::vector<double>> base_sum;   // [key][example]
  std::vector<std::vector<double>> tokens;     // [key][example]
  int64_t examples() const { return tokens.empty() ? 0 : static_cast<int64_t>(tokens[0].size()); }
};

// The class keys of a dataset: nonsens, sens, then every label in `labels` in order.
std::vector<std::string> class_keys(const data::LabelVocab& labels);

// Cells from per-example target losses (losses[i][j - 1] is the loss of token j).
SplitCells split_cells(const std::vector<data::TokenizedExample>& examples,
                       const std::vector<std::vector<float>>& model_losses,
                       const std::vector<std::vector<float>>& base_losses, const data::LabelVocab& labels);

struct LeakageOptions {
  int64_t replicates = 1000;  // bootstrap resamples
  uint64_t seed = 0;
};

// {"utility": {U, perplexity, gain}, "classes": {key: {tokens, model, base, P, G, M,
// M_base, X}}}: each number {"value": v, "ci": [low, high]}, null where it is undefined
// (a class without tokens in a split is "n/a", never zero). docs/eval.md has the schema.
core::Json leakage_metrics(const SplitCells& train, const SplitCells& test, const LeakageOptions& options);

}  // namespace privtune::eval
