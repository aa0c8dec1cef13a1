// UTF-8 and Unicode character helpers shared by every tokenizer component.
//
// All text inside the tokenizer is UTF-8 that was validated once at the entry point, so the
// decoding helpers here trust their input; only find_invalid() and to_valid_lossy() look at
// arbitrary bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace privtune::tokenizer::utf8 {

// Length of the sequence that starts with `lead` (1..4); 1 for a stray continuation byte so
// that loops over valid text always advance.
inline size_t sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

inline bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// Decodes the code point starting at s[i] (valid UTF-8) and moves i past it.
char32_t decode(std::string_view s, size_t& i);

void append(std::string& out, char32_t cp);
std::string encode(char32_t cp);

// Byte offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are invalid), or npos when `s` is valid.
size_t find_invalid(std::string_view s);

size_t count_code_points(std::string_view s);

// Replaces each maximal invalid subpart by U+FFFD, as Rust's String::from_utf8_lossy and the
// WHATWG decoder do (the byte-level decoder must produce the same text as the reference).
std::string to_valid_lossy(std::string_view bytes);

// Unicode White_Space, the definition Rust's char::is_whitespace uses.
bool is_whitespace(char32_t cp);
// Unicode general category N* (Rust's char::is_numeric).
bool is_numeric(char32_t cp);
// ASCII punctuation or general category P* (the Punctuation pre-tokenizer's definition).
bool is_punctuation(char32_t cp);
// Alphabetic, mark, decimal number or connector punctuation: the regex `\w` class.
bool is_word_char(char32_t cp);
// Nonspacing mark (Mn), removed by StripAccents.
bool is_nonspacing_mark(char32_t cp);

}  // namespace privtune::tokenizer::utf8
