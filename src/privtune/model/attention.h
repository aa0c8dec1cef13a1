// Multi-head causal self-attention with grouped-query heads, optional fused NeoX QKV,
// qk-norm, soft-capping and sliding windows (through the mask), and a KV cache.
#pragma once

#include <torch/torch.h>

#include "privtune/model/layers.h"

namespace privtune::model {

// Keys and values of one layer for every position seen so far, after rope.
struct LayerCache {
  torch::Tensor keys;    // (B, KV, S, D)
  torch::Tensor values;  // (B, KV, S, D)
};

// Which keys each query may attend, and how the queries are split into blocks so that a
// block skips the keys none of its queries may see (causal attention: the upper triangle).
struct AttentionMask {
  torch::Tensor allowed;  // (B, 1, T, S) bool: query t may attend key s
  // Query blocks [begin, end) with the keys [0, key_end) they need; empty: one block, all keys.
  struct Block {
    int64_t begin, end, key_end;
  };
  std::vector<Block> blocks;
};

// The mask with its query blocks. From 256 queries on, blocks of at least 64 queries (at most
// 8 of them) on the CPU, where the attention's products run at the CPU's arithmetic rate and
// skipping the upper triangle saves up to half of them; one block on a GPU (the block plan
// reads the mask on the host). A block's key_end is one past the last key any of its queries
// may attend, or all S keys where a query (a padded one) may attend none, so every query sees
// exactly the scores it would see unblocked: the skipped ones would get weight 0.
AttentionMask plan_attention_mask(const torch::Tensor& allowed);

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(const ModelConfig& config, const torch::TensorOptions& options);

  // x (B, T, C); mask.allowed (B, 1, T, S). With a cache, the new keys/values are appended
  // to it first and S counts the cached positions too.
  torch::Tensor forward(const torch::Tensor& x, const RopeTables& rope, const AttentionMask& mask, LayerCache* cache);

  int64_t num_heads, num_kv_heads, head_dim;
  double scale, softcap;
  Linear qkv{nullptr}, q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  Norm q_norm{nullptr}, k_norm{nullptr};

 private:
  // softmax(q k^T * scale, masked) v for the queries [begin, end) against keys [0, key_end).
  torch::Tensor attend(const torch::Tensor& queries, const torch::Tensor& keys, const torch::Tensor& values,
                       const torch::Tensor& allowed, const AttentionMask::Block& block);  // (B, H, end-begin, D)
};
TORCH_MODULE(Attention);

}  // namespace privtune::model
