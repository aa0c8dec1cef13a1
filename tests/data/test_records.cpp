#include <gtest/gtest.h>

#include "privtune/core/error.h"
#include "privtune/data/jsonl_reader.h"
#include "privtune/data/record_json.h"
#include "test_helpers.h"

using namespace privtune::data;
using privtune::Error;

namespace {

// The Error message parse_record gives for `line`, or "" if it parses.
std::string problem(const std::string& line) {
  try {
    parse_record(line);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

}  // namespace

TEST(Records, ParsesTextSpansIdAndUser) {
  Example ex = parse_record(
      R"({"id": "c-000017", "text": "Hi, I'm Zoë Müller.", "spans": [{"start": 8, "end": 18, "label": "NAME"}], "user": "u-91"})");
  EXPECT_EQ(ex.id, "c-000017");
  EXPECT_EQ(ex.user, "u-91");
  EXPECT_EQ(ex.text, "Hi, I'm Zoë Müller.");
  ASSERT_EQ(ex.spans.size(), 1u);
  EXPECT_EQ(span_text(ex.text, ex.spans[0]), "Zoë Müller");
  EXPECT_FALSE(ex.pretokenized());
}

TEST(Records, SortsSpansAndAcceptsIntegerIds) {
  Example ex = parse_record(
      R"({"id": 7, "text": "ab cd", "spans": [{"start": 3, "end": 5, "label": "B"}, {"start": 0, "end": 2, "label": "A"}]})");
  EXPECT_EQ(ex.id, "7");
  EXPECT_EQ(ex.spans[0].label, "A");
  EXPECT_EQ(ex.spans[1].label, "B");
}

TEST(Records, ParsesPretokenizedAndMarkup) {
  Example pre = parse_record(R"({"input_ids": [5, 6, 7], "sensitive": [0, 1, true]})");
  EXPECT_TRUE(pre.pretokenized());
  EXPECT_EQ(pre.input_ids, (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(pre.sensitive, (std::vector<uint8_t>{0, 1, 1}));
  Example marked = parse_record(R"({"markup": "Call [[NAME:Ada]] now"})");
  EXPECT_EQ(marked.text, "Call Ada now");
  EXPECT_EQ(marked.spans[0], (Span{5, 8, "NAME"}));
}

TEST(Records, RejectsEachKindOfBadRecord) {
  EXPECT_NE(problem("{\"text\": \"a\""), "");
  EXPECT_EQ(problem("{\"text\": \"a\"").rfind("invalid JSON: ", 0), 0u);
  // A number too large for a double is refused like a syntax error (found by fuzz_records).
  EXPECT_EQ(problem(R"({"text": "a", "n": 1e999})"), "invalid JSON: number overflow parsing '1e999'");
  EXPECT_EQ(problem("666e666er:"), "invalid JSON: number overflow parsing '666e666'");
  EXPECT_EQ(problem("[1, 2]"), "expected a JSON object, got array");
  EXPECT_EQ(problem(R"({"id": "x"})"), "missing 'text' (or 'markup' or 'input_ids')");
  EXPECT_EQ(problem(R"({"text": 5})"), "'text' must be a string, got number");
  EXPECT_EQ(problem(std::string("{\"text\": \"a\xff\"}")), "invalid UTF-8 at byte 12");
  EXPECT_EQ(problem(R"({"text": "abc", "spans": [{"start": 1, "end": 9, "label": "X"}]})"),
            "span [1, 9) is out of range (text has 3 characters)");
  EXPECT_EQ(problem(R"({"text": "abc", "spans": [{"start": -1, "end": 2, "label": "X"}]})"),
            "span [-1, 2) is out of range (text has 3 characters)");
  EXPECT_EQ(problem(R"({"text": "abc", "spans": [{"start": 2, "end": 1, "label": "X"}]})"),
            "span [2, 1) is inverted (end before start)");
  EXPECT_EQ(problem(R"({"text": "abc", "spans": [{"start": 1, "end": 1, "label": "X"}]})"), "span [1, 1) is empty");
  EXPECT_EQ(
      problem(
          R"({"text": "abcd", "spans": [{"start": 0, "end": 2, "label": "X"}, {"start": 1, "end": 3, "label": "Y"}]})"),
      "span [1, 3) overlaps span [0, 2)");
  EXPECT_EQ(problem(R"({"text": "abc", "spans": [{"start": 0, "end": 1, "label": ""}]})"),
            "span [0, 1) has an empty label");
  EXPECT_EQ(problem(R"({"text": "abc", "spans": [{"start": 0, "label": "X"}]})"), "spans[0] has no 'end'");
  EXPECT_EQ(problem(R"({"text": "abc", "spans": [{"start": 0.5, "end": 1, "label": "X"}]})"),
            "spans[0].start must be an integer, got number");
  EXPECT_EQ(problem(R"({"input_ids": [1, 2], "sensitive": [1]})"), "'sensitive' has 1 entries but 'input_ids' has 2");
  EXPECT_EQ(problem(R"({"input_ids": [1, -2]})"), "input_ids[1] is negative");
  EXPECT_EQ(problem(R"({"input_ids": [1], "sensitive": [2]})"), "sensitive[0] must be 0 or 1");
  EXPECT_EQ(problem(R"({"text": "a", "input_ids": [1]})"),
            "a record has exactly one of 'text', 'markup' and 'input_ids'");
  EXPECT_EQ(problem(R"({"markup": "[[NAME:x"})").rfind("markup: ", 0), 0u);
  // A lone surrogate escape is not a character either.
  EXPECT_EQ(problem(R"({"text": "\ud800"})").rfind("invalid JSON: ", 0), 0u);
}

TEST(Records, WritesDesignKeyOrderAndRoundTrips) {
  Example ex;
  ex.id = "c-1";
  ex.user = "u-2";
  ex.text = "Zoë said \"hi\"\n";
  ex.spans = {{0, 3, "NAME"}};
  std::string line = record_to_json(ex);
  EXPECT_EQ(line,
            R"({"id":"c-1","text":"Zoë said \"hi\"\n","spans":[{"start":0,"end":3,"label":"NAME"}],"user":"u-2"})");
  Example back = parse_record(line);
  EXPECT_EQ(back.text, ex.text);
  EXPECT_EQ(back.spans, ex.spans);
  EXPECT_EQ(back.user, ex.user);
}

TEST(Records, FileReaderReportsFileAndLine) {
  std::string dir = test_files::scratch_dir("records_fail");
  std::string path = dir + "/train.jsonl";
  test_files::write_file(
      path, "{\"text\": \"ok\"}\n\n{\"text\": \"ok\", \"spans\": [{\"start\": 0, \"end\": 5, \"label\": \"X\"}]}\n");
  try {
    read_examples(path, OnBadRecord::kFail);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3: span [0, 5) is out of range (text has 2 characters)");
  }
}

TEST(Records, SkipPolicyCountsAndKeepsTheRest) {
  std::string dir = test_files::scratch_dir("records_skip");
  std::string path = dir + "/train.jsonl";
  test_files::write_file(path, "{\"text\": \"one\"}\r\nnot json\n{\"id\": \"x\"}\n{\"text\": \"four\"}");
  ReadReport report;
  std::vector<Example> examples = read_examples(path, OnBadRecord::kSkip, &report);
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[0].text, "one");
  EXPECT_EQ(examples[1].text, "four");
  EXPECT_EQ(report.records, 2);
  EXPECT_EQ(report.skipped, 2);
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].rfind(path + ":2: invalid JSON", 0), 0u);
  EXPECT_EQ(report.problems[1], path + ":3: missing 'text' (or 'markup' or 'input_ids')");
}

TEST(Records, TextLinesAreRecordsAndInvalidUtf8IsBad) {
  std::string dir = test_files::scratch_dir("records_txt");
  std::string path = dir + "/raw.txt";
  test_files::write_file(path, "first line\n\nbad \xc3\x28 line\nlast");
  EXPECT_THROW(read_text_lines(path, OnBadRecord::kFail), Error);
  ReadReport report;
  auto lines = read_text_lines(path, OnBadRecord::kSkip, &report);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].text, "last");
  EXPECT_EQ(report.problems.at(0), path + ":3: invalid UTF-8 at byte 5");
}

TEST(Records, MissingFileIsBadInput) {
  EXPECT_THROW(read_examples("/nonexistent/privtune/train.jsonl", OnBadRecord::kSkip), Error);
}

TEST(Records, OnBadRecordFlagValues) {
  EXPECT_EQ(parse_on_bad_record("fail"), OnBadRecord::kFail);
  EXPECT_EQ(parse_on_bad_record("skip"), OnBadRecord::kSkip);
  EXPECT_THROW(parse_on_bad_record("ignore"), Error);
}
