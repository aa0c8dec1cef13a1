#include "privtune/tokenizer/pattern.h"

#include "privtune/core/error.h"

namespace privtune::tokenizer {

Pattern Pattern::literal(std::string s) {
  Pattern p;
  p.is_literal_ = true;
  p.literal_ = std::move(s);
  return p;
}

Pattern Pattern::regex(const std::string& pattern, const std::string& where) {
  Pattern p;
  p.is_literal_ = false;
  p.regex_ = Regex(pattern, where);
  return p;
}

void Pattern::find_all(std::string_view text, std::vector<Match>& out) const {
  if (!is_literal_) {
    regex_.find_all(text, out);
    return;
  }
  out.clear();
  if (literal_.empty()) return;
  size_t pos = 0;
  while ((pos = text.find(literal_, pos)) != std::string_view::npos) {
    out.push_back({pos, pos + literal_.size()});
    pos += literal_.size();
  }
}

Pattern make_pattern(const core::Json& config, const std::string& where) {
  if (!config.is_object()) throw Error(where + ": expected {\"String\": ...} or {\"Regex\": ...}");
  if (config.contains("String")) return Pattern::literal(core::json_require<std::string>(config, "String", where));
  if (config.contains("Regex")) return Pattern::regex(core::json_require<std::string>(config, "Regex", where), where);
  throw Error(where + ": expected {\"String\": ...} or {\"Regex\": ...}");
}

void replace_in(NormalizedString& s, const Pattern& pattern, const std::string& content) {
  thread_local std::vector<Match> matches;
  pattern.find_all(s.text(), matches);
  bool any = false;
  for (const Match& m : matches) any = any || m.end > m.begin;
  if (!any) return;
  std::string_view text = s.text();
  NormalizedString::Builder out;
  out.text.reserve(text.size());
  size_t pos = 0;
  auto copy_until = [&](size_t end) {
    // Unchanged characters keep their own alignment.
    size_t i = pos;
    while (i < end) {
      size_t b = i;
      i += utf8::sequence_length(static_cast<uint8_t>(text[i]));
      out.append(text.substr(b, i - b), s.original_range(b, i));
    }
    pos = end;
  };
  for (const Match& m : matches) {
    if (m.end == m.begin) continue;
    copy_until(m.begin);
    if (!content.empty()) out.append(content, s.original_range(m.begin, m.end));
    pos = m.end;
  }
  copy_until(text.size());
  s.assign(std::move(out));
}

std::string replace_all(std::string_view text, const Pattern& pattern, const std::string& content) {
  thread_local std::vector<Match> matches;
  pattern.find_all(text, matches);
  std::string out;
  size_t pos = 0;
  for (const Match& m : matches) {
    if (m.end == m.begin) continue;
    out.append(text.substr(pos, m.begin - pos));
    out.append(content);
    pos = m.end;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace privtune::tokenizer
