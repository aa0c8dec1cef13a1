#include <gtest/gtest.h>

#include "privtune/data/batching.h"

using namespace privtune::data;

namespace {

TokenizedExample example(std::vector<int64_t> ids) {
  TokenizedExample t;
  t.input_ids = ids;
  t.sensitive.assign(ids.size(), 0);
  t.sensitive.back() = 1;
  t.labels.assign(ids.size(), -1);
  t.labels.back() = 0;
  t.special.assign(ids.size(), 0);
  t.special.front() = 1;
  return t;
}

}  // namespace

TEST(Batching, PadsToTheLongestRow) {
  std::vector<TokenizedExample> data = {example({1, 2, 3}), example({4, 5}), example({6, 7, 8, 9})};
  Batch b = collate(data, {1, 0}, {0, -7});
  EXPECT_EQ(b.rows, 2);
  EXPECT_EQ(b.cols, 3);
  EXPECT_EQ(b.input_ids, (std::vector<int64_t>{4, 5, -7, 1, 2, 3}));
  EXPECT_EQ(b.attention_mask, (std::vector<uint8_t>{1, 1, 0, 1, 1, 1}));
  EXPECT_EQ(b.sensitive, (std::vector<uint8_t>{0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(b.special, (std::vector<uint8_t>{1, 0, 0, 1, 0, 0}));
  EXPECT_EQ(b.labels, (std::vector<int32_t>{-1, 0, -1, -1, -1, 0}));
  EXPECT_EQ(b.example_indices, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(b.lengths, (std::vector<int64_t>{2, 3}));
}

TEST(Batching, TruncatesToMaxLengthWithoutPacking) {
  std::vector<TokenizedExample> data = {example({1, 2, 3, 4, 5}), example({6, 7})};
  Batch b = collate(data, {0, 1}, {3, 0});
  EXPECT_EQ(b.cols, 3);
  EXPECT_EQ(b.input_ids, (std::vector<int64_t>{1, 2, 3, 6, 7, 0}));
  EXPECT_EQ(b.truncated, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(b.lengths, (std::vector<int64_t>{3, 2}));
  // The cut example's last (sensitive) token is gone with it.
  EXPECT_EQ(b.sensitive[2], 0);
}

TEST(Batching, EmptyBatchAndBadIndex) {
  std::vector<TokenizedExample> data = {example({1})};
  Batch b = collate(data, {}, {});
  EXPECT_EQ(b.rows, 0);
  EXPECT_EQ(b.cols, 0);
  EXPECT_THROW(collate(data, {3}, {}), std::out_of_range);
}

TEST(Batching, MicroBatchesKeepEveryRowOnce) {
  std::vector<int64_t> lengths = {5, 1, 4, 2, 3};
  auto parts = micro_batches({0, 1, 2, 3, 4}, 2, &lengths);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(parts[1], (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(parts[2], (std::vector<int64_t>{0}));
  EXPECT_EQ(micro_batches({7, 8, 9}, 5).size(), 1u);
  EXPECT_THROW(micro_batches({1}, 0), std::invalid_argument);
}

TEST(Batching, BucketingGroupsSimilarLengths) {
  std::vector<int64_t> lengths(64), order(64);
  for (int i = 0; i < 64; ++i) {
    lengths[i] = (i * 37) % 64;
    order[i] = i;
  }
  Rng rng(3);
  auto batches = bucket_by_length(order, lengths, 8, 64, rng);
  ASSERT_EQ(batches.size(), 8u);
  std::vector<int> seen(64, 0);
  for (const auto& b : batches) {
    int64_t lo = 1000, hi = -1;
    for (int64_t i : b) {
      ++seen[static_cast<size_t>(i)];
      lo = std::min(lo, lengths[static_cast<size_t>(i)]);
      hi = std::max(hi, lengths[static_cast<size_t>(i)]);
    }
    EXPECT_LE(hi - lo, 7);  // one window sorted by length: each batch spans 8 consecutive lengths
  }
  for (int count : seen) EXPECT_EQ(count, 1);
}
