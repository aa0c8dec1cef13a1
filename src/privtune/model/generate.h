// Scoring and decoding with a CausalLM: per-token log-probabilities of right-padded
// batches, and batched generation (greedy or sampled) with a KV cache.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "privtune/model/causal_lm.h"

namespace privtune::model {

using TokenIds = std::vector<int64_t>;

// A right-padded batch on `device`: ids (B, T) int64 and mask (B, T) int64.
struct PaddedBatch {
  torch::Tensor ids;
  torch::Tensor mask;
};
PaddedBatch pad_right(const std::vector<TokenIds>& sequences, int64_t pad_id, const torch::Device& device);

// logprobs[b, j] = log p(ids[b, j] | ids[b, <j]) for 1 <= j < length(b), computed in
// float32 (float64 for a float64 model); 0 at j = 0 and at padding. (B, T).
torch::Tensor token_logprobs(CausalLM& model, const torch::Tensor& ids, const torch::Tensor& mask);

struct GenerateOptions {
  int64_t max_new_tokens = 32;
  double temperature = 0.0;  // 0: greedy
  int64_t top_k = 0;         // 0: no limit
  double top_p = 1.0;        // nucleus: smallest set of tokens whose probability reaches top_p
  uint64_t seed = 0;
  std::vector<int64_t> stop_ids;  // a row stops after emitting one of these (kept in its output)
  bool use_cache = true;          // false: recompute the whole sequence every step (for tests)
  bool keep_logits = false;       // record each step's (B, V) logits in GenerateResult
};

struct GenerateResult {
  std::vector<TokenIds> tokens;             // new tokens per prompt
  std::vector<torch::Tensor> step_logits;   // (B, V) float32 per step when keep_logits
};

// Continues every prompt (non-empty) in one batch. Rows that stop early are masked out.
GenerateResult generate(CausalLM& model, const std::vector<TokenIds>& prompts, const GenerateOptions& options);

}  // namespace privtune::model
