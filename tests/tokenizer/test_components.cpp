// Normalizers, pre-tokenizers and decoders one at a time, on the cases the reference's
// documentation spells out.
#include <gtest/gtest.h>

#include "privtune/core/json_util.h"
#include "privtune/tokenizer/decoders.h"
#include "privtune/tokenizer/normalizers.h"
#include "privtune/tokenizer/offset_mapper.h"
#include "privtune/tokenizer/pre_tokenizers.h"

namespace {

using namespace privtune::tokenizer;
using privtune::core::Json;

std::vector<std::string> pre_tokenize(const Json& config, const std::string& text) {
  auto p = make_pre_tokenizer(config, "test");
  PreTokenized pt;
  pt.strings.push_back(NormalizedString::view_of(text, 0, static_cast<uint32_t>(text.size())));
  pt.splits.push_back(Split{0, 0, static_cast<uint32_t>(text.size()), -1, false});
  p->pre_tokenize(pt);
  std::vector<std::string> out;
  for (Split& s : pt.splits) {
    materialize_byte_level(pt, s);
    out.emplace_back(pt.text_of(s));
  }
  return out;
}

Json split_config(const std::string& behavior, bool invert = false) {
  return Json{{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}, {"invert", invert}};
}

using V = std::vector<std::string>;

TEST(PreTokenizers, SplitBehaviours) {
  const std::string text = "the-final--countdown";
  EXPECT_EQ(pre_tokenize(split_config("Removed"), text), (V{"the", "final", "countdown"}));
  EXPECT_EQ(pre_tokenize(split_config("Isolated"), text), (V{"the", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(pre_tokenize(split_config("MergedWithPrevious"), text), (V{"the-", "final-", "-", "countdown"}));
  EXPECT_EQ(pre_tokenize(split_config("MergedWithNext"), text), (V{"the", "-final", "-", "-countdown"}));
  EXPECT_EQ(pre_tokenize(split_config("Contiguous"), text), (V{"the", "-", "final", "--", "countdown"}));
  // invert: the pattern describes what to keep.
  Json words = {{"type", "Split"}, {"pattern", {{"Regex", "\\w+"}}}, {"behavior", "Removed"}, {"invert", true}};
  EXPECT_EQ(pre_tokenize(words, "hi, you there"), (V{"hi", "you", "there"}));
}

TEST(PreTokenizers, Llama3RegexOnUnicode) {
  Json split = {{"type", "Split"},
                {"pattern", {{"Regex", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
                {"behavior", "Isolated"},
                {"invert", false}};
  EXPECT_EQ(pre_tokenize(split, "I'LL pay 1234567 €\r\n\r\n  now"),
            (V{"I", "'LL", " pay", " ", "123", "456", "7", " €\r\n\r\n", " ", " now"}));
  EXPECT_EQ(pre_tokenize(split, "日本語テキスト"), (V{"日本語テキスト"}));
}

TEST(PreTokenizers, ByteLevel) {
  Json with_regex = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"use_regex", true}};
  EXPECT_EQ(pre_tokenize(with_regex, "Hello there"), (V{"\u0120Hello", "\u0120there"}));
  Json without = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
  EXPECT_EQ(pre_tokenize(without, "a b\xC3\xA9"), (V{"a\u0120b\u00C3\u00A9"}));
}

TEST(PreTokenizers, DigitsPunctuationWhitespace) {
  EXPECT_EQ(pre_tokenize(Json{{"type", "Digits"}, {"individual_digits", true}}, "ab123c"), (V{"ab", "1", "2", "3", "c"}));
  EXPECT_EQ(pre_tokenize(Json{{"type", "Digits"}, {"individual_digits", false}}, "ab123c4"), (V{"ab", "123", "c", "4"}));
  EXPECT_EQ(pre_tokenize(Json{{"type", "Punctuation"}, {"behavior", "Isolated"}}, "Hey! How?..."),
            (V{"Hey", "!", " How", "?", ".", ".", "."}));
  EXPECT_EQ(pre_tokenize(Json{{"type", "Whitespace"}}, "Hey friend!  How are you?!?"),
            (V{"Hey", "friend", "!", "How", "are", "you", "?!?"}));
  EXPECT_EQ(pre_tokenize(Json{{"type", "WhitespaceSplit"}}, " a\tb\u3000c "), (V{"a", "b", "c"}));
}

TEST(PreTokenizers, SequenceAndMetaspace) {
  Json seq = {{"type", "Sequence"},
              {"pretokenizers", Json::array({Json{{"type", "WhitespaceSplit"}},
                                             Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}, {"split", true}}})}};
  EXPECT_EQ(pre_tokenize(seq, "Hey  my friend"), (V{"\u2581Hey", "\u2581my", "\u2581friend"}));
  Json legacy = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"add_prefix_space", true}};
  EXPECT_EQ(pre_tokenize(legacy, "Hey friend!"), (V{"\u2581Hey", "\u2581friend!"}));
}

std::pair<std::string, std::vector<std::pair<int64_t, int64_t>>> normalize(const Json& config, const std::string& text) {
  auto n = make_normalizer(config, "test");
  NormalizedString s = NormalizedString::view_of(text, 0, static_cast<uint32_t>(text.size()));
  n->normalize(s);
  OffsetMapper map(text);
  std::vector<std::pair<int64_t, int64_t>> per_char;
  s.for_each_char([&](char32_t, size_t, size_t, OriginalRange r) { per_char.push_back(map(r)); });
  return {std::string(s.text()), per_char};
}

using Offsets = std::vector<std::pair<int64_t, int64_t>>;

TEST(Normalizers, UnicodeForms) {
  auto [nfc, nfc_off] = normalize(Json{{"type", "NFC"}}, "Ae\u0301b");
  EXPECT_EQ(nfc, "A\u00E9b");
  EXPECT_EQ(nfc_off, (Offsets{{0, 1}, {1, 3}, {3, 4}}));
  auto [nfd, nfd_off] = normalize(Json{{"type", "NFD"}}, "\u00E9");
  EXPECT_EQ(nfd, "e\u0301");
  EXPECT_EQ(nfd_off, (Offsets{{0, 1}, {0, 1}}));
  auto [nfkc, nfkc_off] = normalize(Json{{"type", "NFKC"}}, "x\uFB01y\u2460");
  EXPECT_EQ(nfkc, "xfiy1");
  EXPECT_EQ(nfkc_off, (Offsets{{0, 1}, {1, 2}, {1, 2}, {2, 3}, {3, 4}}));
  // Hangul jamo compose across starters.
  auto [hangul, hangul_off] = normalize(Json{{"type", "NFC"}}, "a\u1100\u1161\u11A8b");
  EXPECT_EQ(hangul, "a\uAC01b");
  EXPECT_EQ(hangul_off, (Offsets{{0, 1}, {1, 4}, {4, 5}}));
  EXPECT_EQ(normalize(Json{{"type", "NFKD"}}, "\u00BD").first, "1\u20442");
}

TEST(Normalizers, ReplacePrependLowercaseStrip) {
  auto [rep, rep_off] = normalize(Json{{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}, "a b");
  EXPECT_EQ(rep, "a\u2581b");
  EXPECT_EQ(rep_off, (Offsets{{0, 1}, {1, 2}, {2, 3}}));
  auto [regex, regex_off] = normalize(Json{{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", " "}}, "a   b");
  EXPECT_EQ(regex, "a b");
  EXPECT_EQ(regex_off, (Offsets{{0, 1}, {1, 4}, {4, 5}}));
  auto [pre, pre_off] = normalize(Json{{"type", "Prepend"}, {"prepend", "\u2581"}}, "ab");
  EXPECT_EQ(pre, "\u2581ab");
  EXPECT_EQ(pre_off, (Offsets{{0, 1}, {0, 1}, {1, 2}}));
  auto [low, low_off] = normalize(Json{{"type", "Lowercase"}}, "AÉ\u0130Σ");
  EXPECT_EQ(low, "a\u00E9i\u0307\u03C3");
  EXPECT_EQ(low_off, (Offsets{{0, 1}, {1, 2}, {2, 3}, {2, 3}, {3, 4}}));
  auto [strip, strip_off] = normalize(Json{{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}}, " \t ab \n");
  EXPECT_EQ(strip, "ab");
  EXPECT_EQ(strip_off, (Offsets{{3, 4}, {4, 5}}));
  EXPECT_EQ(normalize(Json{{"type", "Sequence"}, {"normalizers", Json::array({Json{{"type", "NFD"}}, Json{{"type", "StripAccents"}}, Json{{"type", "Lowercase"}}})}}, "Éa").first, "ea");
}

std::string decode(const Json& config, std::vector<std::string> tokens) {
  auto d = make_decoder(config, "test");
  d->decode_chain(tokens);
  std::string out;
  for (const auto& t : tokens) out += t;
  return out;
}

TEST(Decoders, Each) {
  EXPECT_EQ(decode(Json{{"type", "ByteLevel"}}, {"Hello", "\u0120w\u00C3\u00A9", "<|eot|>"}), "Hello wé<|eot|>");
  // An incomplete character decodes to U+FFFD.
  EXPECT_EQ(decode(Json{{"type", "ByteLevel"}}, {"a\u00C3"}), "a\uFFFD");
  EXPECT_EQ(decode(Json{{"type", "ByteFallback"}}, {"a", "<0xC3>", "<0xA9>", "b"}), "a\u00E9b");
  EXPECT_EQ(decode(Json{{"type", "ByteFallback"}}, {"<0xC3>", "x"}), "\uFFFDx");
  EXPECT_EQ(decode(Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}},
                   {"\u2581Hey", "\u2581friend!"}),
            "Hey friend!");
  EXPECT_EQ(decode(Json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "never"}},
                   {"\u2581Hey", "\u2581friend!"}),
            " Hey friend!");
  EXPECT_EQ(decode(Json{{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 1}}, {"  a  ", " b"}), " a b");
  EXPECT_EQ(decode(Json{{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}}, {"\u2581a\u2581b"}),
            " a b");
  Json seq = {{"type", "Sequence"},
              {"decoders", Json::array({Json{{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}},
                                        Json{{"type", "ByteFallback"}}, Json{{"type", "Fuse"}},
                                        Json{{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}})}};
  EXPECT_EQ(decode(seq, {"\u2581Hi", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "\u2581there"}), "Hi😀 there");
}

}  // namespace
