// End-to-end behaviour of small hand-built tokenizers: ids, offsets (including byte tokens
// that cover part of a character), added tokens inline, special-token flags and decoding.
#include <gtest/gtest.h>

#include <thread>

#include "small_tokenizers.h"

namespace {

using namespace privtune::tokenizer;
using namespace privtune::tokenizer::testing;
using Offsets = std::vector<std::pair<int64_t, int64_t>>;

std::vector<std::string> tokens_of(const Tokenizer& t, const Encoding& e) {
  std::vector<std::string> out;
  for (int32_t id : e.ids) out.push_back(t.id_to_token(id));
  return out;
}

TEST(NeoxStyle, WordsAndTrimmedOffsets) {
  Tokenizer t = load(neox_style_json());
  Encoding e = t.encode("Hello world");
  EXPECT_EQ(tokens_of(t, e), (std::vector<std::string>{"Hello", "\u0120world"}));
  // ByteLevel post-processing with trim_offsets leaves the leading space out.
  EXPECT_EQ(e.offsets, (Offsets{{0, 5}, {6, 11}}));
  EXPECT_EQ(e.special, (std::vector<uint8_t>{0, 0}));
  EXPECT_EQ(t.decode(e.ids), "Hello world");
}

TEST(NeoxStyle, PartialCharacterByteTokensMapToTheWholeCharacter) {
  Tokenizer t = load(neox_style_json());
  // "ñ" (2 bytes) has no merge: two byte tokens, both pointing at the one character.
  Encoding e = t.encode("añb");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e.offsets, (Offsets{{0, 1}, {1, 2}, {1, 2}, {2, 3}}));
  // A 4-byte emoji: four byte tokens with the same one-character range.
  Encoding emoji = t.encode("x😀");
  ASSERT_EQ(emoji.size(), 5u);
  for (size_t i = 1; i < 5; ++i) EXPECT_EQ(emoji.offsets[i], (std::pair<int64_t, int64_t>{1, 2}));
  EXPECT_EQ(t.decode(emoji.ids), "x😀");
  // "é" is one merged token.
  EXPECT_EQ(t.encode("é").size(), 1u);
}

TEST(NeoxStyle, NfcMapsComposedCharacterToAllItsSources) {
  Tokenizer t = load(neox_style_json());
  // e + COMBINING ACUTE is composed to é (one token) covering both original characters.
  Encoding e = t.encode("Xe\u0301Y");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(t.id_to_token(e.ids[1]), "\u00C3\u00A9");
  EXPECT_EQ(e.offsets, (Offsets{{0, 1}, {1, 3}, {3, 4}}));
}

TEST(NeoxStyle, SpecialTokenInline) {
  Tokenizer t = load(neox_style_json());
  Encoding e = t.encode("Hi<|endoftext|> the");
  std::vector<std::string> toks = tokens_of(t, e);
  ASSERT_EQ(toks, (std::vector<std::string>{"H", "i", "<|endoftext|>", "\u0120the"}));
  EXPECT_EQ(e.special, (std::vector<uint8_t>{0, 0, 1, 0}));
  EXPECT_EQ(e.offsets[2], (std::pair<int64_t, int64_t>{2, 15}));
  EXPECT_EQ(e.offsets[3], (std::pair<int64_t, int64_t>{16, 19}));
  EXPECT_EQ(t.decode(e.ids, false), "Hi<|endoftext|> the");
  EXPECT_EQ(t.decode(e.ids, true), "Hi the");
  EXPECT_TRUE(t.is_special(e.ids[2]));
}

TEST(NeoxStyle, RegexSplitsAndWhitespace) {
  Tokenizer t = load(neox_style_json());
  // " ?\p{L}+" keeps the space with the next word; "\s+(?!\S)" leaves the last space of a run
  // to the word after it.
  Encoding e = t.encode("a   the");
  EXPECT_EQ(tokens_of(t, e), (std::vector<std::string>{"a", "\u0120", "\u0120", "\u0120the"}));
  EXPECT_EQ(t.decode(e.ids), "a   the");
}

TEST(Llama2Style, PrependReplaceAndTemplate) {
  Tokenizer t = load(llama2_style_json());
  Encoding e = t.encode("Hello world");
  EXPECT_EQ(tokens_of(t, e), (std::vector<std::string>{"<s>", "\u2581Hello", "\u2581world"}));
  // The prepended ▁ belongs to "H"; the ▁ replacing the space belongs to the space.
  EXPECT_EQ(e.offsets, (Offsets{{0, 0}, {0, 5}, {5, 11}}));
  EXPECT_EQ(e.special, (std::vector<uint8_t>{1, 0, 0}));
  EXPECT_EQ(t.decode(e.ids), "Hello world");
  EXPECT_EQ(t.decode(e.ids, false), "<s> Hello world");
  EXPECT_EQ(t.encode("Hello world", false).ids, std::vector<int32_t>(e.ids.begin() + 1, e.ids.end()));
}

TEST(Llama2Style, ByteFallbackTokensCoverTheirCharacter) {
  Tokenizer t = load(llama2_style_json());
  Encoding e = t.encode("Hello 😀!", false);
  std::vector<std::string> toks = tokens_of(t, e);
  ASSERT_EQ(toks, (std::vector<std::string>{"\u2581Hello", "\u2581", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0x21>"}));
  for (size_t i = 2; i < 6; ++i) EXPECT_EQ(e.offsets[i], (std::pair<int64_t, int64_t>{6, 7}));
  EXPECT_EQ(e.offsets[6], (std::pair<int64_t, int64_t>{7, 8}));
  EXPECT_EQ(t.decode(e.ids), "Hello 😀!");
}

TEST(Llama2Style, UnknownCharactersWithoutByteFallbackFuse) {
  Json j = llama2_style_json();
  j["model"]["byte_fallback"] = false;
  Tokenizer t = load(j);
  Encoding e = t.encode("a😀😀b", false);
  EXPECT_EQ(tokens_of(t, e), (std::vector<std::string>{"\u2581a", "<unk>", "b"}));
  EXPECT_EQ(e.offsets[1], (std::pair<int64_t, int64_t>{1, 3}));  // one fused <unk> for both
}

TEST(Llama2Style, ConfigDecidesBosAndEos) {
  Json config = {{"tokenizer_class", "LlamaTokenizer"}, {"bos_token", "<s>"}, {"eos_token", "</s>"},
                 {"add_bos_token", true}, {"add_eos_token", true}, {"pad_token", nullptr}};
  Tokenizer t = load(llama2_style_json(), "llama2.json", config);
  Encoding e = t.encode("Hello");
  EXPECT_EQ(tokens_of(t, e), (std::vector<std::string>{"<s>", "\u2581Hello", "</s>"}));
  EXPECT_EQ(e.special, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(t.bos_id(), 1);
  EXPECT_EQ(t.eos_id(), 2);
  EXPECT_FALSE(t.pad_id().has_value());
  config["add_bos_token"] = false;
  config["add_eos_token"] = false;
  EXPECT_EQ(load(llama2_style_json(), "llama2.json", config).encode("Hello").size(), 1u);
}

TEST(MetaspaceStyle, PrependSchemes) {
  Tokenizer always = load(metaspace_style_json("always", true));
  EXPECT_EQ(tokens_of(always, always.encode("Hello world", false)),
            (std::vector<std::string>{"\u2581Hello", "\u2581world"}));
  // "first": only a split that starts the original text gets the prefix; text after an
  // added token does not.
  Tokenizer first = load(metaspace_style_json("first", true));
  Encoding e = first.encode("<s>Hello", false);
  EXPECT_EQ(tokens_of(first, e), (std::vector<std::string>{"<s>", "H", "e", "l", "l", "o"}));
  EXPECT_EQ(tokens_of(first, first.encode("Hello", false)), (std::vector<std::string>{"\u2581Hello"}));
  Tokenizer never = load(metaspace_style_json("never", true));
  EXPECT_EQ(tokens_of(never, never.encode("Hello world", false)),
            (std::vector<std::string>{"H", "e", "l", "l", "o", "\u2581world"}));
  // Decoding drops the prefix the pre-tokenizer added.
  EXPECT_EQ(always.decode(always.encode("Hello world").ids), "Hello world");
}

TEST(MetaspaceStyle, SplitOrNot) {
  // With split, "▁▁" cannot form across pieces; without, the whole text is one word.
  Tokenizer split = load(metaspace_style_json("always", true));
  Tokenizer whole = load(metaspace_style_json("always", false));
  EXPECT_EQ(tokens_of(split, split.encode("a  b", false)),
            (std::vector<std::string>{"\u2581a", "\u2581", "\u2581", "b"}));
  EXPECT_EQ(tokens_of(whole, whole.encode("a  b", false)),
            (std::vector<std::string>{"\u2581a", "\u2581\u2581", "b"}));
  Encoding e = split.encode("a  b", false);
  EXPECT_EQ(e.offsets, (Offsets{{0, 1}, {1, 2}, {2, 3}, {3, 4}}));
}

TEST(AddedTokens, StripAndSingleWordAndNormalized) {
  Json j = llama2_style_json();
  j["added_tokens"].push_back(Json{{"id", 600}, {"content", "<mask>"}, {"single_word", false}, {"lstrip", true},
                                   {"rstrip", true}, {"normalized", false}, {"special", true}});
  j["added_tokens"].push_back(Json{{"id", 601}, {"content", "ony"}, {"single_word", true}, {"lstrip", false},
                                   {"rstrip", false}, {"normalized", false}, {"special", false}});
  // A normalized token is matched in the normalised text: "ab" normalises to "▁ab".
  j["added_tokens"].push_back(Json{{"id", 602}, {"content", "ab"}, {"single_word", false}, {"lstrip", false},
                                   {"rstrip", false}, {"normalized", true}, {"special", false}});
  Tokenizer t = load(j);
  Encoding e = t.encode("Ada  <mask>  is", false);
  std::vector<std::string> toks = tokens_of(t, e);
  ASSERT_EQ(toks, (std::vector<std::string>{"\u2581Ada", "<mask>", "\u2581is"}));
  EXPECT_EQ(e.offsets[1], (std::pair<int64_t, int64_t>{3, 13}));  // the stripped spaces belong to it
  EXPECT_EQ(e.special, (std::vector<uint8_t>{0, 1, 0}));
  // single_word: "ony" inside "Tony" is not the added token; standing alone it is.
  EXPECT_EQ(t.encode("Tony", false).ids.size(), 5u);
  Encoding alone = t.encode("x ony y", false);
  EXPECT_NE(std::find(alone.ids.begin(), alone.ids.end(), 601), alone.ids.end());
  Encoding norm = t.encode("x ab", false);
  ASSERT_FALSE(norm.ids.empty());
  EXPECT_EQ(norm.ids.back(), 602);
  EXPECT_EQ(norm.offsets.back(), (std::pair<int64_t, int64_t>{1, 4}));
  EXPECT_EQ(t.token_to_id("<mask>"), 600);
  EXPECT_EQ(t.vocab_size(), 603);
}

TEST(Tokenizer, EmptyTextAndCopies) {
  Tokenizer t = load(llama2_style_json());
  Encoding e = t.encode("", false);
  EXPECT_TRUE(e.ids.empty());
  EXPECT_EQ(t.encode("").size(), 1u);  // just <s>
  Tokenizer copy = t;  // shares the loaded state
  EXPECT_EQ(copy.encode("Hello").ids, t.encode("Hello").ids);
  EXPECT_EQ(t.decode({}), "");
  EXPECT_EQ(t.decode({99999, -5}), "");  // unknown ids are skipped
}

TEST(Tokenizer, ConcurrentEncodeGivesTheSameResults) {
  Tokenizer t = load(neox_style_json());
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back("Hello world the thing " + std::to_string(i * 7919) + " añ😀 é");
  std::vector<std::vector<int32_t>> expected;
  for (const auto& s : texts) expected.push_back(t.encode(s).ids);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      Tokenizer local = t;
      for (int rep = 0; rep < 20; ++rep)
        for (size_t i = 0; i < texts.size(); ++i) mismatches[k] += local.encode(texts[i]).ids != expected[i];
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
