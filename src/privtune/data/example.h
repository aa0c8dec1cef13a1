// One dataset record (DESIGN.md section 4): text with labelled sensitive spans, or a
// pre-tokenized sequence with a per-token sensitive mask.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace privtune::data {

// A sensitive span: Unicode code-point offsets into the text (Python str indexing), half
// open, with a label such as NAME or PHONE.
struct Span {
  int64_t start = 0;
  int64_t end = 0;
  std::string label;

  bool operator==(const Span& o) const { return start == o.start && end == o.end && label == o.label; }
  bool operator!=(const Span& o) const { return !(*this == o); }
};

struct Example {
  std::string id;    // optional
  std::string user;  // optional: the privacy unit for user-level DP
  // Text form.
  std::string text;
  std::vector<Span> spans;  // sorted by start, non-overlapping
  // Pre-tokenized form (input_ids non-empty): sensitive has one 0/1 entry per id, or is
  // empty when the record gave none (then no token is sensitive).
  std::vector<int64_t> input_ids;
  std::vector<uint8_t> sensitive;

  bool pretokenized() const { return !input_ids.empty(); }
};

// Why `spans` are not valid for a text of `length` code points (an empty, inverted,
// out-of-range or overlapping span, or an empty label), or nullopt. Expects spans sorted
// by start (see sort_spans).
std::optional<std::string> span_problem(const std::vector<Span>& spans, int64_t length);

// Sorts by (start, end) so that overlap checks and mask lookups can scan in order.
void sort_spans(std::vector<Span>& spans);

// The code points of `text` covered by `span`, as UTF-8 (text must be valid UTF-8 and the
// span valid for it).
std::string span_text(const std::string& text, const Span& span);

}  // namespace privtune::data
