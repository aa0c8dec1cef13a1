#include "privtune/data/example.h"

#include <algorithm>

#include "privtune/data/utf8.h"

namespace privtune::data {

namespace {
std::string range_text(const Span& s) { return "[" + std::to_string(s.start) + ", " + std::to_string(s.end) + ")"; }
}  // namespace

std::optional<std::string> span_problem(const std::vector<Span>& spans, int64_t length) {
  for (size_t i = 0; i < spans.size(); ++i) {
    const Span& s = spans[i];
    if (s.label.empty()) return "span " + range_text(s) + " has an empty label";
    if (s.start < 0 || s.end > length)
      return "span " + range_text(s) + " is out of range (text has " + std::to_string(length) + " characters)";
    if (s.end < s.start) return "span " + range_text(s) + " is inverted (end before start)";
    if (s.end == s.start) return "span " + range_text(s) + " is empty";
    if (i > 0 && s.start < spans[i - 1].end)
      return "span " + range_text(s) + " overlaps span " + range_text(spans[i - 1]);
  }
  return std::nullopt;
}

void sort_spans(std::vector<Span>& spans) {
  std::stable_sort(spans.begin(), spans.end(),
                   [](const Span& a, const Span& b) { return a.start != b.start ? a.start < b.start : a.end < b.end; });
}

std::string span_text(const std::string& text, const Span& span) {
  CodePointIndex index(text);
  return std::string(index.slice(text, span.start, span.end));
}

}  // namespace privtune::data
