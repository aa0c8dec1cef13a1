#include <gtest/gtest.h>

#include "privtune/core/error.h"
#include "privtune/data/markup.h"

using namespace privtune::data;

TEST(Markup, ConvertsToTextAndCodePointSpans) {
  MarkedText m = parse_markup("My name is [[NAME:Ada Lovelace]].");
  EXPECT_EQ(m.text, "My name is Ada Lovelace.");
  ASSERT_EQ(m.spans.size(), 1u);
  EXPECT_EQ(m.spans[0], (Span{11, 23, "NAME"}));
}

TEST(Markup, OffsetsCountCodePointsNotBytes) {
  MarkedText m = parse_markup("Zoë 😀 [[NAME:Zoë Müller]] at [[PHONE:+44 20 7946 0958]]");
  EXPECT_EQ(m.text, "Zoë 😀 Zoë Müller at +44 20 7946 0958");
  ASSERT_EQ(m.spans.size(), 2u);
  EXPECT_EQ(m.spans[0], (Span{6, 16, "NAME"}));
  EXPECT_EQ(m.spans[1], (Span{20, 36, "PHONE"}));
  EXPECT_EQ(span_text(m.text, m.spans[0]), "Zoë Müller");
}

TEST(Markup, BracketsThatDoNotOpenASpanAreText) {
  MarkedText m = parse_markup("a [[b]] and [[lower:x]] and [[[NAME:Al]]");
  EXPECT_EQ(m.text, "a [[b]] and [[lower:x]] and [Al");
  ASSERT_EQ(m.spans.size(), 1u);
  EXPECT_EQ(m.spans[0], (Span{29, 31, "NAME"}));
}

TEST(Markup, RejectsUnclosedNestedAndEmpty) {
  EXPECT_THROW(parse_markup("[[NAME:Ada"), privtune::Error);
  EXPECT_THROW(parse_markup("[[NAME:Ada [[PHONE:1]] ]]"), privtune::Error);
  EXPECT_THROW(parse_markup("[[NAME:]]"), privtune::Error);
}

TEST(Markup, RoundTrips) {
  std::string markup = "Call [[NAME:José]] on [[PHONE:(503) 555-0100]], e-mail [[EMAIL:jo@x.org]].";
  MarkedText m = parse_markup(markup);
  EXPECT_EQ(to_markup(m.text, m.spans), markup);
}
