#include "privtune/data/sampler.h"

#include <algorithm>
#include <cmath>

#include "privtune/core/error.h"
#include "privtune/data/batching.h"
#include "privtune/data/rng.h"

namespace privtune::data {

namespace {

// Fields every state carries, so a state from another configuration is refused.
void check_state(const core::Json& state, const core::Json& expected) {
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    auto found = state.find(it.key());
    if (found == state.end() || *found != *it)
      throw Error("sampler state: '" + it.key() + "' is " + (found == state.end() ? "missing" : found->dump()) +
                  ", this run has " + it->dump());
  }
}

class PoissonSampler : public Sampler {
 public:
  explicit PoissonSampler(const SamplerOptions& o) : o_(o) {
    q_ = o.q > 0 ? o.q : static_cast<double>(o.batch_size) / static_cast<double>(units());
    check_input(q_ > 0 && q_ <= 1, "poisson sampling rate q must be in (0, 1], got " + std::to_string(q_));
    if (!o.groups.empty()) {
      members_.resize(static_cast<size_t>(units()));
      for (size_t i = 0; i < o.groups.size(); ++i)
        members_[static_cast<size_t>(o.groups[i])].push_back(static_cast<int64_t>(i));
    }
  }

  std::vector<int64_t> next() override {
    // One stream per step: the batch of step t does not depend on earlier batches, which
    // keeps restore() trivial.
    Rng rng(o_.seed, "poisson", static_cast<uint64_t>(step_++));
    std::vector<int64_t> batch;
    for (int64_t u = 0; u < units(); ++u) {
      if (!rng.bernoulli(q_)) continue;
      if (members_.empty())
        batch.push_back(u);
      else
        batch.insert(batch.end(), members_[static_cast<size_t>(u)].begin(), members_[static_cast<size_t>(u)].end());
    }
    std::sort(batch.begin(), batch.end());
    return batch;
  }
  int64_t step() const override { return step_; }
  double epochs() const override { return static_cast<double>(step_) * q_; }
  core::Json state() const override {
    core::Json s = identity();
    s["step"] = step_;
    return s;
  }
  void restore(const core::Json& s) override {
    check_state(s, identity());
    step_ = core::json_require<int64_t>(s, "step", "sampler state");
  }
  bool is_private() const override { return true; }

 private:
  int64_t units() const { return o_.groups.empty() ? o_.n : *std::max_element(o_.groups.begin(), o_.groups.end()) + 1; }
  core::Json identity() const {
    return {{"kind", "poisson"}, {"n", o_.n}, {"units", units()}, {"q", q_}, {"seed", o_.seed}};
  }
  SamplerOptions o_;
  double q_ = 0;
  std::vector<std::vector<int64_t>> members_;
  int64_t step_ = 0;
};

// Shuffle and sequential: an epoch is a list of batches; the state is (epoch, position).
class EpochSampler : public Sampler {
 public:
  explicit EpochSampler(const SamplerOptions& o) : o_(o) {
    check_input(o.batch_size >= 1, "batch size must be at least 1");
    check_input(!o.drop_last || o.batch_size <= o.n, "batch size is larger than the data and drop_last is set");
    check_input(o.bucket_batches == 0 || o.lengths.size() == static_cast<size_t>(o.n),
                "length bucketing needs the length of every example");
    build_epoch();
  }

  std::vector<int64_t> next() override {
    if (position_ >= batches_.size()) {
      ++epoch_;
      position_ = 0;
      build_epoch();
    }
    ++step_;
    return batches_[position_++];
  }
  int64_t step() const override { return step_; }
  double epochs() const override {
    return static_cast<double>(epoch_) + static_cast<double>(position_) / static_cast<double>(batches_.size());
  }
  core::Json state() const override {
    core::Json s = identity();
    s["epoch"] = epoch_;
    s["position"] = position_;
    s["step"] = step_;
    return s;
  }
  void restore(const core::Json& s) override {
    check_state(s, identity());
    epoch_ = core::json_require<int64_t>(s, "epoch", "sampler state");
    step_ = core::json_require<int64_t>(s, "step", "sampler state");
    build_epoch();
    position_ = core::json_require<size_t>(s, "position", "sampler state");
    check_input(position_ <= batches_.size(), "sampler state: position is past the end of the epoch");
  }

 private:
  core::Json identity() const {
    return {{"kind", sampling_name(o_.kind)}, {"n", o_.n},
            {"batch_size", o_.batch_size},    {"seed", o_.seed},
            {"drop_last", o_.drop_last},      {"bucket_batches", o_.bucket_batches}};
  }

  void build_epoch() {
    std::vector<int64_t> order(static_cast<size_t>(o_.n));
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    batches_.clear();
    if (o_.kind == SamplingKind::kShuffle) {
      Rng rng(o_.seed, "shuffle", static_cast<uint64_t>(epoch_));
      rng.shuffle(order);
      if (o_.bucket_batches > 0) {
        batches_ = bucket_by_length(order, o_.lengths, o_.batch_size, o_.bucket_batches * o_.batch_size, rng);
        if (o_.drop_last)
          batches_.erase(std::remove_if(batches_.begin(), batches_.end(),
                                        [&](const auto& b) { return static_cast<int64_t>(b.size()) < o_.batch_size; }),
                         batches_.end());
        return;
      }
    }
    for (size_t i = 0; i < order.size(); i += static_cast<size_t>(o_.batch_size)) {
      size_t end = std::min(order.size(), i + static_cast<size_t>(o_.batch_size));
      if (o_.drop_last && static_cast<int64_t>(end - i) < o_.batch_size) break;
      batches_.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(i),
                            order.begin() + static_cast<std::ptrdiff_t>(end));
    }
  }

  SamplerOptions o_;
  std::vector<std::vector<int64_t>> batches_;
  int64_t epoch_ = 0;
  size_t position_ = 0;
  int64_t step_ = 0;
};

}  // namespace

SamplingKind parse_sampling(const std::string& name) {
  if (name == "poisson") return SamplingKind::kPoisson;
  if (name == "shuffle") return SamplingKind::kShuffle;
  if (name == "sequential") return SamplingKind::kSequential;
  throw Error("--sampling must be 'poisson', 'shuffle' or 'sequential', got '" + name + "'");
}

const char* sampling_name(SamplingKind kind) {
  switch (kind) {
    case SamplingKind::kPoisson:
      return "poisson";
    case SamplingKind::kShuffle:
      return "shuffle";
    case SamplingKind::kSequential:
      return "sequential";
  }
  return "";
}

std::unique_ptr<Sampler> make_sampler(const SamplerOptions& o) {
  check_input(o.n >= 1, "cannot sample from an empty dataset");
  if (!o.groups.empty()) {
    check_input(o.groups.size() == static_cast<size_t>(o.n), "sampler: one group id per example is needed");
    for (int64_t g : o.groups) check_input(g >= 0, "sampler: group ids must not be negative");
  }
  if (o.kind == SamplingKind::kPoisson) {
    check_input(o.q > 0 || o.batch_size >= 1, "poisson sampling needs q or an expected batch size");
    return std::make_unique<PoissonSampler>(o);
  }
  return std::make_unique<EpochSampler>(o);
}

}  // namespace privtune::data
