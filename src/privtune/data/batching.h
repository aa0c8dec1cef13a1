// Batches as plain vectors (torch-free; the trainer turns them into tensors): rows padded
// to the longest row of the batch, optional truncation to a maximum length. One row is one
// example, never several packed together, because DP-SGD clips per example and per-example
// metrics need examples to stay separable.
#pragma once

#include <cstdint>
#include <vector>

#include "privtune/data/rng.h"
#include "privtune/data/token_mask.h"

namespace privtune::data {

struct BatchOptions {
  int64_t max_length = 0;  // 0: no truncation; otherwise keep the first max_length tokens
  int64_t pad_id = 0;
};

struct Batch {
  int64_t rows = 0, cols = 0;
  // Row-major rows x cols. Padding positions: pad_id, attention 0, sensitive 0, special 0,
  // label -1.
  std::vector<int64_t> input_ids;
  std::vector<uint8_t> attention_mask;
  std::vector<uint8_t> sensitive;
  std::vector<uint8_t> special;
  std::vector<int32_t> labels;
  std::vector<int64_t> example_indices;  // dataset index of each row
  std::vector<int64_t> lengths;          // real tokens in each row, after truncation
  std::vector<uint8_t> truncated;        // 1 where the example was longer than max_length
};

// The rows `indices` of `data`, in that order. An empty `indices` gives an empty batch
// (Poisson sampling can draw one).
Batch collate(const std::vector<TokenizedExample>& data, const std::vector<int64_t>& indices,
              const BatchOptions& options);

// Splits one logical batch into micro-batches of at most `micro_batch_size` rows, for
// memory. With `lengths` (tokens per example), rows are sorted by length first so each
// micro-batch pads less; the logical batch, and so the privacy accounting, is unchanged.
std::vector<std::vector<int64_t>> micro_batches(const std::vector<int64_t>& batch, int64_t micro_batch_size,
                                                const std::vector<int64_t>* lengths = nullptr);

// Length bucketing for shuffled epochs: within consecutive windows of `window` indices of
// `order`, sorts by length, cuts batches of `batch_size`, and shuffles the order of all
// batches, so that batches hold examples of similar length while the epoch stays random.
std::vector<std::vector<int64_t>> bucket_by_length(const std::vector<int64_t>& order,
                                                   const std::vector<int64_t>& lengths, int64_t batch_size,
                                                   int64_t window, Rng& rng);

}  // namespace privtune::data
