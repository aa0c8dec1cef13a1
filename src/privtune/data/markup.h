// Inline span markup for hand-written data: `My name is [[NAME:Ada Lovelace]].` becomes the
// text `My name is Ada Lovelace.` with the span [11, 23) labelled NAME.
//
// A label is an upper-case letter followed by upper-case letters, digits or '_'. `[[` that
// is not followed by `LABEL:` is ordinary text; once `[[LABEL:` has opened a span it must be
// closed by `]]` before the next `[[` (no nesting) and the value must not be empty.
#pragma once

#include <string>
#include <vector>

#include "privtune/data/example.h"

namespace privtune::data {

struct MarkedText {
  std::string text;
  std::vector<Span> spans;
};

// Throws privtune::Error with a reason (no file name; callers add `file:line:`).
MarkedText parse_markup(const std::string& markup);

// The inverse: text with each span wrapped as [[LABEL:value]].
std::string to_markup(const std::string& text, const std::vector<Span>& spans);

}  // namespace privtune::data
