#include "privtune/data/text_builder.h"

#include "privtune/data/utf8.h"

namespace privtune::data {

void SpanTextBuilder::append(std::string_view plain) {
  text_.append(plain);
  code_points_ += data::code_points(plain);
}

void SpanTextBuilder::append(std::string_view value, const std::string& label) {
  int64_t start = code_points_;
  append(value);
  if (!label.empty() && code_points_ > start) spans_.push_back({start, code_points_, label});
}

}  // namespace privtune::data
