#include "privtune/eval/evaluate.h"

#include <chrono>
#include <cstdio>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/data/encode.h"
#include "privtune/eval/leakage.h"
#include "privtune/eval/membership.h"
#include "privtune/eval/zlib_size.h"

namespace privtune::eval {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void encode_split(const std::vector<data::Example>& examples, const tokenizer::Tokenizer& tok, EvalData& out,
                  std::vector<data::TokenizedExample>& encoded, std::vector<int64_t>& zlib_text,
                  std::vector<int64_t>& zlib_sensitive) {
  for (const data::Example& example : examples) {
    encoded.push_back(data::encode_example(tok, example, /*add_special_tokens=*/true, out.labels));
    for (uint8_t s : encoded.back().sensitive) out.has_spans = out.has_spans || s != 0;
    if (example.pretokenized()) {
      zlib_text.push_back(0), zlib_sensitive.push_back(0);
      continue;
    }
    std::string sensitive;
    for (const data::Span& span : example.spans) sensitive += data::span_text(example.text, span) + "\n";
    zlib_text.push_back(zlib_compressed_bytes(example.text));
    zlib_sensitive.push_back(sensitive.empty() ? 0 : zlib_compressed_bytes(sensitive));
  }
}

int64_t count_targets(const std::vector<std::vector<float>>& losses) {
  int64_t n = 0;
  for (const auto& l : losses) n += static_cast<int64_t>(l.size());
  return n;
}

}  // namespace

EvalData prepare_eval_data(const data::Dataset& dataset, const std::string& data_dir, const tokenizer::Tokenizer& tok) {
  if (dataset.train.empty())
    throw Error(core::join_path(data_dir, data::kTrainFile) + ": no examples (evaluation needs training members)");
  if (dataset.test.empty())
    throw Error(core::join_path(data_dir, data::kTestFile) + ": no examples (evaluation needs held-out data)");
  EvalData out;
  encode_split(dataset.train, tok, out, out.train, out.train_zlib, out.train_sensitive_zlib);
  encode_split(dataset.test, tok, out, out.test, out.test_zlib, out.test_sensitive_zlib);
  out.canaries = dataset.canaries;
  return out;
}

core::Json evaluate(model::CausalLM& model, model::CausalLM& base, const tokenizer::Tokenizer& tok,
                    const EvalData& data, const EvaluateOptions& options) {
  const auto start = Clock::now();
  auto say = [&](const std::string& line) {
    if (options.progress) std::fprintf(stderr, "eval: %s\n", line.c_str());
  };
  say("scoring " + std::to_string(data.train.size()) + " train and " + std::to_string(data.test.size()) +
      " test examples with the model and the base");
  std::vector<std::vector<uint8_t>> greedy_train, greedy_test;  // per token: the model's argmax?
  const auto model_train = score_examples(model, data.train, options.scoring, &greedy_train);
  const auto model_test = score_examples(model, data.test, options.scoring, &greedy_test);
  const auto base_train = score_examples(base, data.train, options.scoring);
  const auto base_test = score_examples(base, data.test, options.scoring);
  const double scoring_seconds = seconds_since(start);
  const int64_t scored_tokens = 2 * (count_targets(model_train) + count_targets(model_test));

  say("leakage and membership inference (" + std::to_string(options.replicates) + " bootstrap resamples)");
  const LeakageOptions leakage_options{options.replicates, options.seed};
  core::Json leakage = leakage_metrics(split_cells(data.train, model_train, base_train, data.labels),
                                       split_cells(data.test, model_test, base_test, data.labels), leakage_options);
  MembershipSplit members{&data.train, &model_train, &base_train, data.train_zlib, data.train_sensitive_zlib};
  MembershipSplit nonmembers{&data.test, &model_test, &base_test, data.test_zlib, data.test_sensitive_zlib};
  MembershipOptions membership_options;
  membership_options.min_k_fraction = options.min_k_fraction;
  membership_options.replicates = options.replicates;
  membership_options.seed = options.seed + 100;
  core::Json membership = membership_metrics(members, nonmembers, membership_options);

  auto phase = Clock::now();
  ExposureOptions exposure_options = options.exposure;
  exposure_options.seed = options.seed + 200;
  exposure_options.replicates = options.replicates;
  if (!data.canaries.empty()) say("exposure of " + std::to_string(data.canaries.size()) + " canaries");
  core::Json exposure = exposure_metrics(model, tok, data.canaries, exposure_options);
  const double exposure_seconds = seconds_since(phase);

  phase = Clock::now();
  ExtractionOptions extraction_options = options.extraction;
  extraction_options.seed = options.seed + 300;
  extraction_options.replicates = options.replicates;
  extraction_options.max_length = options.scoring.max_length;
  if (data.has_spans && extraction_options.max_spans != 0) say("extraction (greedy decoding, from the scoring pass)");
  core::Json extraction = data.has_spans ? extraction_metrics(data.train, greedy_train, data.test, greedy_test,
                                                              data.labels, extraction_options)
                                         : core::Json(nullptr);
  const double extraction_seconds = seconds_since(phase);
  const double total_seconds = seconds_since(start);

  core::Json out;
  out["data"] = {{"train_examples", data.train.size()},
                 {"test_examples", data.test.size()},
                 {"train_targets", count_targets(model_train)},
                 {"test_targets", count_targets(model_test)},
                 {"sensitive_available", data.has_spans},
                 {"labels", data.labels.names()},
                 {"canaries", data.canaries.size()}};
  out["leakage"] = leakage;
  out["membership"] = membership;
  out["exposure"] = exposure;
  out["extraction"] = extraction;
  out["settings"] = {{"bootstrap_replicates", options.replicates},
                     {"seed", options.seed},
                     {"min_k_fraction", options.min_k_fraction},
                     {"max_length", options.scoring.max_length},
                     {"batch_size", options.scoring.batch_size},
                     {"exposure_enumerate_limit", options.exposure.enumerate_limit},
                     {"exposure_samples", options.exposure.samples},
                     {"extraction_max_spans", options.extraction.max_spans == ExtractionOptions::kAllSpans
                                                  ? core::Json("all")
                                                  : core::Json(options.extraction.max_spans)}};
  out["efficiency"] = {{"seconds",
                        {{"scoring", scoring_seconds},
                         {"exposure", exposure_seconds},
                         {"extraction", extraction_seconds},
                         {"total", total_seconds}}},
                       {"scored_tokens", scored_tokens},
                       {"scoring_tokens_per_second", scored_tokens / std::max(scoring_seconds, 1e-9)}};
  return out;
}

}  // namespace privtune::eval
