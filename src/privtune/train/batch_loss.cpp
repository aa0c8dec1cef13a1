#include "privtune/train/batch_loss.h"

namespace privtune::train {

DeviceBatch to_device(const data::Batch& batch, LossOn loss_on, const torch::Device& device,
                      torch::ScalarType weight_dtype) {
  DeviceBatch out;
  out.rows = batch.rows;
  const int64_t B = batch.rows, T = batch.cols;
  std::vector<int64_t> attention(batch.attention_mask.begin(), batch.attention_mask.end());
  std::vector<float> weights(static_cast<size_t>(B * std::max<int64_t>(0, T - 1)), 0.0f);
  for (int64_t b = 0; b < B; ++b) {
    out.tokens += batch.lengths[b];
    for (int64_t j = 1; j < batch.lengths[b]; ++j) {
      const size_t at = static_cast<size_t>(b * T + j);
      if (loss_on == LossOn::kNonsensitive && batch.sensitive[at]) continue;
      weights[static_cast<size_t>(b * (T - 1) + j - 1)] = 1.0f;
      out.trained_targets += 1;
    }
  }
  out.ids = torch::tensor(batch.input_ids, torch::kLong).view({B, T}).to(device);
  out.attention = torch::tensor(attention, torch::kLong).view({B, T}).to(device);
  out.loss_weights = torch::tensor(weights, torch::kFloat).view({B, T - 1}).to(device, weight_dtype);
  return out;
}

torch::Tensor per_example_losses(const torch::Tensor& token_losses, const torch::Tensor& loss_weights) {
  torch::Tensor weights = loss_weights.to(token_losses.scalar_type());
  torch::Tensor counts = weights.sum(1).clamp_min(1.0);  // (B)
  return (token_losses * weights).sum(1) / counts;      // (B)
}

}  // namespace privtune::train
