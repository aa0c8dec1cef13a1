// audit.json, the result of `privtune audit` (schema: docs/audit.md): the one-run bound
// (audit_bound.h) on the canaries' scores, with its guesses, the score histogram and, for
// DP runs, the accountant's epsilon beside it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::eval {

struct AuditSettings {
  int64_t canaries = 0;
  std::string kind;            // random | secret
  int64_t canary_length = 0;   // tokens or digits
  std::vector<int64_t> ks;     // guesses each way, one test per entry (Bonferroni)
  double delta = 0.0;
  double confidence = 0.95;
  uint64_t seed = 0;
};

// One canary: its mean loss over its sensitive targets under the base and the trained model.
struct CanaryOutcome {
  std::string id;
  bool included = false;
  int64_t tokens = 0;
  double base_loss = 0.0, model_loss = 0.0;
  double score() const { return base_loss - model_loss; }  // higher: the model took to it more
};

// Error naming the flag for settings no audit can use: k < 1 or 2k > m, delta or the
// confidence outside (0, 1), or m canaries too few for any bound above 0 at the largest k.
void check_audit_settings(const AuditSettings& settings);

// The audit document. `run` is the training run's run.json (its "dp" section, when present,
// gives the theoretical epsilon).
core::Json audit_document(const AuditSettings& settings, const std::vector<CanaryOutcome>& canaries,
                          const core::Json& run);

// Equal-width bins over the scores, counts of included and excluded canaries per bin.
core::Json score_histogram(const std::vector<CanaryOutcome>& canaries, int bins);

// A few lines for the terminal.
std::string format_audit_summary(const core::Json& audit);

}  // namespace privtune::eval
