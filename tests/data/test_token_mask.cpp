#include <gtest/gtest.h>

#include "privtune/data/token_mask.h"
#include "privtune/data/token_stats.h"

using namespace privtune::data;

// Text: "My name is Ada Lovelace." with hand-made offsets of a tokenizer that splits words
// awkwardly, so that spans start and end inside tokens.
//   0..2 "My", 2..7 " name", 7..10 " is", 10..13 " Ad", 13..18 "a Lov", 18..23 "elace", 23..24 "."
TEST(TokenMask, TokensTouchingASpanAreSensitive) {
  std::vector<Span> spans = {{11, 23, "NAME"}};  // "Ada Lovelace"
  TokenOffsets offsets = {{0, 2}, {2, 7}, {7, 10}, {10, 13}, {13, 18}, {18, 23}, {23, 24}};
  LabelVocab vocab;
  TokenMask m = token_mask(spans, offsets, {}, vocab);
  EXPECT_EQ(m.sensitive, (std::vector<uint8_t>{0, 0, 0, 1, 1, 1, 0}));
  int32_t name = vocab.find("NAME");
  EXPECT_EQ(m.labels, (std::vector<int32_t>{-1, -1, -1, name, name, name, -1}));
}

TEST(TokenMask, SpanStartingOrEndingInsideATokenMarksThatToken) {
  // Span "e" (one character) at 6 inside " name" [2, 7): starts and ends inside.
  LabelVocab vocab;
  TokenMask m = token_mask({{6, 7, "X"}}, {{0, 2}, {2, 7}, {7, 10}}, {}, vocab);
  EXPECT_EQ(m.sensitive, (std::vector<uint8_t>{0, 1, 0}));
  // Half-open ranges: a span ending exactly where a token starts does not touch it.
  m = token_mask({{0, 2, "X"}}, {{0, 2}, {2, 7}}, {}, vocab);
  EXPECT_EQ(m.sensitive, (std::vector<uint8_t>{1, 0}));
}

TEST(TokenMask, SpecialAndEmptyTokensAreNeverSensitive) {
  LabelVocab vocab;
  // BOS at (0, 0), a special token flagged with a real range, EOS at (0, 0).
  TokenOffsets offsets = {{0, 0}, {0, 3}, {3, 8}, {0, 0}};
  TokenMask m = token_mask({{0, 8, "NAME"}}, offsets, {1, 0, 1, 1}, vocab);
  EXPECT_EQ(m.sensitive, (std::vector<uint8_t>{0, 1, 0, 0}));
  // Without flags an empty range is still not sensitive.
  m = token_mask({{0, 8, "NAME"}}, offsets, {}, vocab);
  EXPECT_EQ(m.sensitive, (std::vector<uint8_t>{0, 1, 1, 0}));
}

TEST(TokenMask, TokenOverTwoSpansTakesTheLargerOverlap) {
  LabelVocab vocab;
  // "ab|cdef" : span A [0, 2), span B [2, 6); one token [1, 6) overlaps A by 1 and B by 4.
  TokenMask m = token_mask({{0, 2, "A"}, {2, 6, "B"}}, {{1, 6}}, {}, vocab);
  EXPECT_EQ(m.sensitive[0], 1);
  EXPECT_EQ(vocab.name(m.labels[0]), "B");
}

TEST(TokenMask, ByteTokensOfOneCharacterShareItsRange) {
  // A byte-level tokenizer splits "😀" into two tokens that both map to character [3, 4).
  LabelVocab vocab;
  TokenMask m = token_mask({{3, 4, "EMOJI"}}, {{0, 3}, {3, 4}, {3, 4}, {4, 5}}, {}, vocab);
  EXPECT_EQ(m.sensitive, (std::vector<uint8_t>{0, 1, 1, 0}));
}

TEST(TokenMask, OffsetsNeedNotBeMonotonic) {
  LabelVocab vocab;
  TokenMask m = token_mask({{5, 7, "X"}}, {{5, 6}, {0, 5}, {6, 9}}, {}, vocab);
  EXPECT_EQ(m.sensitive, (std::vector<uint8_t>{1, 0, 1}));
}

TEST(TokenMask, BadInputsThrow) {
  LabelVocab vocab;
  EXPECT_THROW(token_mask({}, {{3, 1}}, {}, vocab), std::invalid_argument);
  EXPECT_THROW(token_mask({}, {{0, 1}}, {0, 0}, vocab), std::invalid_argument);
}

TEST(TokenMask, TokenizedExamplesAndStatistics) {
  Example ex;
  ex.id = "e1";
  ex.text = "Hi Ada.";
  ex.spans = {{3, 6, "NAME"}};
  LabelVocab vocab;
  TokenizedExample t =
      tokenized_from_encoding(ex, {1, 10, 11, 12, 2}, {{0, 0}, {0, 2}, {2, 6}, {6, 7}, {0, 0}}, {1, 0, 0, 0, 1}, vocab);
  EXPECT_EQ(t.sensitive, (std::vector<uint8_t>{0, 0, 1, 0, 0}));
  EXPECT_EQ(t.special, (std::vector<uint8_t>{1, 0, 0, 0, 1}));

  Example pre;
  pre.input_ids = {4, 5, 6};
  pre.sensitive = {0, 1, 1};
  TokenizedExample p = tokenized_from_pretokenized(pre, vocab);
  EXPECT_EQ(vocab.name(p.labels[1]), kUnlabelledSensitive);

  SplitStats s;
  s.add(ex, t, vocab);
  s.add(pre, p, vocab);
  EXPECT_EQ(s.examples, 2);
  EXPECT_EQ(s.tokens, 8);
  EXPECT_EQ(s.special, 2);
  EXPECT_EQ(s.sensitive, 3);
  EXPECT_EQ(s.nonsensitive, 3);
  EXPECT_EQ(s.label_tokens["NAME"], 1);
  EXPECT_EQ(s.label_tokens["SENSITIVE"], 2);
  EXPECT_EQ(s.label_spans["NAME"], 1);
  auto json = stats_json({{"train", s}});
  EXPECT_EQ(json["train"]["sensitive"], 3);
  EXPECT_NE(stats_table({{"train", s}}).find("NAME tokens"), std::string::npos);
}
