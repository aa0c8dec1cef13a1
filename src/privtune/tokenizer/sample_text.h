// Deterministic multilingual sample text, for the cross-implementation tests and the
// tokenizer benchmark: English prose, source code, numbers, phone numbers, e-mails, URLs,
// whitespace runs (tabs, newlines, \r\n), CJK, Arabic, Devanagari, combining marks, emoji
// (ZWJ sequences, flags, skin tones), added tokens written inline and very long words.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace privtune::tokenizer {

// The categories sample_corpus() cycles through, in order.
const std::vector<std::string>& sample_categories();

// `count` strings; string i belongs to category i % sample_categories().size(), so every
// category is covered evenly. `inline_tokens` (e.g. a tokenizer's special tokens) are written
// into the strings of the "added tokens inline" and "mixed" categories.
std::vector<std::string> sample_corpus(size_t count, uint64_t seed, const std::vector<std::string>& inline_tokens);

// Documents of mixed text (mostly prose and code, some of every category) adding up to at
// least `total_bytes`.
std::vector<std::string> sample_documents(size_t total_bytes, uint64_t seed);

}  // namespace privtune::tokenizer
