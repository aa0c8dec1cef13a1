// `privtune data generate|tag|stats` (DESIGN.md sections 4 and 7; docs/data.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>

#include "privtune/cli/commands.h"
#include "privtune/core/error.h"
#include "privtune/data/dataset.h"
#include "privtune/data/encode.h"
#include "privtune/data/generator.h"
#include "privtune/data/jsonl_reader.h"
#include "privtune/data/pii_tagger.h"
#include "privtune/data/record_json.h"
#include "privtune/data/tagger_eval.h"
#include "privtune/data/token_stats.h"

namespace privtune::cli {

namespace {

using data::OnBadRecord;

// Bad lines left out under --on-bad-record skip: counted on stdout/JSON, each named on
// stderr so the user can fix the input.
void report_skipped(const data::ReadReport& report) {
  if (report.skipped == 0) return;
  std::fprintf(stderr, "privtune: skipped %lld bad record(s) in %s\n", static_cast<long long>(report.skipped),
               report.path.c_str());
  for (const std::string& problem : report.problems) std::fprintf(stderr, "  %s\n", problem.c_str());
}

std::vector<int64_t> parse_int_list(const std::string& text, const std::string& flag) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      out.push_back(std::stoll(item, &used));
      check_input(used == item.size(), "");
    } catch (const std::exception&) {
      throw Error(flag + " must be a comma-separated list of integers, got '" + text + "'");
    }
  }
  check_input(!out.empty(), flag + " is empty");
  return out;
}

// --- generate -------------------------------------------------------------------------

struct GenerateArgs {
  std::string kind, out, canary_reps = "1,2,4,8,16";
  int64_t train = 0, test = 0, canaries = 0, canary_length = 6;
  uint64_t seed = 0;
  bool overwrite = false, json = false;
};

void run_generate(const GenerateArgs& a) {
  data::check_output_folder(a.out, a.overwrite);  // fail before the work, not after
  data::GenerateOptions o;
  o.kind = data::parse_generator_kind(a.kind);
  o.train = a.train;
  o.test = a.test;
  o.seed = a.seed;
  o.canaries.per_repetition = a.canaries;
  o.canaries.repetitions = parse_int_list(a.canary_reps, "--canary-reps");
  o.canaries.secret_length = a.canary_length;
  data::Dataset ds = data::generate_dataset(o);

  // generator.json records how the folder was made; it holds no version so that the same
  // command gives the same bytes with every build.
  nlohmann::ordered_json meta;
  meta["generator"] = a.kind;
  meta["seed"] = a.seed;
  meta["train"] = a.train;
  meta["test"] = a.test;
  meta["canaries_per_repetition"] = a.canaries;
  meta["canary_repetitions"] = a.canaries > 0 ? o.canaries.repetitions : std::vector<int64_t>{};
  if (a.canaries > 0) meta["canary_length"] = a.canary_length;
  std::vector<std::string> labels = data::generator_labels(o.kind);
  if (a.canaries > 0) labels.push_back(data::kCanaryLabel);
  meta["labels"] = labels;
  std::vector<data::OutputFile> files = data::dataset_files(ds);
  files.push_back({"generator.json", meta.dump(2) + "\n"});
  data::write_output_folder(a.out, files, a.overwrite,
                            {data::kTrainFile, data::kTestFile, data::kCanariesFile, "generator.json"});

  size_t inserted = 0;
  for (const data::Canary& c : ds.canaries) inserted += c.inserted ? 1 : 0;
  if (a.json) {
    core::Json r = {{"out", a.out},
                    {"train", ds.train.size()},
                    {"test", ds.test.size()},
                    {"canaries_inserted", inserted},
                    {"canaries_reference", ds.canaries.size() - inserted}};
    std::printf("%s\n", r.dump().c_str());
  } else {
    std::printf("wrote %s: %zu train, %zu test records, %zu canaries inserted, %zu reference\n", a.out.c_str(),
                ds.train.size(), ds.test.size(), inserted, ds.canaries.size() - inserted);
  }
}

// --- tag ------------------------------------------------------------------------------

struct TagArgs {
  std::vector<std::string> inputs;
  std::string out, on_bad_record = "fail";
  bool overwrite = false, evaluate = false, json = false;
};

void run_tag(const TagArgs& a) {
  OnBadRecord policy = data::parse_on_bad_record(a.on_bad_record);
  data::check_output_folder(a.out, a.overwrite);
  data::PiiTagger tagger;
  std::vector<data::OutputFile> files;
  std::set<std::string> names;
  core::Json summary = core::Json::object();
  std::string tables;
  for (const std::string& input : a.inputs) {
    std::filesystem::path path(input);
    std::string ext = path.extension().string();
    check_input(ext == ".jsonl" || ext == ".txt", input + ": --in takes .jsonl or .txt files");
    std::string name = path.stem().string() + ".jsonl";
    check_input(names.insert(name).second, input + ": another input also becomes " + name + " in " + a.out);
    check_input(!a.evaluate || ext == ".jsonl", input + ": --evaluate needs a .jsonl file whose records carry spans");

    data::ReadReport report;
    std::vector<data::Example> records;
    if (ext == ".txt") {
      records = data::read_text_lines(input, policy, &report);
    } else {
      data::for_each_line(input, policy, report, [&](std::string_view line) {
        data::Example ex = data::parse_record(line);
        check_input(!ex.pretokenized(), "a pre-tokenized record has no text to tag");
        records.push_back(std::move(ex));
      });
    }
    report_skipped(report);
    if (a.evaluate) {
      tables += input + "\n" + data::evaluation_table(data::evaluate_tagger(tagger, records));
    }
    std::map<std::string, int64_t> counts;
    for (data::Example& ex : records) {
      ex.spans = tagger.tag(ex.text);
      for (const data::Span& s : ex.spans) ++counts[s.label];
    }
    files.push_back({name, data::examples_to_jsonl(records)});
    summary[input] = {{"out", name}, {"records", records.size()}, {"skipped", report.skipped}, {"spans", counts}};
  }
  // Everything was read and tagged; only now does the output folder change.
  data::write_output_folder(a.out, files, a.overwrite);
  if (a.json) {
    std::printf("%s\n", summary.dump().c_str());
    return;
  }
  for (auto it = summary.begin(); it != summary.end(); ++it) {
    std::printf("%s -> %s/%s: %lld records, %lld skipped\n", it.key().c_str(), a.out.c_str(),
                (*it)["out"].get<std::string>().c_str(), (*it)["records"].get<long long>(),
                (*it)["skipped"].get<long long>());
    for (auto s = (*it)["spans"].begin(); s != (*it)["spans"].end(); ++s)
      std::printf("  %-12s %lld\n", s.key().c_str(), s->get<long long>());
  }
  if (!tables.empty()) std::printf("\ntagger against the spans in the input:\n%s", tables.c_str());
}

// --- stats ----------------------------------------------------------------------------

struct StatsArgs {
  std::string dataset, tokenizer_path, on_bad_record = "fail";
  bool no_special = false, json = false;
};

void run_stats(const StatsArgs& a) {
  data::DatasetReadReport report;
  data::Dataset ds = data::read_dataset(a.dataset, data::parse_on_bad_record(a.on_bad_record), &report);
  for (const data::ReadReport* r : {&report.train, &report.test, &report.canaries}) report_skipped(*r);
  tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_path(a.tokenizer_path);
  data::LabelVocab vocab;
  std::vector<std::pair<std::string, data::SplitStats>> splits;
  auto add_split = [&](const std::string& name, const std::vector<data::Example>& examples) {
    data::SplitStats s;
    for (const data::Example& ex : examples) s.add(ex, data::encode_example(tok, ex, !a.no_special, vocab), vocab);
    splits.emplace_back(name, std::move(s));
  };
  add_split("train", ds.train);
  add_split("test", ds.test);
  if (!ds.canaries.empty()) {
    std::vector<data::Example> canaries;
    for (const data::Canary& c : ds.canaries) canaries.push_back({c.id, "", c.text(), {c.secret_span()}, {}, {}});
    add_split("canaries", canaries);
  }
  if (a.json) {
    core::Json r = data::stats_json(splits);
    r["skipped"] = report.skipped();
    std::printf("%s\n", r.dump().c_str());
  } else {
    std::printf("%s", data::stats_table(splits).c_str());
    if (report.skipped() > 0) std::printf("skipped records: %lld\n", static_cast<long long>(report.skipped()));
  }
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data_cmd = app.add_subcommand("data", "Datasets with sensitive spans: generate, tag, stats");
  data_cmd->require_subcommand(1);

  auto gen = std::make_shared<GenerateArgs>();
  CLI::App* g = data_cmd->add_subcommand("generate", "Write a synthetic dataset whose sensitive spans are known");
  g->add_option("--kind", gen->kind, "customersim (support dialogues) or synbio (biographies)")->required();
  g->add_option("--train", gen->train, "Training records")->required();
  g->add_option("--test", gen->test, "Test records")->required();
  g->add_option("--seed", gen->seed, "Seed; the same seed gives the same bytes");
  g->add_option("--canaries", gen->canaries, "Canaries per repetition count (and as many reference canaries)");
  g->add_option("--canary-reps", gen->canary_reps, "Comma-separated repetition counts")->capture_default_str();
  g->add_option("--canary-length", gen->canary_length, "Digits per canary secret (10^N candidates)")
      ->capture_default_str();
  g->add_option("--out", gen->out, "Output dataset folder")->required();
  g->add_flag("--overwrite", gen->overwrite, "Write into a folder that is not empty");
  g->add_flag("--json", gen->json, "Print a JSON summary");
  g->callback([gen] { run_generate(*gen); });

  auto tag = std::make_shared<TagArgs>();
  CLI::App* t = data_cmd->add_subcommand("tag", "Find PII spans in raw text with the rule-based tagger");
  t->add_option("--in", tag->inputs, "Input .jsonl (records) or .txt (one record per line); repeatable")->required();
  t->add_option("--out", tag->out, "Output folder: one <input name>.jsonl per input")->required();
  t->add_option("--on-bad-record", tag->on_bad_record, "fail or skip")->capture_default_str();
  t->add_flag("--evaluate", tag->evaluate, "Also score the tagger against the spans already in .jsonl input");
  t->add_flag("--overwrite", tag->overwrite, "Write into a folder that is not empty");
  t->add_flag("--json", tag->json, "Print a JSON summary");
  t->callback([tag] { run_tag(*tag); });

  auto stats = std::make_shared<StatsArgs>();
  CLI::App* s = data_cmd->add_subcommand("stats", "Token counts per split, class and label");
  s->add_option("--data", stats->dataset, "Dataset folder")->required();
  s->add_option("--tokenizer", stats->tokenizer_path, "tokenizer.json or a folder holding one")->required();
  s->add_option("--on-bad-record", stats->on_bad_record, "fail or skip")->capture_default_str();
  s->add_flag("--no-special-tokens", stats->no_special, "Encode without BOS/EOS");
  s->add_flag("--json", stats->json, "Print JSON");
  s->callback([stats] { run_stats(*stats); });
}

}  // namespace privtune::cli
