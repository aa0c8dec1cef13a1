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

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(const ModelConfig& config, const torch::TensorOptions& options);

  // x (B, T, C); allowed (B, 1, T, S) bool: query t may attend key s. With a cache, the
  // new keys/values are appended to it first and S counts the cached positions too.
  torch::Tensor forward(const torch::Tensor& x, const RopeTables& rope, const torch::Tensor& allowed,
                        LayerCache* cache);

  int64_t num_heads, num_kv_heads, head_dim;
  double scale, softcap;
  Linear qkv{nullptr}, q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  Norm q_norm{nullptr}, k_norm{nullptr};
};
TORCH_MODULE(Attention);

}  // namespace privtune::model
