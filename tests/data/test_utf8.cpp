#include <gtest/gtest.h>

#include "privtune/data/utf8.h"

using namespace privtune::data;

TEST(Utf8, ValidTextHasNoInvalidByte) {
  EXPECT_FALSE(find_invalid_utf8("plain ASCII").has_value());
  EXPECT_FALSE(find_invalid_utf8("Zoë Müller 😀 日本").has_value());
  EXPECT_FALSE(find_invalid_utf8("").has_value());
}

TEST(Utf8, FindsEachKindOfInvalidSequence) {
  EXPECT_EQ(find_invalid_utf8(std::string("ab\xff")), 2u);                // invalid lead byte
  EXPECT_EQ(find_invalid_utf8(std::string("a\xc3")), 1u);                 // truncated
  EXPECT_EQ(find_invalid_utf8(std::string("\xc0\xaf")), 0u);              // overlong '/'
  EXPECT_EQ(find_invalid_utf8(std::string("x\xe0\x80\xaf")), 1u);         // overlong 3-byte
  EXPECT_EQ(find_invalid_utf8(std::string("\xed\xa0\x80")), 0u);          // surrogate U+D800
  EXPECT_EQ(find_invalid_utf8(std::string("\xf4\x90\x80\x80")), 0u);      // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8(std::string("ok\x80")), 2u);                // lone continuation
}

TEST(Utf8, CodePointIndexMapsBothWays) {
  std::string text = "Zoë 😀x";  // Z o ë space 😀 x
  CodePointIndex index(text);
  EXPECT_EQ(index.size(), 6);
  EXPECT_EQ(count_code_points(text), 6);
  EXPECT_EQ(index.byte_of(2), 2u);
  EXPECT_EQ(index.byte_of(3), 4u);
  EXPECT_EQ(index.byte_of(5), 9u);
  EXPECT_EQ(index.byte_of(6), text.size());
  EXPECT_EQ(index.code_point_of(9), 5);
  EXPECT_EQ(index.code_point_of(text.size()), 6);
  EXPECT_THROW(index.code_point_of(3), std::out_of_range);
  EXPECT_EQ(index.slice(text, 4, 5), "😀");
}

TEST(Utf8, EncodeDecodeRoundTrip) {
  std::u32string cps = {U'a', U'é', U'€', U'😀'};
  std::string s;
  for (char32_t c : cps) append_utf8(s, c);
  EXPECT_EQ(s, "aé€😀");
  EXPECT_EQ(decode_utf8(s), cps);
}
