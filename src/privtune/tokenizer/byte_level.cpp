#include "privtune/tokenizer/byte_level.h"

#include <array>

#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer::byte_level {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

struct Tables {
  std::array<std::string, 256> chars;
  std::array<char32_t, 256> code_points{};
  std::array<int, 324> byte_of{};  // inverse map; every mapped character is below U+0144
  Tables() {
    byte_of.fill(-1);
    // Printable Latin-1 bytes stand for themselves; the others are shifted to U+0100 and up
    // in byte order.
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      code_points[b] = printable ? static_cast<char32_t>(b) : next++;
      chars[b] = utf8::encode(code_points[b]);
      byte_of[code_points[b]] = b;
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

const std::string& char_of(uint8_t b) { return tables().chars[b]; }

int byte_of(char32_t cp) { return cp < 324 ? tables().byte_of[cp] : -1; }

std::string encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += char_of(static_cast<uint8_t>(c));
  return out;
}

bool decode(std::string_view text, std::string& out) {
  std::string result;
  result.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    int b = byte_of(utf8::decode(text, i));
    if (b < 0) return false;
    result.push_back(static_cast<char>(b));
  }
  out += result;
  return true;
}

}  // namespace privtune::tokenizer::byte_level
