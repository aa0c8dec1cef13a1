#include <gtest/gtest.h>

#include <map>
#include <set>

#include "privtune/core/error.h"
#include "privtune/data/sampler.h"

using namespace privtune::data;
using privtune::Error;

namespace {

SamplerOptions opts(SamplingKind kind, int64_t n, int64_t batch, uint64_t seed = 1) {
  SamplerOptions o;
  o.kind = kind;
  o.n = n;
  o.batch_size = batch;
  o.seed = seed;
  return o;
}

std::vector<std::vector<int64_t>> draw(Sampler& s, int steps) {
  std::vector<std::vector<int64_t>> out;
  for (int i = 0; i < steps; ++i) out.push_back(s.next());
  return out;
}

}  // namespace

TEST(Sampler, PoissonIsDeterministicWithVariableBatches) {
  auto a = make_sampler(opts(SamplingKind::kPoisson, 1000, 50, 7));
  auto b = make_sampler(opts(SamplingKind::kPoisson, 1000, 50, 7));
  auto c = make_sampler(opts(SamplingKind::kPoisson, 1000, 50, 8));
  auto da = draw(*a, 200), db = draw(*b, 200), dc = draw(*c, 200);
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
  EXPECT_TRUE(a->is_private());
  std::set<size_t> sizes;
  double total = 0;
  for (const auto& batch : da) {
    sizes.insert(batch.size());
    total += static_cast<double>(batch.size());
    EXPECT_TRUE(std::is_sorted(batch.begin(), batch.end()));
  }
  EXPECT_GT(sizes.size(), 5u);
  // Mean batch 50 with q = 0.05; 200 steps: standard error ~0.5.
  EXPECT_NEAR(total / 200.0, 50.0, 3.0);
  EXPECT_DOUBLE_EQ(a->epochs(), 200 * 0.05);
}

TEST(Sampler, PoissonInclusionFrequencyIsQForEveryExample) {
  SamplerOptions o = opts(SamplingKind::kPoisson, 20, 0, 3);
  o.q = 0.25;
  auto s = make_sampler(o);
  std::vector<int> hits(20, 0);
  for (int step = 0; step < 4000; ++step)
    for (int64_t i : s->next()) ++hits[static_cast<size_t>(i)];
  for (int h : hits) EXPECT_NEAR(h / 4000.0, 0.25, 0.03);
}

TEST(Sampler, PoissonOverGroupsTakesWholeUsers) {
  SamplerOptions o = opts(SamplingKind::kPoisson, 6, 1, 5);
  o.groups = {0, 0, 1, 2, 2, 2};
  auto s = make_sampler(o);
  for (int step = 0; step < 50; ++step) {
    std::vector<int64_t> batch = s->next();
    std::set<int64_t> in(batch.begin(), batch.end());
    EXPECT_EQ(in.count(0), in.count(1));
    EXPECT_EQ(in.count(3), in.count(5));
    EXPECT_EQ(in.count(4), in.count(5));
  }
}

TEST(Sampler, ShuffleVisitsEveryExampleOncePerEpoch) {
  auto s = make_sampler(opts(SamplingKind::kShuffle, 10, 3, 4));
  EXPECT_FALSE(s->is_private());
  std::vector<int64_t> epoch0, epoch1;
  for (int i = 0; i < 4; ++i)
    for (int64_t x : s->next()) epoch0.push_back(x);
  for (int i = 0; i < 4; ++i)
    for (int64_t x : s->next()) epoch1.push_back(x);
  EXPECT_EQ(std::set<int64_t>(epoch0.begin(), epoch0.end()).size(), 10u);
  EXPECT_EQ(epoch0.size(), 10u);
  EXPECT_EQ(epoch1.size(), 10u);
  EXPECT_NE(epoch0, epoch1);
  EXPECT_DOUBLE_EQ(s->epochs(), 2.0);
}

TEST(Sampler, SequentialWrapsAndDropLast) {
  auto s = make_sampler(opts(SamplingKind::kSequential, 5, 2));
  EXPECT_EQ(draw(*s, 4), (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}, {4}, {0, 1}}));
  SamplerOptions o = opts(SamplingKind::kSequential, 5, 2);
  o.drop_last = true;
  auto d = make_sampler(o);
  EXPECT_EQ(draw(*d, 3), (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}, {0, 1}}));
}

TEST(Sampler, BucketedShuffleStillCoversTheEpoch) {
  SamplerOptions o = opts(SamplingKind::kShuffle, 40, 4, 9);
  o.bucket_batches = 5;
  for (int i = 0; i < 40; ++i) o.lengths.push_back((i * 7) % 40);
  auto s = make_sampler(o);
  std::multiset<int64_t> seen;
  for (int i = 0; i < 10; ++i)
    for (int64_t x : s->next()) seen.insert(x);
  EXPECT_EQ(seen.size(), 40u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 40u);
}

TEST(Sampler, StateRestoresTheExactContinuation) {
  for (SamplingKind kind : {SamplingKind::kPoisson, SamplingKind::kShuffle, SamplingKind::kSequential}) {
    auto a = make_sampler(opts(kind, 23, 4, 11));
    draw(*a, 9);
    std::string saved = a->state().dump();
    auto expected = draw(*a, 12);
    auto b = make_sampler(opts(kind, 23, 4, 11));
    b->restore(privtune::core::Json::parse(saved));
    EXPECT_EQ(draw(*b, 12), expected) << sampling_name(kind);
    EXPECT_EQ(b->step(), a->step());
    // A state from other options is refused.
    auto other = make_sampler(opts(kind, 23, 4, 12));
    EXPECT_THROW(other->restore(privtune::core::Json::parse(saved)), Error) << sampling_name(kind);
  }
}

TEST(Sampler, BadOptionsAreBadInput) {
  EXPECT_THROW(make_sampler(opts(SamplingKind::kPoisson, 0, 1)), Error);
  EXPECT_THROW(make_sampler(opts(SamplingKind::kPoisson, 10, 20)), Error);  // q = 2
  EXPECT_THROW(make_sampler(opts(SamplingKind::kShuffle, 10, 0)), Error);
  SamplerOptions o = opts(SamplingKind::kPoisson, 3, 1);
  o.groups = {0, 1};
  EXPECT_THROW(make_sampler(o), Error);
  EXPECT_THROW(parse_sampling("random"), Error);
}
