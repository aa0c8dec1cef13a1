// Per-token losses l(j) = -ln p(t_j | t_<j) and their means per token class (DESIGN.md
// section 5): the quantity every utility and leakage number is built from, and what the
// trainer's periodic evaluation reports.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/data/token_mask.h"
#include "privtune/model/causal_lm.h"

namespace privtune::eval {

// Next-token losses in nats of a right-padded batch, with gradients (training): ids (B, T),
// attention_mask (B, T) -> (B, T-1), entry [b, j-1] being the loss of target ids[b, j].
// The LM head runs on positions 0 .. T-2 only (the last one predicts nothing), so the
// (B, T-1, V) logits are the only ones made, and flattening them copies nothing; through a
// frozen head they are made a block at a time instead (frozen_head_loss.h). Computed in
// float32 (float64 for a float64 model); entries at padded positions are meaningless.
torch::Tensor next_token_losses(model::CausalLM& model, const torch::Tensor& ids, const torch::Tensor& attention_mask);

// Rows of logits the LM head computes at a time where the whole (N, V) logits are not needed:
// about 16M logits (64 MB in float32), and at least 16 rows. Memory stays bounded whatever the
// batch; smaller blocks are slower, probably because each block's product packs the whole
// (V, C) weight again (4M-logit blocks made a LoRA step at vocabulary 50304 about 30% slower).
int64_t logit_block_rows(int64_t vocab);

// Losses of chosen positions: hidden (N, C), the final hidden states of N positions, and
// targets (N) int64, the token that follows each -> (N), in the same precision as
// next_token_losses. The LM head runs a block of positions at a time (logit_block_rows), so
// that the (N, V) logits never exist at once: for scoring without gradients, where they would
// be the largest tensor by far. Float32 logits on the CPU skip torch's log-softmax
// (logit_rows.h).
// With `greedy`, also sets it to (N) bool: whether each target is the LM head's argmax, the
// token greedy decoding would choose there (ties to the lowest id, as argmax breaks them).
torch::Tensor target_losses(model::CausalLM& model, const torch::Tensor& hidden, const torch::Tensor& targets,
                            torch::Tensor* greedy = nullptr);

// A token-weighted mean: sum of losses and number of tokens.
struct MeanLoss {
  double sum = 0.0;
  int64_t tokens = 0;
  double mean() const;  // NaN without tokens
  void add(const MeanLoss& other) { sum += other.sum, tokens += other.tokens; }
};

// Mean loss over the sensitive and the non-sensitive targets of a split, and per label.
// Special targets (BOS, EOS, padding) are neither and never count.
struct ClassLosses {
  MeanLoss sensitive, nonsensitive;
  std::map<std::string, MeanLoss> by_label;
  // {"sens": {"loss", "tokens"}, "nonsens": {...}, "labels": {"PHONE": {...}}}; a class
  // without tokens has loss null.
  core::Json to_json() const;
};

struct EvalOptions {
  int64_t batch_size = 16;
  int64_t max_length = 0;  // 0: whole examples
  int64_t pad_id = 0;
};

// Per-example target losses: result[i][j - 1] is l(j) for token j >= 1 of examples[i]
// (cut to max_length when set). One batched no-grad forward per example, in eval mode
// (restored afterwards), on the model's device, the LM head applied to real targets only
// (target_losses); every loss-based metric starts here.
// With `greedy`, also fills (*greedy)[i][j - 1]: 1 where token j is the model's most likely
// next token after tokens < j, as in target_losses (extraction reads it).
std::vector<std::vector<float>> score_examples(model::CausalLM& model,
                                               const std::vector<data::TokenizedExample>& examples,
                                               const EvalOptions& options,
                                               std::vector<std::vector<uint8_t>>* greedy = nullptr);

// Aggregates per-example target losses (from score_examples) by class.
ClassLosses class_losses(const std::vector<data::TokenizedExample>& examples,
                         const std::vector<std::vector<float>>& losses, const data::LabelVocab& labels);

// score_examples + class_losses.
ClassLosses evaluate_class_losses(model::CausalLM& model, const std::vector<data::TokenizedExample>& examples,
                                  const data::LabelVocab& labels, const EvalOptions& options);

}  // namespace privtune::eval
