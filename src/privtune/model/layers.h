// The building blocks every family shares: Linear, Embedding, Norm, activations, rotary
// position embeddings. Shapes in comments: B batch, T query positions, S key positions,
// C hidden size, H heads, D head_dim.
#pragma once

#include <torch/torch.h>

#include <memory>

#include "privtune/model/config.h"
#include "privtune/model/recorder.h"

namespace privtune::model {

// An additive update a Linear may carry (peft/ implements LoRA with it): the layer returns
// x W^T + b + delta(x). Declared here so that model/ needs nothing from peft/.
class LinearAdapter : public torch::nn::Module {
 public:
  virtual torch::Tensor delta(const torch::Tensor& x) = 0;  // (..., in) -> (..., out)
};

// y = x W^T + b. A module of its own (not torch::nn::Linear) so that LoRA adapters and
// per-example gradient rules (peft/, dp/) can attach to exactly the layers a checkpoint names.
class LinearImpl : public torch::nn::Module, public Recordable {
 public:
  LinearImpl(int64_t in_features, int64_t out_features, bool bias, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x);  // (..., in) -> (..., out)

  // Attaches `adapter` as the submodule "adapter" (its parameters are then named
  // `<this layer>.adapter.<name>`), replacing any previous one; nullptr removes it.
  void set_adapter(std::shared_ptr<LinearAdapter> new_adapter);

  int64_t in_features, out_features;
  torch::Tensor weight;  // (out, in)
  torch::Tensor bias;    // (out), or undefined
  std::shared_ptr<LinearAdapter> adapter;  // null unless peft/ attached one
};
TORCH_MODULE(Linear);

class EmbeddingImpl : public torch::nn::Module, public Recordable {
 public:
  EmbeddingImpl(int64_t vocab, int64_t dim, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& ids);  // (B, T) int64 -> (B, T, C)
  // The tied LM head: hidden W^T, (B, T, C) -> (B, T, V).
  torch::Tensor unembed(const torch::Tensor& hidden);
  torch::Tensor weight;  // (V, C)
};
TORCH_MODULE(Embedding);

// LayerNorm, or RMSNorm as x / rms(x) * w (Llama, Qwen) or * (1 + w) (Gemma). RMSNorm is
// computed in float32 (float64 for float64 inputs) and cast back, where transformers casts.
class NormImpl : public torch::nn::Module, public Recordable {
 public:
  NormImpl(int64_t dim, NormKind kind, double eps, bool plus_one, bool bias, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x);  // (..., dim) -> (..., dim)

  NormKind kind;
  double eps;
  bool plus_one;
  torch::Tensor weight;  // (dim)
  torch::Tensor bias;    // (dim), LayerNorm only
};
TORCH_MODULE(Norm);

torch::Tensor activate(const torch::Tensor& x, Activation activation);

// Rotary position embedding tables for one rope, computed like transformers: inverse
// frequencies in float32, angles = positions x inv_freq in float32, cos/sin cast to dtype.
struct RopeTables {
  torch::Tensor cos;  // (B, 1, T, rotary_dim)
  torch::Tensor sin;  // (B, 1, T, rotary_dim)
};

torch::Tensor rope_inv_freq(const RopeConfig& rope, int64_t rotary_dim);  // (rotary_dim / 2) float32
RopeTables rope_tables(const RopeConfig& rope, int64_t rotary_dim, const torch::Tensor& positions,
                       torch::ScalarType dtype);
// The same from inverse frequencies already on positions' device.
RopeTables rope_tables(const torch::Tensor& inv_freq, const torch::Tensor& positions, torch::ScalarType dtype);
// Rotates the first rotary_dim dims of each head (rotate_half convention); the rest pass.
torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& tables);  // (B, H, T, D)

}  // namespace privtune::model
