// `privtune tokenize` and `privtune tokenizer train`.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "privtune/cli/commands.h"
#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/tokenizer/tokenizer.h"
#include "privtune/tokenizer/trainer.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::cli {

namespace {

struct TokenizeOptions {
  std::string tokenizer;
  std::string text;
  std::string file;
  bool json = false;
  bool no_special = false;
};

// The characters [b, e) of `text` (code-point offsets).
std::string slice_code_points(const std::string& text, int64_t b, int64_t e) {
  size_t i = 0;
  int64_t cp = 0;
  size_t start = text.size(), end = text.size();
  while (i <= text.size()) {
    if (cp == b && start == text.size()) start = i;
    if (cp == e) {
      end = i;
      break;
    }
    if (i == text.size()) break;
    i += tokenizer::utf8::sequence_length(static_cast<uint8_t>(text[i]));
    ++cp;
  }
  return start <= end ? text.substr(start, end - start) : std::string();
}

// A token or text piece printed on one line: control characters escaped.
std::string printable(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

void run_tokenize(const TokenizeOptions& o) {
  std::string text = o.file.empty() ? o.text : core::read_text_file(o.file);
  auto tok = tokenizer::Tokenizer::from_path(o.tokenizer);
  tokenizer::Encoding e = tok.encode(text, !o.no_special);
  if (o.json) {
    nlohmann::json out;
    out["ids"] = e.ids;
    std::vector<std::string> tokens;
    for (int32_t id : e.ids) tokens.push_back(tok.id_to_token(id));
    // Token strings can be pieces of characters (byte-level); keep the JSON valid.
    for (auto& t : tokens) t = tokenizer::utf8::to_valid_lossy(t);
    out["tokens"] = tokens;
    out["offsets"] = e.offsets;
    out["special"] = e.special;
    std::cout << out.dump() << "\n";
    return;
  }
  std::printf("%zu tokens\n", e.size());
  std::printf("%6s %8s  %-14s %-24s %s\n", "index", "id", "offsets", "token", "text");
  for (size_t i = 0; i < e.size(); ++i) {
    auto [b, en] = e.offsets[i];
    std::string range = "[" + std::to_string(b) + "," + std::to_string(en) + ")";
    std::string token = printable(tokenizer::utf8::to_valid_lossy(tok.id_to_token(e.ids[i])));
    std::string piece = e.special[i] && b == en ? "" : printable(slice_code_points(text, b, en));
    std::printf("%6zu %8d  %-14s %-24s %s%s\n", i, e.ids[i], range.c_str(), token.c_str(), piece.c_str(),
                e.special[i] ? "  (special)" : "");
  }
}

struct TrainOptions {
  std::vector<std::string> inputs;
  int32_t vocab_size = 32000;
  std::vector<std::string> special_tokens;
  int64_t min_frequency = 2;
  int threads = 0;
  std::string out;
  bool overwrite = false;
};

void run_train(const TrainOptions& o) {
  if (core::path_exists(o.out) && !o.overwrite) throw Error(o.out + ": already exists (use --overwrite)");
  tokenizer::TrainerOptions t;
  t.vocab_size = o.vocab_size;
  t.special_tokens = o.special_tokens;
  t.min_frequency = o.min_frequency;
  t.threads = o.threads;
  t.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  auto start = std::chrono::steady_clock::now();
  tokenizer::TrainerStats stats;
  std::string json = tokenizer::train_byte_level_bpe(o.inputs, t, &stats);
  core::write_file_atomic(o.out, json);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto trained = tokenizer::Tokenizer::from_file(o.out);
  std::printf("wrote %s: vocab %d (%zu merges) from %zu bytes, %zu words (%zu distinct) in %.1f s\n", o.out.c_str(),
              trained.vocab_size(), stats.merges, stats.bytes, stats.words, stats.unique_words, seconds);
}

}  // namespace

void add_tokenizer_commands(CLI::App& app) {
  auto tokenize_opts = std::make_shared<TokenizeOptions>();
  CLI::App* tokenize = app.add_subcommand("tokenize", "Encode text and print each token, id and offsets");
  tokenize->add_option("--tokenizer", tokenize_opts->tokenizer, "Model folder or tokenizer.json")->required();
  CLI::Option* text = tokenize->add_option("--text", tokenize_opts->text, "Text to encode");
  CLI::Option* file = tokenize->add_option("--file", tokenize_opts->file, "File whose text to encode");
  text->excludes(file);
  tokenize->add_flag("--json", tokenize_opts->json, "Print {ids, tokens, offsets, special} as JSON");
  tokenize->add_flag("--no-special", tokenize_opts->no_special, "Do not add BOS/EOS (the post-processor's tokens)");
  tokenize->callback([tokenize_opts, text, file] {
    if (text->count() == 0 && file->count() == 0) throw Error("tokenize: give --text or --file");
    run_tokenize(*tokenize_opts);
  });

  auto train_opts = std::make_shared<TrainOptions>();
  CLI::App* group = app.add_subcommand("tokenizer", "Tokenizer tools");
  group->require_subcommand(1);
  CLI::App* train = group->add_subcommand("train", "Train a byte-level BPE tokenizer (GPT-2 pre-tokenizer)");
  train->add_option("--input", train_opts->inputs, "Text files (UTF-8)")->required()->expected(1, -1);
  train->add_option("--vocab-size", train_opts->vocab_size, "Vocabulary size, special and byte tokens included")->required();
  train->add_option("--special-tokens", train_opts->special_tokens, "Special tokens, given the first ids")->expected(0, -1);
  train->add_option("--min-frequency", train_opts->min_frequency, "Never merge pairs seen fewer times (default 2)");
  train->add_option("--threads", train_opts->threads, "Threads for counting (default: cores, at most 8)");
  train->add_option("--out", train_opts->out, "Output tokenizer.json")->required();
  train->add_flag("--overwrite", train_opts->overwrite, "Replace --out if it exists");
  train->callback([train_opts] { run_train(*train_opts); });
}

}  // namespace privtune::cli
