// Unicode regular expressions for the Split, Replace and ByteLevel components, through PCRE2
// (UTF + UCP, JIT-compiled). One compiled pattern is shared by all threads; the per-match
// state lives in thread-local storage, so matching is safe from concurrent encode() calls.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace privtune::tokenizer {

struct Match {
  size_t begin;
  size_t end;
};

class Regex {
 public:
  Regex() = default;
  // Throws privtune::Error("<where>: invalid regex ...") when PCRE2 rejects the pattern.
  Regex(const std::string& pattern, const std::string& where);
  // A pattern that matches `literal` exactly.
  static Regex literal(std::string_view literal, const std::string& where);

  // Every non-overlapping match, left to right. After an empty match the search resumes one
  // character further, as the Oniguruma engine of the reference implementation does. `text`
  // must be valid UTF-8.
  void find_all(std::string_view text, std::vector<Match>& out) const;
  bool valid() const { return code_ != nullptr; }
  const std::string& pattern() const { return pattern_; }

 private:
  std::shared_ptr<void> code_;  // pcre2_code_8, freed by its deleter
  std::string pattern_;
  std::string where_;
};

// A PCRE2 pattern that matches `literal` exactly.
std::string regex_escape(std::string_view literal);

}  // namespace privtune::tokenizer
