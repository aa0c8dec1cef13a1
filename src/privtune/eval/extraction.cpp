#include "privtune/eval/extraction.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "privtune/eval/bootstrap.h"
#include "privtune/eval/estimate.h"

namespace privtune::eval {

std::vector<SpanOccurrence> span_occurrences(const std::vector<data::TokenizedExample>& examples) {
  std::vector<SpanOccurrence> spans;
  for (size_t i = 0; i < examples.size(); ++i) {
    const data::TokenizedExample& e = examples[i];
    const auto n = static_cast<int64_t>(e.size());
    for (int64_t j = 0; j < n;) {
      const auto at = static_cast<size_t>(j);
      if (!e.sensitive[at] || e.special[at]) {
        ++j;
        continue;
      }
      int64_t end = j + 1;
      while (end < n && e.sensitive[static_cast<size_t>(end)] && !e.special[static_cast<size_t>(end)] &&
             e.labels[static_cast<size_t>(end)] == e.labels[at])
        ++end;
      if (j > 0) spans.push_back({i, j, end - j, e.labels[at]});
      j = end;
    }
  }
  return spans;
}

std::vector<uint8_t> greedy_matches(const std::vector<SpanOccurrence>& spans,
                                    const std::vector<std::vector<uint8_t>>& greedy) {
  std::vector<uint8_t> matched(spans.size(), 0);
  for (size_t k = 0; k < spans.size(); ++k) {
    const SpanOccurrence& s = spans[k];
    const std::vector<uint8_t>& hits = greedy[s.example];  // hits[j - 1]: token j is the argmax
    const auto first = static_cast<size_t>(s.first - 1), last = static_cast<size_t>(s.first - 1 + s.tokens);
    matched[k] = last <= hits.size() && std::all_of(hits.begin() + static_cast<std::ptrdiff_t>(first),
                                                    hits.begin() + static_cast<std::ptrdiff_t>(last),
                                                    [](uint8_t hit) { return hit != 0; });
  }
  return matched;
}

namespace {

// Every span, or whole examples in a seeded order until `max_spans` spans are in (all of them
// when there are fewer): a subset that keeps each example's spans together for the bootstrap.
std::vector<SpanOccurrence> chosen_spans(const std::vector<data::TokenizedExample>& examples,
                                         const ExtractionOptions& options, uint64_t seed) {
  std::vector<SpanOccurrence> all = span_occurrences(examples);
  if (options.max_length > 0)
    all.erase(std::remove_if(all.begin(), all.end(),
                             [&](const SpanOccurrence& s) { return s.first + s.tokens > options.max_length; }),
              all.end());
  if (options.max_spans == ExtractionOptions::kAllSpans || static_cast<int64_t>(all.size()) <= options.max_spans)
    return all;
  std::vector<std::vector<SpanOccurrence>> by_example(examples.size());
  for (const SpanOccurrence& s : all) by_example[s.example].push_back(s);
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);  // Fisher-Yates
  std::vector<SpanOccurrence> chosen;
  for (size_t i : order) {
    if (static_cast<int64_t>(chosen.size()) >= options.max_spans) break;
    chosen.insert(chosen.end(), by_example[i].begin(), by_example[i].end());
  }
  return chosen;
}

// Rate of matched spans with a bootstrap interval over the examples the spans come from.
core::Json rate_json(const std::vector<SpanOccurrence>& spans, const std::vector<uint8_t>& matched,
                     const ExtractionOptions& options, uint64_t seed) {
  std::map<size_t, size_t> slot;  // example -> position in the per-example arrays
  std::vector<double> hits, totals;
  for (size_t k = 0; k < spans.size(); ++k) {
    auto [it, fresh] = slot.emplace(spans[k].example, hits.size());
    if (fresh) hits.push_back(0), totals.push_back(0);
    hits[it->second] += matched[k];
    totals[it->second] += 1;
  }
  const auto n = static_cast<int64_t>(hits.size());
  Resamples draws(n, options.replicates, seed);
  std::vector<double> rates;
  for (int64_t r = 0; r < options.replicates; ++r) rates.push_back(weighted_ratio(draws.counts(r), hits, totals));
  const std::vector<uint32_t> once(hits.size(), 1u);
  return {{"spans", spans.size()},
          {"examples", n},
          {"rate", estimate_json({weighted_ratio(once, hits, totals), percentile_interval(rates)})}};
}

}  // namespace

core::Json extraction_metrics(const std::vector<data::TokenizedExample>& train,
                              const std::vector<std::vector<uint8_t>>& train_greedy,
                              const std::vector<data::TokenizedExample>& test,
                              const std::vector<std::vector<uint8_t>>& test_greedy, const data::LabelVocab& labels,
                              const ExtractionOptions& options) {
  if (options.max_spans == 0) return nullptr;
  core::Json out;
  struct Split {
    const char* name;
    const std::vector<data::TokenizedExample>* examples;
    const std::vector<std::vector<uint8_t>>* greedy;
  };
  const Split splits[] = {{"train", &train, &train_greedy}, {"test", &test, &test_greedy}};
  uint64_t seed = options.seed;
  for (const auto& [name, examples, greedy] : splits) {
    const std::vector<SpanOccurrence> spans = chosen_spans(*examples, options, seed++);
    const std::vector<uint8_t> matched = greedy_matches(spans, *greedy);
    core::Json split = rate_json(spans, matched, options, seed++);
    core::Json per_label = core::Json::object();
    for (size_t label = 0; label < labels.size(); ++label) {
      std::vector<SpanOccurrence> some;
      std::vector<uint8_t> some_matched;
      for (size_t k = 0; k < spans.size(); ++k)
        if (spans[k].label == static_cast<int32_t>(label)) some.push_back(spans[k]), some_matched.push_back(matched[k]);
      if (!some.empty()) per_label[labels.name(static_cast<int32_t>(label))] = rate_json(some, some_matched, options, seed);
    }
    split["labels"] = per_label;
    out[name] = split;
  }
  return out;
}

}  // namespace privtune::eval
