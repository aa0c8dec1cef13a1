// The evaluation end to end on tiny models: a model trained to memorize its few training
// examples leaks by every measure, the untouched base does not, and the per-token losses
// behind every number are the ones `privtune logprobs` prints.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "privtune/core/file_io.h"
#include "privtune/data/canary.h"
#include "privtune/data/dataset.h"
#include "privtune/data/rng.h"
#include "privtune/eval/continuations.h"
#include "privtune/eval/evaluate.h"
#include "privtune/model/generate.h"
#include "privtune/model/checkpoint.h"
#include "privtune/train/trainer.h"
#include "run_privtune.h"
#include "shared_fixture.h"
#include "test_util.h"
#include "train_fixture.h"

namespace privtune {
namespace {

struct Evaluated {
  test::RunInputs inputs;   // the tiny model (and its tokenizer) everything starts from
  std::string data_dir;     // short tickets with canaries: what the model memorizes
  std::string iid_dir;      // short tickets without canaries: an i.i.d. split
  std::string trained_dir;
  core::Json memorized;  // metrics of the memorizing model
  core::Json untouched;  // metrics of the base against itself on the i.i.d. split
};

eval::EvaluateOptions quick_eval_options() {
  eval::EvaluateOptions o;
  o.replicates = 300;
  o.seed = 3;
  o.progress = false;
  return o;
}

// A one-line support ticket with a NAME and a PHONE span; values drawn fresh per record.
data::Example ticket(const std::string& id, data::Rng& rng) {
  static const std::vector<std::string> first = {"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken"};
  static const std::vector<std::string> last = {"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen"};
  const std::string name = rng.pick(first) + " " + rng.pick(last);
  const std::string phone = "555-" + std::to_string(rng.range(1000, 9999));
  data::Example e;
  e.id = id;
  e.text = "Caller " + name + " phoned from " + phone + " about a parcel.";
  const auto at = [&](const std::string& part) { return static_cast<int64_t>(e.text.find(part)); };
  e.spans = {{at(name), at(name) + static_cast<int64_t>(name.size()), "NAME"},
             {at(phone), at(phone) + static_cast<int64_t>(phone.size()), "PHONE"}};
  return e;
}

void write_tickets(const std::string& dir, const std::string& name, int64_t train, int64_t test, int64_t canaries) {
  data::Rng rng(5, name);
  data::Dataset d;
  for (int64_t i = 0; i < train; ++i) d.train.push_back(ticket("tr-" + std::to_string(i), rng));
  for (int64_t i = 0; i < test; ++i) d.test.push_back(ticket("te-" + std::to_string(i), rng));
  if (canaries > 0) {
    data::CanaryOptions options;
    options.per_repetition = canaries;
    options.repetitions = {4};
    options.secret_length = 3;
    d.canaries = data::make_canaries(options, rng);
    data::insert_canaries(d.train, d.canaries, " ", rng);
  }
  data::write_dataset(dir, d, true);
}

// Full fine-tuning for many epochs on 16 short tickets: the model memorizes them. Built once
// for all the test processes of this program (test::shared_fixture_dir).
const Evaluated& evaluated() {
  static const Evaluated result = [] {
    Evaluated r;
    r.inputs = test::tiny_run_inputs("gpt_neox", 24, 8);
    const std::string dir = test::shared_fixture_dir("eval_memorized", [&](const std::string& folder) {
      write_tickets(folder + "/memorize", "memorize", 16, 16, 2);
      write_tickets(folder + "/iid", "iid", 40, 40, 0);
      train::TrainOptions o = test::quick_options(r.inputs, "full", "eval_memorized_" + std::to_string(::getpid()));
      o.data_dir = folder + "/memorize";
      o.out_dir = folder + "/trained";
      o.max_steps = 300;
      o.batch_size = 16;
      o.lr = 3e-3;
      o.eval_every = 0;
      o.sampling = "sequential";
      o.max_length = 0;
      train::Trainer(o).run();

      tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_folder(r.inputs.model_dir);
      model::CausalLM base = model::load_model(r.inputs.model_dir);
      model::CausalLM trained = model::load_model(o.out_dir);
      data::Dataset dataset = data::read_dataset(o.data_dir, data::OnBadRecord::kFail);
      const core::Json memorized = eval::evaluate(trained, base, tok, eval::prepare_eval_data(dataset, o.data_dir, tok),
                                                  quick_eval_options());
      data::Dataset iid = data::read_dataset(folder + "/iid", data::OnBadRecord::kFail);
      const core::Json untouched =
          eval::evaluate(base, base, tok, eval::prepare_eval_data(iid, folder + "/iid", tok), quick_eval_options());
      core::write_file_atomic(folder + "/memorized.json", memorized.dump());
      core::write_file_atomic(folder + "/untouched.json", untouched.dump());
    });
    r.data_dir = dir + "/memorize";
    r.iid_dir = dir + "/iid";
    r.trained_dir = dir + "/trained";
    r.memorized = core::read_json_file(dir + "/memorized.json");
    r.untouched = core::read_json_file(dir + "/untouched.json");
    return r;
  }();
  return result;
}

double value(const core::Json& estimate) { return estimate["value"].get<double>(); }
double low(const core::Json& estimate) { return estimate["ci"][0].get<double>(); }
double high(const core::Json& estimate) { return estimate["ci"][1].get<double>(); }

TEST(Evaluate, MemorizedTrainingDataLeaksByEveryMeasure) {
  const core::Json& m = evaluated().memorized;
  const core::Json& sens = m["leakage"]["classes"]["sens"];
  EXPECT_GT(low(sens["P"]), 0.0) << sens.dump();
  EXPECT_GT(low(sens["M"]), 0.0) << "the memorization gap is clearly positive: " << sens.dump();
  EXPECT_GT(low(sens["X"]), 0.0) << sens.dump();
  EXPECT_GT(value(m["membership"]["whole"]["loss"]["auc"]), 0.9) << m["membership"].dump();
  EXPECT_GT(value(m["membership"]["sensitive"]["loss"]["auc"]), 0.8);
  EXPECT_GT(value(m["extraction"]["train"]["rate"]), 0.0) << m["extraction"].dump();
  EXPECT_GT(value(m["extraction"]["train"]["rate"]), value(m["extraction"]["test"]["rate"]));

  // Canaries seen 4 times are far more exposed than the never-inserted references.
  double reference = NAN, seen = NAN;
  for (const core::Json& r : m["exposure"]["by_repetitions"]) {
    if (r["repetitions"] == 0) reference = value(r["mean_exposure"]);
    if (r["repetitions"] == 4) seen = value(r["mean_exposure"]);
  }
  EXPECT_GT(seen, reference + 3.0) << m["exposure"].dump();
  EXPECT_GT(seen, 6.0) << "log2(1000) is 9.97 bits at most";
  for (const core::Json& c : m["exposure"]["canaries"]) EXPECT_EQ(c["method"], "enumerated");
}

TEST(Evaluate, UntouchedBaseShowsNoMembershipSignal) {
  const core::Json& m = evaluated().untouched;
  for (const char* score : {"loss", "zlib", "min_k"}) {
    const core::Json& auc = m["membership"]["whole"][score]["auc"];
    EXPECT_LE(low(auc), 0.5) << score << " " << auc.dump();
    EXPECT_GE(high(auc), 0.5) << score << " " << auc.dump();
  }
  // Against itself the base gains and leaks exactly nothing.
  EXPECT_DOUBLE_EQ(value(m["leakage"]["classes"]["sens"]["P"]), 0.0);
  EXPECT_DOUBLE_EQ(value(m["leakage"]["utility"]["gain"]), 0.0);
  EXPECT_DOUBLE_EQ(value(m["membership"]["whole"]["reference"]["auc"]), 0.5) << "every score ties at zero";
}

TEST(Evaluate, RocPointsAndSchemaArePresent) {
  const core::Json& m = evaluated().memorized;
  const core::Json& roc = m["membership"]["whole"]["loss"]["roc"];
  ASSERT_GE(roc.size(), 2u);
  EXPECT_EQ(roc.front(), core::Json({0.0, 0.0}));
  EXPECT_EQ(roc.back(), core::Json({1.0, 1.0}));
  EXPECT_TRUE(m["data"]["sensitive_available"].get<bool>());
  EXPECT_GT(m["efficiency"]["scoring_tokens_per_second"].get<double>(), 0.0);
  for (const char* label : {"NAME", "PHONE", "CANARY"})
    EXPECT_TRUE(m["leakage"]["classes"].contains(label)) << label;
  const std::string table = eval::format_eval_table(m);
  EXPECT_NE(table.find("Membership inference"), std::string::npos) << table;
}

TEST(Evaluate, ContinuationLossesMatchFullForwards) {
  model::CausalLM m = model::load_model(evaluated().trained_dir);
  const std::vector<int64_t> prefix = {0, 17, 33, 41};
  const std::vector<std::vector<int64_t>> continuations = {{5}, {9, 12, 200}, {7, 7}};
  const std::vector<double> shared = eval::continuation_losses(m, prefix, continuations, 64);
  for (size_t i = 0; i < continuations.size(); ++i) {
    std::vector<int64_t> whole = prefix;
    whole.insert(whole.end(), continuations[i].begin(), continuations[i].end());
    data::TokenizedExample e;
    e.input_ids = whole;
    e.sensitive.assign(whole.size(), 0);
    e.labels.assign(whole.size(), -1);
    e.special.assign(whole.size(), 0);
    const auto losses = eval::score_examples(m, {e}, {});
    double expected = 0;
    for (size_t j = prefix.size(); j < whole.size(); ++j) expected += losses[0][j - 1];
    EXPECT_NEAR(shared[i], expected, 1e-4) << i;
  }
}

// Extraction reads greedy decoding off the scoring pass's argmaxes; actually decoding each
// span's prompt (batched, KV cache) must reproduce exactly the same spans, on the memorizing
// model (where many are reproduced) and on the untouched base.
TEST(Evaluate, ExtractionFromTheScoringPassEqualsGreedyDecoding) {
  const Evaluated& r = evaluated();
  tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_folder(r.inputs.model_dir);
  data::Dataset dataset = data::read_dataset(r.data_dir, data::OnBadRecord::kFail);
  const eval::EvalData data = eval::prepare_eval_data(dataset, r.data_dir, tok);
  const std::vector<eval::SpanOccurrence> spans = eval::span_occurrences(data.train);
  ASSERT_GT(spans.size(), 10u);
  int64_t reproduced = 0;
  for (const std::string& dir : {r.trained_dir, r.inputs.model_dir}) {
    model::CausalLM m = model::load_model(dir);
    std::vector<std::vector<uint8_t>> greedy;
    eval::score_examples(m, data.train, {}, &greedy);
    const std::vector<uint8_t> read = eval::greedy_matches(spans, greedy);

    std::vector<model::TokenIds> prompts;
    model::GenerateOptions options;  // greedy
    for (const eval::SpanOccurrence& s : spans) {
      const auto& ids = data.train[s.example].input_ids;
      prompts.emplace_back(ids.begin(), ids.begin() + s.first);
      options.max_new_tokens = std::max(options.max_new_tokens, s.tokens);
    }
    const model::GenerateResult decoded = model::generate(m, prompts, options);
    for (size_t k = 0; k < spans.size(); ++k) {
      const auto& ids = data.train[spans[k].example].input_ids;
      const model::TokenIds& got = decoded.tokens[k];
      const bool same = got.size() >= static_cast<size_t>(spans[k].tokens) &&
                        std::equal(got.begin(), got.begin() + spans[k].tokens, ids.begin() + spans[k].first);
      EXPECT_EQ(read[k] != 0, same) << dir << ", span " << k;
      reproduced += dir == r.trained_dir && same;
    }
  }
  EXPECT_GT(reproduced, 0) << "the memorizing model reproduces some training spans";
}

// By default every span counts; a cap takes whole examples in a seeded order until it is
// reached; 0 skips extraction.
TEST(Evaluate, ExtractionCountsEverySpanUnlessCapped) {
  const Evaluated& r = evaluated();
  tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_folder(r.inputs.model_dir);
  data::Dataset dataset = data::read_dataset(r.data_dir, data::OnBadRecord::kFail);
  const eval::EvalData data = eval::prepare_eval_data(dataset, r.data_dir, tok);
  const auto all_hits = [](const std::vector<data::TokenizedExample>& examples) {
    std::vector<std::vector<uint8_t>> hits;
    for (const auto& e : examples) hits.emplace_back(e.size() - 1, 1);
    return hits;
  };
  const auto train_hits = all_hits(data.train), test_hits = all_hits(data.test);
  const auto spans = eval::span_occurrences(data.train);
  ASSERT_GT(spans.size(), 10u);

  eval::ExtractionOptions options;
  options.replicates = 50;
  const core::Json every = eval::extraction_metrics(data.train, train_hits, data.test, test_hits, data.labels, options);
  EXPECT_EQ(every["train"]["spans"].get<size_t>(), spans.size());
  EXPECT_EQ(every["test"]["spans"].get<size_t>(), eval::span_occurrences(data.test).size());
  EXPECT_DOUBLE_EQ(every["train"]["rate"]["value"].get<double>(), 1.0);

  options.max_spans = 5;
  const core::Json capped = eval::extraction_metrics(data.train, train_hits, data.test, test_hits, data.labels, options);
  const auto counted = capped["train"]["spans"].get<int64_t>();
  int64_t most_in_one_example = 0;
  for (size_t i = 0; i < data.train.size(); ++i)
    most_in_one_example = std::max<int64_t>(
        most_in_one_example, std::count_if(spans.begin(), spans.end(), [&](const auto& s) { return s.example == i; }));
  EXPECT_GE(counted, 5);
  EXPECT_LT(counted, 5 + most_in_one_example) << "whole examples until the cap is reached, then no more";

  options.max_spans = 0;
  EXPECT_TRUE(eval::extraction_metrics(data.train, train_hits, data.test, test_hits, data.labels, options).is_null());
}

TEST(EvalCli, CellLossesAgreeWithLogprobs) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const Evaluated& r = evaluated();
  tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_folder(r.inputs.model_dir);
  data::Dataset dataset = data::read_dataset(r.data_dir, data::OnBadRecord::kFail);
  eval::EvalData data = eval::prepare_eval_data(dataset, r.data_dir, tok);
  model::CausalLM trained = model::load_model(r.trained_dir);
  const auto losses = eval::score_examples(trained, {data.test[0]}, {});

  const std::string ids_file = test::temp_dir("eval_ids") + "/ids.json";
  core::write_file_atomic(ids_file, core::Json({data.test[0].input_ids}).dump());
  auto result = test::run_privtune("logprobs --model '" + r.trained_dir + "' --ids-file '" + ids_file + "' --json");
  ASSERT_EQ(result.code, 0) << result.err;
  const core::Json tokens = core::parse_json(result.out, "stdout")[0]["tokens"];
  ASSERT_EQ(tokens.size(), data.test[0].size());
  for (size_t j = 1; j < tokens.size(); ++j)
    EXPECT_NEAR(-tokens[j]["logprob"].get<double>(), losses[0][j - 1], 1e-4) << j;
}

TEST(EvalCli, WritesMetricsAndRefusesToOverwrite) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const Evaluated& r = evaluated();
  const std::string out = test::temp_dir("eval_cli") + "/metrics.json";
  const std::string args = "eval --model '" + r.trained_dir + "' --base '" + r.inputs.model_dir + "' --data '" +
                           r.data_dir + "' --out '" + out + "' --bootstrap 50 --quiet";
  auto first = test::run_privtune(args);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("Canary exposure"), std::string::npos) << first.out;
  const core::Json metrics = core::read_json_file(out);
  EXPECT_TRUE(metrics.contains("leakage") && metrics.contains("membership") && metrics.contains("exposure"));
  EXPECT_GT(metrics["efficiency"]["peak_rss_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(metrics["settings"]["extraction_max_spans"], "all");

  auto second = test::run_privtune(args);
  EXPECT_EQ(second.code, 2);
  EXPECT_NE(second.err.find("exists"), std::string::npos) << second.err;
}

TEST(EvalCli, DataWithoutSpansReportsSensitiveMetricsAsUnavailable) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const Evaluated& r = evaluated();
  const std::string data = test::temp_dir("eval_nospans");
  core::write_file_atomic(data + "/train.jsonl", "{\"text\": \"Hello there, how are you?\"}\n{\"text\": \"Fine.\"}\n");
  core::write_file_atomic(data + "/test.jsonl", "{\"text\": \"Where is my order?\"}\n");
  const std::string out = data + "/metrics.json";
  auto result = test::run_privtune("eval --model '" + r.trained_dir + "' --base '" + r.inputs.model_dir +
                                   "' --data '" + data + "' --out '" + out + "' --bootstrap 20 --json --quiet");
  ASSERT_EQ(result.code, 0) << result.err;
  const core::Json m = core::read_json_file(out);
  EXPECT_FALSE(m["data"]["sensitive_available"].get<bool>());
  EXPECT_TRUE(m["leakage"]["classes"]["sens"]["P"].is_null());
  EXPECT_TRUE(m["membership"]["sensitive"]["loss"].is_null());
  EXPECT_TRUE(m["extraction"].is_null());
  EXPECT_TRUE(m["exposure"].is_null());
  EXPECT_FALSE(m["leakage"]["classes"]["nonsens"]["P"].is_null());
}

TEST(EvalCli, BadInputsAreOneLineErrors) {
  if (!test::privtune_built()) GTEST_SKIP() << "privtune executable not built";
  const Evaluated& r = evaluated();
  const std::string dir = test::temp_dir("eval_bad");
  // An empty test split.
  const std::string data = dir + "/data";
  core::make_directories(data);
  core::write_file_atomic(data + "/train.jsonl", "{\"text\": \"Hello there.\"}\n");
  core::write_file_atomic(data + "/test.jsonl", "");
  auto empty = test::run_privtune("eval --model '" + r.trained_dir + "' --base '" + r.inputs.model_dir + "' --data '" +
                                  data + "' --out '" + dir + "/m.json' --quiet");
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("test.jsonl: no examples"), std::string::npos) << empty.err;
  EXPECT_FALSE(core::path_exists(dir + "/m.json"));

  // A base whose tokenizer has another vocabulary (the same model with the built-in
  // model's tokenizer.json).
  const std::string other = dir + "/other";
  core::make_directories(other);
  for (const char* name : {"config.json", "model.safetensors"})
    core::write_file_atomic(other + "/" + name, core::read_text_file(r.inputs.model_dir + "/" + name));
  core::write_file_atomic(other + "/tokenizer.json",
                          core::read_text_file(test::source_path("models/privtune-tiny/tokenizer.json")));
  auto mismatch = test::run_privtune("eval --model '" + r.trained_dir + "' --base '" + other + "' --data '" +
                                     r.data_dir + "' --out '" + dir + "/m.json' --quiet");
  EXPECT_EQ(mismatch.code, 2);
  EXPECT_NE(mismatch.err.find("vocabulary"), std::string::npos) << mismatch.err;
  EXPECT_FALSE(core::path_exists(dir + "/m.json"));

  for (const char* spans : {"-1", "many", "12x"}) {
    auto bad = test::run_privtune("eval --model '" + r.trained_dir + "' --base '" + r.inputs.model_dir + "' --data '" +
                                  r.data_dir + "' --out '" + dir + "/m.json' --quiet --extraction-max-spans " + spans);
    EXPECT_EQ(bad.code, 2) << spans;
    EXPECT_NE(bad.err.find("--extraction-max-spans: '" + std::string(spans) + "' is not a count >= 0 or 'all'"),
              std::string::npos)
        << bad.err;
    EXPECT_FALSE(core::path_exists(dir + "/m.json"));
  }
}

}  // namespace
}  // namespace privtune
