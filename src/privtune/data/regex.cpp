#include "privtune/data/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <stdexcept>

namespace privtune::data {

namespace {

pcre2_code* as_code(void* p) { return static_cast<pcre2_code*>(p); }

struct MatchDataDeleter {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

}  // namespace

Regex::Regex(const std::string& pattern, bool caseless) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  uint32_t options = PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0);
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &error,
                                   &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw std::logic_error("regex error at offset " + std::to_string(offset) + ": " +
                           reinterpret_cast<const char*>(message) + " in " + pattern);
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
  code_ = code;
}

Regex::~Regex() {
  if (code_ != nullptr) pcre2_code_free(as_code(code_));
}

Regex::Regex(Regex&& other) noexcept : code_(other.code_) { other.code_ = nullptr; }

std::vector<Regex::Match> Regex::find_all(std::string_view text) const {
  std::vector<Match> out;
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(pcre2_match_data_create_from_pattern(as_code(code_), nullptr));
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  while (start <= text.size()) {
    // The text was validated as UTF-8 when it was read; skip PCRE2's own check.
    int rc = pcre2_match(as_code(code_), subject, text.size(), start, PCRE2_NO_UTF_CHECK, data.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw std::runtime_error("regex match failed with PCRE2 error " + std::to_string(rc));
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.get());
    Match m;
    m.begin = ov[0];
    m.end = ov[1];
    uint32_t pairs = pcre2_get_ovector_count(data.get());
    for (uint32_t g = 1; g < pairs; ++g)
      m.groups.emplace_back(ov[2 * g] == PCRE2_UNSET ? std::string_view::npos : ov[2 * g],
                            ov[2 * g + 1] == PCRE2_UNSET ? std::string_view::npos : ov[2 * g + 1]);
    out.push_back(std::move(m));
    if (ov[1] > ov[0]) {
      start = ov[1];
    } else {
      // An empty match: step over one whole code point.
      start = ov[1] + 1;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
    }
  }
  return out;
}

bool Regex::matches(std::string_view text) const {
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(pcre2_match_data_create_from_pattern(as_code(code_), nullptr));
  int rc = pcre2_match(as_code(code_), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0,
                       PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NO_UTF_CHECK, data.get(), nullptr);
  return rc >= 0;
}

}  // namespace privtune::data
