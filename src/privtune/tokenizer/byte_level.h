// The GPT-2 byte-to-character map used by byte-level BPE (ByteLevel pre-tokenizer, decoder
// and the trainer): every byte becomes one printable character, so that any byte string is a
// string of vocabulary symbols.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace privtune::tokenizer::byte_level {

// UTF-8 of the character byte `b` maps to.
const std::string& char_of(uint8_t b);
// The byte a character stands for, or -1 when it is not one of the 256 mapped characters.
int byte_of(char32_t cp);
// Maps every byte of `bytes` to its character.
std::string encode(std::string_view bytes);
// Inverse of encode(); false (and `out` untouched) when a character is not a mapped one.
bool decode(std::string_view text, std::string& out);

// The GPT-2 pre-tokenization regex (ByteLevel with use_regex, and the trainer).
extern const char* const kGpt2Pattern;

}  // namespace privtune::tokenizer::byte_level
