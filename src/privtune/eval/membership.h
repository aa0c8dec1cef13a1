// Membership inference (DESIGN.md section 5): can an attacker tell the training examples
// (members) from the held-out ones (non-members) by how the model scores them?
//
// Four per-example scores, each over the whole sequence and over its sensitive tokens only
// (examples without sensitive tokens sit out the second):
//   loss       mean target loss                                   (Yeom et al. 2018)
//   reference  mean loss minus the base model's mean loss        (Carlini et al. 2021)
//   zlib       mean loss divided by the zlib-compressed size of the text in bytes
//   min_k      mean of the k = 20% highest token losses (Min-K% Prob, Shi et al. 2024)
// A lower value means "more likely a member", so the attack's score is its negation. Each
// gets ROC AUC (with a bootstrap interval: members and non-members resampled apart), TPR at
// 1% and 0.1% FPR, and ROC points for plotting.
#pragma once

#include <cstdint>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/data/token_mask.h"

namespace privtune::eval {

// One split's scoring: per-example target losses of the model and the base
// (losses[i][j - 1] is token j's), and zlib sizes of each example's text and of its
// sensitive spans' text (0 where there is no text, e.g. pre-tokenized records).
struct MembershipSplit {
  const std::vector<data::TokenizedExample>* examples = nullptr;
  const std::vector<std::vector<float>>* model_losses = nullptr;
  const std::vector<std::vector<float>>* base_losses = nullptr;
  std::vector<int64_t> zlib_text, zlib_sensitive;
};

struct MembershipOptions {
  double min_k_fraction = 0.2;
  int64_t replicates = 1000;
  uint64_t seed = 0;
  size_t roc_points = 200;
};

// The attack's per-example scores (higher: more likely a member) for one scope and score
// name; NaN for examples the score does not apply to.
std::vector<double> membership_scores(const MembershipSplit& split, bool sensitive_only, const std::string& score,
                                      double min_k_fraction);

// {"whole": {"loss": {...}, "reference": ..., "zlib": ..., "min_k": ...}, "sensitive": {...}}
// where each entry is {"auc": {"value", "ci"}, "tpr_at_1pct_fpr", "tpr_at_0.1pct_fpr",
// "members", "nonmembers", "roc": [[fpr, tpr], ...]} or null when a side has no examples.
core::Json membership_metrics(const MembershipSplit& members, const MembershipSplit& nonmembers,
                              const MembershipOptions& options);

}  // namespace privtune::eval
