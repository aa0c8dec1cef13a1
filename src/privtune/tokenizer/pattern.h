// The `pattern` field of Split, Replace (normalizer and decoder): {"String": s} matches s
// literally, {"Regex": r} is a regular expression.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/tokenizer/normalized_string.h"
#include "privtune/tokenizer/regex.h"

namespace privtune::tokenizer {

class Pattern {
 public:
  Pattern() = default;
  static Pattern literal(std::string s);
  static Pattern regex(const std::string& pattern, const std::string& where);

  // Non-overlapping matches, left to right (an empty literal matches nothing).
  void find_all(std::string_view text, std::vector<Match>& out) const;

 private:
  bool is_literal_ = true;
  std::string literal_;
  Regex regex_;
};

Pattern make_pattern(const core::Json& config, const std::string& where);

// Replaces every match by `content`; the inserted characters map to the matched original
// characters.
void replace_in(NormalizedString& s, const Pattern& pattern, const std::string& content);
std::string replace_all(std::string_view text, const Pattern& pattern, const std::string& content);

}  // namespace privtune::tokenizer
