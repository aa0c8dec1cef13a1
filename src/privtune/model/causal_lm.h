// The causal language model every family builds: embeddings, N shared transformer blocks,
// final norm, LM head (tied or not). Parameter names are generic (`layers.0.attn.q.weight`);
// family.h maps them to Hugging Face names.
#pragma once

#include <torch/torch.h>

#include "privtune/model/attention.h"
#include "privtune/model/config.h"

namespace privtune::model {

// down(act(gate x) * up x), or down(act(up x)) for NeoX.
class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(const ModelConfig& config, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, C) -> (B, T, C)
  Activation activation;
  Linear gate{nullptr}, up{nullptr}, down{nullptr};
};
TORCH_MODULE(Mlp);

// One transformer block: pre-norm attention and MLP with sequential or parallel residuals,
// and Gemma2/3's extra norms after each sub-layer.
class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const ModelConfig& config, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const RopeTables& rope, const AttentionMask& mask,
                        LayerCache* cache);  // (B, T, C) -> (B, T, C)
  bool parallel_residual;
  Norm attn_norm{nullptr}, post_attn_norm{nullptr}, mlp_norm{nullptr}, post_mlp_norm{nullptr};
  Attention attn{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(Block);

// Everything generation needs to continue a batch: one LayerCache per layer, plus each
// cached position's rope position and whether it is a real token (right padding and
// finished rows leave holes that the mask skips).
struct KVCache {
  std::vector<LayerCache> layers;
  torch::Tensor positions;  // (B, S) int64
  torch::Tensor valid;      // (B, S) bool
  int64_t length() const { return positions.defined() ? positions.size(1) : 0; }
};

class CausalLMImpl : public torch::nn::Module {
 public:
  CausalLMImpl(const ModelConfig& config, const torch::TensorOptions& options);

  // Right-padded batch: ids (B, T) int64, attention_mask (B, T) (1 = token, 0 = pad).
  // Returns logits (B, T, V); rows at padded positions are meaningless.
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& attention_mask);
  // The same batch's final hidden states (after the last norm), before the LM head: (B, T, C).
  torch::Tensor hidden(const torch::Tensor& ids, const torch::Tensor& attention_mask);
  // The final hidden states (after the last norm) for explicit positions, optionally
  // continuing `cache`: ids, positions (B, T) int64, valid (B, T) bool -> (B, T, C).
  torch::Tensor hidden(const torch::Tensor& ids, const torch::Tensor& positions, const torch::Tensor& valid,
                       KVCache* cache);
  torch::Tensor logits(const torch::Tensor& hidden);  // (B, T, C) -> (B, T, V)

  const ModelConfig& config() const { return config_; }
  torch::Tensor output_weight();  // the LM head's (V, C) weight, the embedding's when tied

  Embedding embed{nullptr};
  torch::nn::ModuleList layers{nullptr};
  Norm final_norm{nullptr};
  Linear lm_head{nullptr};  // null when tied to embed

 private:
  // Each rope's inverse frequencies (float32) on the device of the last forward. Kept so that
  // a GPU forward does not copy them from the host each time: such a copy waits on the stream.
  const std::vector<torch::Tensor>& rope_inv_freq_on(const torch::Device& device);

  ModelConfig config_;
  std::vector<torch::Tensor> rope_inv_freq_;
};
TORCH_MODULE(CausalLM);

// Initialises every parameter like transformers' _init_weights (normal(0, std) for
// matrices, ones or zeros for norms as the family expects, zeros for biases); for tests
// and benchmarks that need a random model.
void init_random(CausalLM& model, uint64_t seed, double std = 0.02);

}  // namespace privtune::model
