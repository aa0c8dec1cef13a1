#include "privtune/data/batching.h"

#include <algorithm>
#include <stdexcept>

namespace privtune::data {

Batch collate(const std::vector<TokenizedExample>& data, const std::vector<int64_t>& indices,
              const BatchOptions& options) {
  Batch b;
  b.rows = static_cast<int64_t>(indices.size());
  for (int64_t index : indices) {
    if (index < 0 || static_cast<size_t>(index) >= data.size())
      throw std::out_of_range("collate: example index " + std::to_string(index) + " out of range");
    auto length = static_cast<int64_t>(data[static_cast<size_t>(index)].size());
    bool cut = options.max_length > 0 && length > options.max_length;
    b.lengths.push_back(cut ? options.max_length : length);
    b.truncated.push_back(cut ? 1 : 0);
    b.cols = std::max(b.cols, b.lengths.back());
  }
  const auto cells = static_cast<size_t>(b.rows * b.cols);
  b.input_ids.assign(cells, options.pad_id);
  b.attention_mask.assign(cells, 0);
  b.sensitive.assign(cells, 0);
  b.special.assign(cells, 0);
  b.labels.assign(cells, -1);
  b.example_indices = indices;
  for (size_t r = 0; r < indices.size(); ++r) {
    const TokenizedExample& ex = data[static_cast<size_t>(indices[r])];
    const auto n = static_cast<size_t>(b.lengths[r]);
    const size_t row = r * static_cast<size_t>(b.cols);
    std::copy_n(ex.input_ids.begin(), n, b.input_ids.begin() + static_cast<std::ptrdiff_t>(row));
    std::fill_n(b.attention_mask.begin() + static_cast<std::ptrdiff_t>(row), n, 1);
    std::copy_n(ex.sensitive.begin(), n, b.sensitive.begin() + static_cast<std::ptrdiff_t>(row));
    std::copy_n(ex.special.begin(), n, b.special.begin() + static_cast<std::ptrdiff_t>(row));
    std::copy_n(ex.labels.begin(), n, b.labels.begin() + static_cast<std::ptrdiff_t>(row));
  }
  return b;
}

std::vector<std::vector<int64_t>> micro_batches(const std::vector<int64_t>& batch, int64_t micro_batch_size,
                                                const std::vector<int64_t>* lengths) {
  if (micro_batch_size <= 0) throw std::invalid_argument("micro_batches: micro_batch_size must be positive");
  std::vector<int64_t> order = batch;
  if (lengths != nullptr)
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
      return (*lengths)[static_cast<size_t>(x)] < (*lengths)[static_cast<size_t>(y)];
    });
  std::vector<std::vector<int64_t>> out;
  for (size_t i = 0; i < order.size(); i += static_cast<size_t>(micro_batch_size))
    out.emplace_back(
        order.begin() + static_cast<std::ptrdiff_t>(i),
        order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), i + static_cast<size_t>(micro_batch_size))));
  return out;
}

std::vector<std::vector<int64_t>> bucket_by_length(const std::vector<int64_t>& order,
                                                   const std::vector<int64_t>& lengths, int64_t batch_size,
                                                   int64_t window, Rng& rng) {
  if (batch_size <= 0 || window <= 0) throw std::invalid_argument("bucket_by_length: sizes must be positive");
  std::vector<std::vector<int64_t>> batches;
  for (size_t w = 0; w < order.size(); w += static_cast<size_t>(window)) {
    std::vector<int64_t> chunk(
        order.begin() + static_cast<std::ptrdiff_t>(w),
        order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), w + static_cast<size_t>(window))));
    auto more = micro_batches(chunk, batch_size, &lengths);
    for (auto& b : more) batches.push_back(std::move(b));
  }
  rng.shuffle(batches);
  return batches;
}

}  // namespace privtune::data
