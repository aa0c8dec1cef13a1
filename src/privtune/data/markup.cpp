#include "privtune/data/markup.h"

#include "privtune/core/error.h"
#include "privtune/data/utf8.h"

namespace privtune::data {

namespace {

bool is_label_start(char c) { return c >= 'A' && c <= 'Z'; }
bool is_label_char(char c) { return is_label_start(c) || (c >= '0' && c <= '9') || c == '_'; }

// Length of `LABEL:` at markup[pos], or 0 if there is none.
size_t label_length(const std::string& markup, size_t pos) {
  if (pos >= markup.size() || !is_label_start(markup[pos])) return 0;
  size_t end = pos + 1;
  while (end < markup.size() && is_label_char(markup[end])) ++end;
  return end < markup.size() && markup[end] == ':' ? end - pos : 0;
}

}  // namespace

MarkedText parse_markup(const std::string& markup) {
  MarkedText out;
  int64_t at = 0;  // code points of out.text so far
  size_t pos = 0;
  while (pos < markup.size()) {
    size_t open = markup.find("[[", pos);
    size_t label_len = 0;
    // Skip "[[" that does not open a span; "[[[NAME:x]]" opens at the second '['.
    while (open != std::string::npos && (label_len = label_length(markup, open + 2)) == 0)
      open = markup.find("[[", open + 1);
    std::string_view plain(markup.data() + pos, (open == std::string::npos ? markup.size() : open) - pos);
    out.text.append(plain);
    at += code_points(plain);
    if (open == std::string::npos) break;

    std::string label = markup.substr(open + 2, label_len);
    size_t value_begin = open + 2 + label_len + 1;
    size_t close = markup.find("]]", value_begin);
    if (close == std::string::npos)
      throw Error("markup: [[" + label + ": at byte " + std::to_string(open) + " is not closed by ]]");
    size_t nested = markup.find("[[", value_begin);
    if (nested != std::string::npos && nested < close)
      throw Error("markup: [[" + label + ": at byte " + std::to_string(open) +
                  " contains [[ before its ]] (spans cannot nest)");
    if (close == value_begin)
      throw Error("markup: [[" + label + ":]] at byte " + std::to_string(open) + " has an empty value");
    std::string_view value(markup.data() + value_begin, close - value_begin);
    int64_t length = code_points(value);
    out.spans.push_back({at, at + length, label});
    out.text.append(value);
    at += length;
    pos = close + 2;
  }
  return out;
}

std::string to_markup(const std::string& text, const std::vector<Span>& spans) {
  CodePointIndex index(text);
  std::string out;
  int64_t at = 0;
  for (const Span& s : spans) {
    out.append(index.slice(text, at, s.start));
    out += "[[" + s.label + ":";
    out.append(index.slice(text, s.start, s.end));
    out += "]]";
    at = s.end;
  }
  out.append(index.slice(text, at, index.size()));
  return out;
}

}  // namespace privtune::data
