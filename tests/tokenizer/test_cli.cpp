// `privtune tokenize` and `privtune tokenizer train` as a user runs them: output, and exit
// code 2 for bad input. Skipped when the privtune executable has not been built.
#include <gtest/gtest.h>

#include <filesystem>

#include "npm_reference.h"
#include "run_privtune.h"
#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "privtune/tokenizer/sample_text.h"
#include "small_tokenizers.h"

namespace {

using namespace privtune::tokenizer::testing;

std::string privtune_exe() { return privtune::test::privtune_path(); }

// Runs a command line; returns (exit code, stdout).
std::pair<int, std::string> run(const std::string& args) {
  auto r = privtune::test::run_privtune(args);
  return {r.code, r.out};
}

#define REQUIRE_EXE()                                                                   \
  if (!std::filesystem::exists(privtune_exe())) GTEST_SKIP() << "privtune not built"

TEST(Cli, TokenizePrintsTokensAndJson) {
  REQUIRE_EXE();
  std::string dir = temp_path("cli_tok");
  std::filesystem::create_directories(dir);
  write_file(dir + "/tokenizer.json", llama2_style_json().dump());
  auto [code, out] = run("tokenize --tokenizer '" + dir + "' --text 'Hello world'");
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("\u2581Hello"), std::string::npos) << out;
  EXPECT_NE(out.find("[5,11)"), std::string::npos) << out;
  auto [jcode, json] = run("tokenize --tokenizer '" + dir + "/tokenizer.json' --text 'Hello world' --json");
  EXPECT_EQ(jcode, 0);
  auto j = privtune::core::parse_json(json, "output");
  EXPECT_EQ(j["ids"].size(), 3u);
  EXPECT_EQ(j["offsets"][2][0], 5);
  EXPECT_EQ(j["special"][0], 1);
}

TEST(Cli, BadInputExitsWith2) {
  REQUIRE_EXE();
  std::string dir = temp_path("cli_bad");
  std::filesystem::create_directories(dir);
  Json bad = llama2_style_json();
  bad["model"]["type"] = "WordPiece";
  write_file(dir + "/tokenizer.json", bad.dump());
  EXPECT_EQ(run("tokenize --tokenizer '" + dir + "' --text x").first, 2);
  std::string good = temp_path("cli_good");
  std::filesystem::create_directories(good);
  write_file(good + "/tokenizer.json", llama2_style_json().dump());
  write_file(good + "/bad.txt", "a\xFF");
  EXPECT_EQ(run("tokenize --tokenizer '" + good + "' --file '" + good + "/bad.txt'").first, 2);
  EXPECT_EQ(run("tokenize --tokenizer /nonexistent --text x").first, 2);
  EXPECT_EQ(run("tokenize --tokenizer '" + good + "'").first, 2);
}

TEST(Cli, TrainWritesALoadableTokenizer) {
  REQUIRE_EXE();
  std::string input = temp_path("cli_train.txt");
  std::string text;
  for (const auto& d : privtune::tokenizer::sample_documents(100000, 5)) text += d + "\n";
  write_file(input, text);
  std::string out = temp_path("cli_trained.json");
  std::filesystem::remove(out);
  auto [code, msg] = run("tokenizer train --input '" + input + "' --vocab-size 400 --special-tokens '<|endoftext|>' --out '" + out + "'");
  ASSERT_EQ(code, 0) << msg;
  auto t = privtune::tokenizer::Tokenizer::from_file(out);
  EXPECT_EQ(t.vocab_size(), 400);
  EXPECT_EQ(t.decode(t.encode(text).ids, false), text);
  // Refuses to overwrite, and rejects a vocabulary smaller than the alphabet.
  EXPECT_EQ(run("tokenizer train --input '" + input + "' --vocab-size 400 --out '" + out + "'").first, 2);
  EXPECT_EQ(run("tokenizer train --input '" + input + "' --vocab-size 10 --out '" + out + "' --overwrite").first, 2);
  EXPECT_EQ(run("tokenizer train --input /nonexistent.txt --vocab-size 400 --out '" + out + "' --overwrite").first, 2);
}

}  // namespace
