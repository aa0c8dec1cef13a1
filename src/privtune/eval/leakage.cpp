#include "privtune/eval/leakage.h"

#include <array>
#include <cmath>
#include <limits>

#include "privtune/eval/bootstrap.h"
#include "privtune/eval/estimate.h"

namespace privtune::eval {

std::vector<std::string> class_keys(const data::LabelVocab& labels) {
  std::vector<std::string> keys = {kNonsensitive, kSensitive};
  for (const std::string& name : labels.names()) keys.push_back(name);
  return keys;
}

SplitCells split_cells(const std::vector<data::TokenizedExample>& examples,
                       const std::vector<std::vector<float>>& model_losses,
                       const std::vector<std::vector<float>>& base_losses, const data::LabelVocab& labels) {
  SplitCells cells;
  cells.keys = class_keys(labels);
  const size_t n = examples.size();
  cells.model_sum.assign(cells.keys.size(), std::vector<double>(n, 0.0));
  cells.base_sum = cells.model_sum;
  cells.tokens = cells.model_sum;
  for (size_t i = 0; i < n; ++i) {
    const data::TokenizedExample& e = examples[i];
    for (size_t j = 1; j <= model_losses[i].size(); ++j) {
      if (e.special[j]) continue;
      // Key 0 is nonsens, 1 is sens, 2 + label id the label's own cell.
      std::array<size_t, 2> hit = {e.sensitive[j] ? size_t{1} : size_t{0}, SIZE_MAX};
      if (e.sensitive[j] && e.labels[j] >= 0) hit[1] = 2 + static_cast<size_t>(e.labels[j]);
      for (size_t key : hit) {
        if (key == SIZE_MAX) continue;
        cells.model_sum[key][i] += model_losses[i][j - 1];
        cells.base_sum[key][i] += base_losses[i][j - 1];
        cells.tokens[key][i] += 1.0;
      }
    }
  }
  return cells;
}

namespace {

// The four cell means of one class and what DESIGN.md derives from them, in this order.
constexpr std::array<const char*, 9> kStatNames = {"model_train", "model_test", "base_train", "base_test", "P",
                                                   "G",           "M",          "M_base",     "X"};

std::array<double, 9> derive(double model_train, double model_test, double base_train, double base_test) {
  const double P = base_train - model_train, G = base_test - model_test;
  return {model_train, model_test, base_train, base_test, P, G, model_test - model_train, base_test - base_train,
          P - G};
}

double cell_mean(const std::vector<uint32_t>& counts, const std::vector<double>& sums,
                 const std::vector<double>& tokens) {
  return weighted_ratio(counts, sums, tokens);
}

}  // namespace

core::Json leakage_metrics(const SplitCells& train, const SplitCells& test, const LeakageOptions& options) {
  const size_t keys = train.keys.size();
  const std::vector<uint32_t> all_train(static_cast<size_t>(train.examples()), 1u);
  const std::vector<uint32_t> all_test(static_cast<size_t>(test.examples()), 1u);
  Resamples train_draws(train.examples(), options.replicates, options.seed);
  Resamples test_draws(test.examples(), options.replicates, options.seed + 1);

  auto stats_of = [&](size_t key, const std::vector<uint32_t>& tr, const std::vector<uint32_t>& te) {
    return derive(cell_mean(tr, train.model_sum[key], train.tokens[key]),
                  cell_mean(te, test.model_sum[key], test.tokens[key]),
                  cell_mean(tr, train.base_sum[key], train.tokens[key]),
                  cell_mean(te, test.base_sum[key], test.tokens[key]));
  };

  core::Json classes = core::Json::object();
  std::array<Estimate, 9> nonsens{};
  for (size_t key = 0; key < keys; ++key) {
    const std::array<double, 9> point = stats_of(key, all_train, all_test);
    std::array<std::vector<double>, 9> draws;
    for (int64_t r = 0; r < options.replicates; ++r) {
      const std::array<double, 9> s = stats_of(key, train_draws.counts(r), test_draws.counts(r));
      for (size_t k = 0; k < s.size(); ++k) draws[k].push_back(s[k]);
    }
    core::Json entry;
    double train_tokens = 0, test_tokens = 0;
    for (double t : train.tokens[key]) train_tokens += t;
    for (double t : test.tokens[key]) test_tokens += t;
    entry["tokens"] = {{"train", static_cast<int64_t>(train_tokens)}, {"test", static_cast<int64_t>(test_tokens)}};
    for (size_t k = 0; k < kStatNames.size(); ++k) {
      const Estimate e{point[k], percentile_interval(draws[k])};
      entry[kStatNames[k]] = estimate_json(e);
      if (key == 0) nonsens[k] = e;
    }
    classes[train.keys[key]] = entry;
  }

  // Utility is the test loss on non-sensitive tokens; its gain over the base is G there.
  const Estimate& U = nonsens[1];
  Estimate perplexity{std::exp(U.value), {std::exp(U.interval.low), std::exp(U.interval.high)}};
  core::Json utility = {{"U", estimate_json(U)}, {"perplexity", estimate_json(perplexity)},
                        {"gain", estimate_json(nonsens[5])}};
  return {{"utility", utility}, {"classes", classes}};
}

}  // namespace privtune::eval
