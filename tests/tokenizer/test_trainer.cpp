// The byte-level BPE trainer: deterministic, loads back, round-trips text, honours the
// vocabulary size and special tokens, rejects bad input.
#include <gtest/gtest.h>

#include "npm_reference.h"
#include "privtune/core/error.h"
#include "privtune/core/json_util.h"
#include "privtune/tokenizer/sample_text.h"
#include "privtune/tokenizer/tokenizer.h"
#include "privtune/tokenizer/trainer.h"

namespace {

using namespace privtune::tokenizer;
using namespace privtune::tokenizer::testing;

TrainerOptions small_options() {
  TrainerOptions o;
  o.vocab_size = 700;
  o.special_tokens = {"<|endoftext|>", "<pad>"};
  return o;
}

TEST(Trainer, DeterministicAndLoadable) {
  std::vector<std::string> docs = sample_documents(300000, 7);
  TrainerStats stats;
  std::string a = train_byte_level_bpe_on_texts(docs, small_options(), &stats);
  TrainerOptions single = small_options();
  single.threads = 1;
  std::string b = train_byte_level_bpe_on_texts(docs, single);
  EXPECT_EQ(a, b) << "training must not depend on the thread count";
  EXPECT_GT(stats.words, 10000u);
  EXPECT_EQ(stats.merges, 700u - 2u - 256u);

  Tokenizer t = Tokenizer::from_json_text(a, "", "trained.json");
  EXPECT_EQ(t.vocab_size(), 700);
  EXPECT_EQ(t.token_to_id("<|endoftext|>"), 0);
  EXPECT_EQ(t.token_to_id("<pad>"), 1);
  EXPECT_TRUE(t.is_special(0));
  // Merges learned from the text make common words short.
  EXPECT_LT(t.encode(" the", false).size(), 3u);
  for (const std::string& s : sample_corpus(300, 99, {"<|endoftext|>"})) {
    Encoding e = t.encode(s, false);
    EXPECT_EQ(t.decode(e.ids, false), s);
  }
  Encoding e = t.encode("a<|endoftext|>b", false);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e.ids[1], 0);
  EXPECT_EQ(e.special[1], 1);
}

TEST(Trainer, FilesAndErrors) {
  std::string path = temp_path("train_input.txt");
  std::string text;
  for (const auto& d : sample_documents(50000, 3)) text += d + "\n";
  write_file(path, text);
  std::string from_file = train_byte_level_bpe({path}, small_options());
  EXPECT_EQ(from_file, train_byte_level_bpe({path}, small_options()));
  EXPECT_EQ(Tokenizer::from_json_text(from_file, "", "t").decode(Tokenizer::from_json_text(from_file, "", "t").encode(text).ids), text);

  write_file(path, "valid then \xFF invalid");
  try {
    train_byte_level_bpe({path}, small_options());
    ADD_FAILURE() << "accepted invalid UTF-8";
  } catch (const privtune::Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("UTF-8"), std::string::npos);
  }
  EXPECT_THROW(train_byte_level_bpe({temp_path("missing.txt")}, small_options()), privtune::Error);
  TrainerOptions tiny = small_options();
  tiny.vocab_size = 100;
  EXPECT_THROW(train_byte_level_bpe_on_texts({"abc"}, tiny), privtune::Error);
  TrainerOptions twice = small_options();
  twice.special_tokens = {"<a>", "<a>"};
  EXPECT_THROW(train_byte_level_bpe_on_texts({"abc"}, twice), privtune::Error);
}

TEST(Trainer, StopsWhenNothingIsFrequentEnough) {
  TrainerOptions o = small_options();
  o.vocab_size = 5000;
  std::string json = train_byte_level_bpe_on_texts({"abc abd abe"}, o);
  Tokenizer t = Tokenizer::from_json_text(json, "", "t");
  EXPECT_LT(t.vocab_size(), 5000);
  EXPECT_GT(t.vocab_size(), 258);
}

}  // namespace
