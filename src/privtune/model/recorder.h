// A hook through which per-example gradient rules (dp/) watch the layers that own
// parameters. Declared here, like LinearAdapter, so that model/ needs nothing from dp/.
//
// While a recorder is attached to a layer and grad mode is on, the layer computes with its
// parameters detached, so autograd builds no summed gradient for them, and reports to the
// recorder the tensors from which each example's gradient can be rebuilt: what multiplied
// the parameter (the input, the token ids, the normalised input) and the output whose
// gradient the recorder captures during the one backward pass. Under torch::NoGradGuard the
// layer runs as usual and reports nothing.
//
// Parameters are passed as the layer's own tensors (not detached) so that the recorder can
// tell which parameter is which; the output may not require grad yet (when nothing before
// this layer is trainable) and the recorder may then make it require grad.
#pragma once

#include <torch/torch.h>

namespace privtune::model {

class LayerRecorder {
 public:
  virtual ~LayerRecorder() = default;
  // y = x W^T (+ b), computed with W and b detached. x (..., in), y (..., out); W (out, in),
  // b (out) or undefined. Also the tied LM head, with W the embedding matrix.
  virtual void linear(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& x,
                      const torch::Tensor& y) = 0;
  // y = W[ids]: ids (B, T) int64, W (V, C), y (B, T, C).
  virtual void embedding(const torch::Tensor& weight, const torch::Tensor& ids, const torch::Tensor& y) = 0;
  // y = normed * s (+ b) elementwise, s = w or 1 + w (Gemma): normed (..., dim), y (..., dim),
  // w and b (dim). normed is in the dtype the product is taken in.
  virtual void scale(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& normed,
                     const torch::Tensor& y) = 0;
};

// What Linear, Embedding and Norm share: the attached recorder, if any.
class Recordable {
 public:
  LayerRecorder* recorder = nullptr;  // not owned; whoever attaches it detaches it

  bool recording() const { return recorder != nullptr && torch::GradMode::is_enabled(); }
  // The parameter as the forward should use it: detached while recording.
  torch::Tensor detached_if_recording(const torch::Tensor& parameter) const {
    return recording() && parameter.defined() ? parameter.detach() : parameter;
  }
};

}  // namespace privtune::model
