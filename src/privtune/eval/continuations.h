// Scoring many continuations of one shared prefix: the prefix runs once, its KV cache is
// shared by every continuation, and only the tokens after it are computed. Canary exposure
// scores up to 10^6 candidate secrets this way.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "privtune/model/causal_lm.h"

namespace privtune::eval {

// For each continuation c, the sum over its tokens of -ln p(c_t | prefix, c_<t), in nats
// (float32 arithmetic, float64 sums). The prefix must be non-empty, continuations too.
// `max_logits` bounds the logits held at once (rows x tokens x vocabulary).
std::vector<double> continuation_losses(model::CausalLM& model, const std::vector<int64_t>& prefix,
                                        const std::vector<std::vector<int64_t>>& continuations,
                                        int64_t max_logits = int64_t{1} << 26);

}  // namespace privtune::eval
