#include "privtune/tokenizer/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "privtune/core/error.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

namespace {

// Per-thread match state: one match-data block (only the whole match is read, so one pair of
// offsets is enough) and a JIT stack large enough for patterns like `\s+(?!\S)` on long runs.
struct ThreadState {
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* stack = nullptr;
  ThreadState() {
    data = pcre2_match_data_create(1, nullptr);
    context = pcre2_match_context_create(nullptr);
    stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
    if (context != nullptr && stack != nullptr) pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~ThreadState() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
  }
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

}  // namespace

Regex::Regex(const std::string& pattern, const std::string& where) : pattern_(pattern), where_(where) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &offset, nullptr);
  if (code == nullptr) {
    throw Error(where + ": invalid regex '" + pattern + "' at offset " + std::to_string(offset) + ": " +
                pcre2_message(error));
  }
  // JIT is an optimisation only: when it is unavailable the interpreter gives the same matches.
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  code_ = std::shared_ptr<void>(code, [](void* p) { pcre2_code_free(static_cast<pcre2_code*>(p)); });
}

Regex Regex::literal(std::string_view literal, const std::string& where) {
  return Regex(regex_escape(literal), where);
}

void Regex::find_all(std::string_view text, std::vector<Match>& out) const {
  out.clear();
  if (!code_) return;
  auto* code = static_cast<const pcre2_code*>(code_.get());
  ThreadState& state = thread_state();
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  while (start <= text.size()) {
    int rc = pcre2_match(code, subject, text.size(), start, PCRE2_NO_UTF_CHECK, state.data, state.context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      throw Error(where_ + ": regex '" + pattern_ + "' failed on the input: " + pcre2_message(rc));
    }
    PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
    size_t begin = ovector[0], end = ovector[1];
    out.push_back({begin, end});
    if (end > begin) {
      start = end;
    } else {
      if (end >= text.size()) break;
      start = end + utf8::sequence_length(static_cast<uint8_t>(text[end]));
    }
  }
}

std::string regex_escape(std::string_view literal) {
  // Every ASCII character that is not alphanumeric becomes \x{HH}, which PCRE2 always reads as
  // that literal character; bytes of multi-byte characters are never special.
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (char c : literal) {
    auto u = static_cast<unsigned char>(c);
    bool plain = u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
    if (plain) {
      out.push_back(c);
    } else {
      out += "\\x{";
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
      out.push_back('}');
    }
  }
  return out;
}

}  // namespace privtune::tokenizer
