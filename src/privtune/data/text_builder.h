// Builds a text piece by piece and records the code-point span of every sensitive piece,
// so generated examples know their spans exactly instead of searching for values later.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "privtune/data/example.h"

namespace privtune::data {

class SpanTextBuilder {
 public:
  void append(std::string_view plain);
  // Appends `value`; a non-empty `label` records it as a sensitive span.
  void append(std::string_view value, const std::string& label);

  const std::string& text() const { return text_; }
  const std::vector<Span>& spans() const { return spans_; }
  int64_t code_points() const { return code_points_; }
  bool empty() const { return text_.empty(); }

 private:
  std::string text_;
  std::vector<Span> spans_;
  int64_t code_points_ = 0;
};

}  // namespace privtune::data
