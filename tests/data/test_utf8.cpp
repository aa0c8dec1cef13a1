#include <gtest/gtest.h>

#include "privtune/data/utf8.h"

using namespace privtune::data;

TEST(Utf8, ProblemNamesTheFirstBadByte) {
  EXPECT_FALSE(utf8_problem("Zoë Müller 😀 日本").has_value());
  EXPECT_EQ(utf8_problem(std::string("ab\xff")).value(), "invalid UTF-8 at byte 3");
  EXPECT_EQ(utf8_problem(std::string("\xed\xa0\x80")).value(), "invalid UTF-8 at byte 1");  // surrogate
  EXPECT_EQ(utf8_problem(std::string("ok\xc3")).value(), "invalid UTF-8 at byte 3");        // truncated
}

TEST(Utf8, CodePointIndexMapsBothWays) {
  std::string text = "Zoë 😀x";  // Z o ë space 😀 x
  CodePointIndex index(text);
  EXPECT_EQ(index.size(), 6);
  EXPECT_EQ(code_points(text), 6);
  EXPECT_EQ(index.byte_of(2), 2u);
  EXPECT_EQ(index.byte_of(3), 4u);
  EXPECT_EQ(index.byte_of(5), 9u);
  EXPECT_EQ(index.byte_of(6), text.size());
  EXPECT_EQ(index.code_point_of(9), 5);
  EXPECT_EQ(index.code_point_of(text.size()), 6);
  EXPECT_THROW(index.code_point_of(3), std::out_of_range);
  EXPECT_EQ(index.slice(text, 4, 5), "😀");
  EXPECT_EQ(index.slice(text, 0, 0), "");
}

TEST(Utf8, EmptyText) {
  CodePointIndex index("");
  EXPECT_EQ(index.size(), 0);
  EXPECT_EQ(index.byte_of(0), 0u);
}
