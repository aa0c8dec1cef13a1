// A compiled PCRE2 pattern (UTF-8 text, Unicode properties for \w, \d, \b) with
// JIT where available. Offsets are bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace privtune::data {

class Regex {
 public:
  struct Match {
    size_t begin = 0, end = 0;
    std::vector<std::pair<size_t, size_t>> groups;  // (npos, npos) for a group that did not take part
  };

  // Throws std::logic_error with PCRE2's message on a bad pattern: patterns are part of
  // the program, not user input.
  explicit Regex(const std::string& pattern, bool caseless = false);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  Regex(Regex&& other) noexcept;
  Regex& operator=(Regex&&) = delete;

  // All non-overlapping matches, left to right.
  std::vector<Match> find_all(std::string_view text) const;
  // Whether the whole of `text` matches.
  bool matches(std::string_view text) const;

 private:
  void* code_ = nullptr;  // pcre2_code_8*, kept opaque so users need no PCRE2 headers
};

}  // namespace privtune::data
