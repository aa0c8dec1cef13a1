// The canaries of a one-run privacy audit (eval/audit_bound.h): m audit records, each put
// into the training set independently with probability 1/2 by a coin the trainer never sees.
//
// Two kinds:
//   random  a pre-tokenized record of `length` token ids drawn uniformly from the
//           vocabulary's ordinary (non-special) tokens, every token sensitive: nothing
//           about it can be learned except by seeing it, the strongest signal for an audit.
//   secret  a record in the dataset's own format: a canary sentence
//           `My <adjective> <noun> PIN is <digits>.` (its digits a sensitive span labelled
//           AUDIT_CANARY, the only tokens an audit scores) followed by the text of a randomly chosen training record as its host.
//           The sentence leads so that --max-length never cuts the secret off.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "privtune/data/example.h"

namespace privtune::data {

inline constexpr const char* kAuditCanaryLabel = "AUDIT_CANARY";

enum class AuditCanaryKind { kRandomTokens, kSecret };
AuditCanaryKind parse_audit_canary_kind(const std::string& name);  // random | secret; Error otherwise
const char* audit_canary_kind_name(AuditCanaryKind kind);

struct AuditCanaryOptions {
  int64_t count = 0;  // m
  AuditCanaryKind kind = AuditCanaryKind::kRandomTokens;
  int64_t length = 0;  // tokens (random) or digits (secret); 0: 16 tokens or 6 digits
  uint64_t seed = 0;   // the canaries' content and the coins, from independent streams
};

int64_t audit_canary_length(const AuditCanaryOptions& options);  // `length` with its default applied

struct AuditCanary {
  Example record;  // id audit-0001, ...
  bool included = false;
};

// `train` gives the hosts of secret canaries (text records; Error if it has none) and
// whether records carry users (then each canary is its own user, so that under
// --dp-unit user it is still one privacy unit). `token_pool` holds the ids random canaries
// draw from (Error if empty for that kind).
std::vector<AuditCanary> make_audit_canaries(const AuditCanaryOptions& options, const std::vector<Example>& train,
                                             const std::vector<int64_t>& token_pool);

// The training set of the audited run: `train` followed by the included canaries.
std::vector<Example> audit_training_set(const std::vector<Example>& train, const std::vector<AuditCanary>& canaries);

}  // namespace privtune::data
