#include "privtune/model/layers.h"

#include <cmath>

namespace privtune::model {

LinearImpl::LinearImpl(int64_t in, int64_t out, bool with_bias, const torch::TensorOptions& options)
    : in_features(in), out_features(out) {
  weight = register_parameter("weight", torch::empty({out, in}, options));
  if (with_bias) bias = register_parameter("bias", torch::empty({out}, options));
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = torch::linear(x, detached_if_recording(weight), detached_if_recording(bias));
  if (recording()) recorder->linear(weight, bias, x, y);
  return adapter ? y + adapter->delta(x) : y;
}

void LinearImpl::set_adapter(std::shared_ptr<LinearAdapter> new_adapter) {
  if (adapter) unregister_module("adapter");
  adapter = new_adapter ? register_module("adapter", std::move(new_adapter)) : nullptr;
}

EmbeddingImpl::EmbeddingImpl(int64_t vocab, int64_t dim, const torch::TensorOptions& options) {
  weight = register_parameter("weight", torch::empty({vocab, dim}, options));
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& ids) {
  torch::Tensor y = torch::embedding(detached_if_recording(weight), ids);
  if (recording()) recorder->embedding(weight, ids, y);
  return y;
}

torch::Tensor EmbeddingImpl::unembed(const torch::Tensor& hidden) {
  torch::Tensor logits = torch::linear(hidden, detached_if_recording(weight));
  if (recording()) recorder->linear(weight, torch::Tensor(), hidden, logits);
  return logits;
}

NormImpl::NormImpl(int64_t dim, NormKind norm_kind, double epsilon, bool one_plus, bool with_bias,
                   const torch::TensorOptions& options)
    : kind(norm_kind), eps(epsilon), plus_one(one_plus) {
  weight = register_parameter("weight", torch::empty({dim}, options));
  if (with_bias) bias = register_parameter("bias", torch::empty({dim}, options));
}

torch::Tensor NormImpl::forward(const torch::Tensor& x) {
  const bool record = recording();
  if (kind == NormKind::LayerNorm && !record) return torch::layer_norm(x, {x.size(-1)}, weight, bias, eps);
  // Unfused while recording: the recorder needs the normalised input the weight multiplies.
  const torch::Tensor w = detached_if_recording(weight);
  torch::Tensor normed, y;
  if (kind == NormKind::LayerNorm) {
    normed = torch::layer_norm(x, {x.size(-1)}, {}, {}, eps);
    y = bias.defined() ? torch::addcmul(detached_if_recording(bias), normed, w) : normed * w;
  } else {
    const auto wide = x.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
    torch::Tensor xf = x.to(wide);
    normed = xf * torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
    if (plus_one) {
      y = (normed * (1.0 + w.to(wide))).to(x.scalar_type());
    } else {
      normed = normed.to(x.scalar_type());
      y = w * normed;
    }
  }
  if (record) recorder->scale(weight, bias, normed, y);
  return y;
}

torch::Tensor activate(const torch::Tensor& x, Activation activation) {
  switch (activation) {
    case Activation::GeluErf: return torch::gelu(x);
    case Activation::GeluTanh: return torch::gelu(x, "tanh");
    case Activation::Silu: return torch::silu(x);
    case Activation::Relu: return torch::relu(x);
  }
  throw std::logic_error("unknown activation");
}

torch::Tensor rope_inv_freq(const RopeConfig& rope, int64_t rotary_dim) {
  auto exponents = torch::arange(0, rotary_dim, 2, torch::kLong).to(torch::kFloat) / static_cast<double>(rotary_dim);
  torch::Tensor inv_freq = 1.0 / torch::pow(torch::tensor(rope.theta, torch::kFloat), exponents);
  if (rope.scaling == RopeScaling::Linear) return inv_freq / rope.factor;
  if (rope.scaling != RopeScaling::Llama3) return inv_freq;
  // Llama 3.1: long wavelengths are divided by `factor`, short ones kept, and the band in
  // between interpolated smoothly (transformers' _compute_llama3_parameters).
  const double old_len = static_cast<double>(rope.original_max_positions);
  const double low_wavelen = old_len / rope.low_freq_factor;
  const double high_wavelen = old_len / rope.high_freq_factor;
  torch::Tensor wavelen = 2.0 * M_PI / inv_freq;
  torch::Tensor scaled = torch::where(wavelen > low_wavelen, inv_freq / rope.factor, inv_freq);
  torch::Tensor smooth = (old_len / wavelen - rope.low_freq_factor) / (rope.high_freq_factor - rope.low_freq_factor);
  torch::Tensor smoothed = (1.0 - smooth) * scaled / rope.factor + smooth * scaled;
  torch::Tensor medium = (wavelen >= high_wavelen).logical_and(wavelen <= low_wavelen);
  return torch::where(medium, smoothed, scaled);
}

RopeTables rope_tables(const RopeConfig& rope, int64_t rotary_dim, const torch::Tensor& positions,
                       torch::ScalarType dtype) {
  return rope_tables(rope_inv_freq(rope, rotary_dim).to(positions.device()), positions, dtype);
}

RopeTables rope_tables(const torch::Tensor& inv_freq, const torch::Tensor& positions, torch::ScalarType dtype) {
  torch::Tensor angles = positions.to(torch::kFloat).unsqueeze(-1) * inv_freq;  // (B, T, rot/2)
  torch::Tensor emb = torch::cat({angles, angles}, -1).unsqueeze(1);             // (B, 1, T, rot)
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& tables) {
  const int64_t rot = tables.cos.size(-1);
  const int64_t dim = x.size(-1);
  torch::Tensor x_rot = rot == dim ? x : x.narrow(-1, 0, rot);
  torch::Tensor first = x_rot.narrow(-1, 0, rot / 2);
  torch::Tensor second = x_rot.narrow(-1, rot / 2, rot / 2);
  torch::Tensor rotated = torch::cat({-second, first}, -1);
  torch::Tensor out = x_rot * tables.cos + rotated * tables.sin;
  if (rot == dim) return out;
  return torch::cat({out, x.narrow(-1, rot, dim - rot)}, -1);
}

}  // namespace privtune::model
