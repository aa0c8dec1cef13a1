#include "privtune/tokenizer/added_tokens.h"

#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

void AddedVocabulary::add(const AddedToken& token) {
  if (token.content.empty()) return;  // the reference ignores empty tokens
  auto it = by_content_.find(token.content);
  if (it != by_content_.end()) {
    by_id_.erase(tokens_[it->second].id);
    tokens_[it->second] = token;
    by_id_[token.id] = it->second;
    return;
  }
  tokens_.push_back(token);
  by_content_[token.content] = tokens_.size() - 1;
  by_id_[token.id] = tokens_.size() - 1;
}

const AddedToken* AddedVocabulary::by_id(int32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

const AddedToken* AddedVocabulary::by_content(const std::string& content) const {
  auto it = by_content_.find(content);
  return it == by_content_.end() ? nullptr : &tokens_[it->second];
}

void AddedVocabulary::Trie::insert(const std::string& s, int32_t token) {
  if (terminal.empty()) terminal.push_back(-1);
  if (s.empty()) return;
  first_byte[static_cast<uint8_t>(s[0])] = true;
  int32_t node = 0;
  for (char c : s) {
    uint64_t key = (static_cast<uint64_t>(node) << 8) | static_cast<uint8_t>(c);
    auto it = edges.find(key);
    if (it == edges.end()) {
      terminal.push_back(-1);
      int32_t child = static_cast<int32_t>(terminal.size() - 1);
      edges.emplace(key, child);
      node = child;
    } else {
      node = it->second;
    }
  }
  // The first registered token keeps a content that appears twice (special ones come first).
  if (terminal[node] < 0) terminal[node] = token;
}

bool AddedVocabulary::Trie::longest_at(std::string_view text, size_t i, size_t& end, int32_t& token) const {
  if (terminal.empty() || !first_byte[static_cast<uint8_t>(text[i])]) return false;
  int32_t node = 0;
  bool found = false;
  for (size_t k = i; k < text.size(); ++k) {
    auto it = edges.find((static_cast<uint64_t>(node) << 8) | static_cast<uint8_t>(text[k]));
    if (it == edges.end()) break;
    node = it->second;
    if (terminal[node] >= 0) {
      found = true;
      end = k + 1;
      token = terminal[node];
    }
  }
  return found;
}

void AddedVocabulary::build(const Normalizer* normalizer) {
  raw_trie_ = Trie();
  normalized_trie_ = Trie();
  raw_trie_.terminal.push_back(-1);
  normalized_trie_.terminal.push_back(-1);
  // Special tokens first, then the others, as the reference orders its matchers.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t k = 0; k < tokens_.size(); ++k) {
      const AddedToken& t = tokens_[k];
      if (t.special != (pass == 0)) continue;
      if (!t.normalized) {
        raw_trie_.insert(t.content, static_cast<int32_t>(k));
      } else {
        NormalizedString s = NormalizedString::view_of(t.content, 0, static_cast<uint32_t>(t.content.size()));
        if (normalizer != nullptr) normalizer->normalize(s);
        normalized_trie_.insert(std::string(s.text()), static_cast<int32_t>(k));
      }
    }
  }
}

namespace {

// Code point just before byte `i` (i > 0) and just at byte `i` (i < size).
char32_t cp_before(std::string_view t, size_t i) {
  size_t b = i - 1;
  while (b > 0 && utf8::is_continuation(static_cast<uint8_t>(t[b]))) --b;
  size_t k = b;
  return utf8::decode(t, k);
}

char32_t cp_at(std::string_view t, size_t i) { return utf8::decode(t, i); }

}  // namespace

void AddedVocabulary::find_matches(std::string_view text, const Trie& trie,
                                   std::vector<std::pair<size_t, size_t>>& ranges, std::vector<int32_t>& ids) const {
  ranges.clear();
  ids.clear();
  size_t start_offset = 0;  // end of the previous match
  size_t i = 0;
  while (i < text.size()) {
    size_t end = 0;
    int32_t index = -1;
    if (!trie.longest_at(text, i, end, index)) {
      i += utf8::sequence_length(static_cast<uint8_t>(text[i]));
      continue;
    }
    const AddedToken& tok = tokens_[index];
    size_t start = i, stop = end;
    i = end;  // matching resumes after this match, kept or not
    if (start < start_offset) continue;  // inside whitespace an rstrip already took
    if (tok.single_word) {
      bool word_before = start > 0 && utf8::is_word_char(cp_before(text, start));
      bool word_after = stop < text.size() && utf8::is_word_char(cp_at(text, stop));
      if (word_before || word_after) continue;
    }
    if (tok.lstrip) {
      size_t s = start;
      while (s > start_offset && utf8::is_whitespace(cp_before(text, s))) {
        size_t b = s - 1;
        while (b > 0 && utf8::is_continuation(static_cast<uint8_t>(text[b]))) --b;
        s = b;
      }
      start = s;
    }
    if (tok.rstrip) {
      while (stop < text.size()) {
        size_t k = stop;
        char32_t cp = utf8::decode(text, k);
        if (!utf8::is_whitespace(cp)) break;
        stop = k;
      }
      i = std::max(i, stop);
    }
    ranges.push_back({start, stop});
    ids.push_back(tok.id);
    start_offset = stop;
  }
}

void AddedVocabulary::extract(PreTokenized& pt, bool normalized_pass) const {
  const Trie& trie = normalized_pass ? normalized_trie_ : raw_trie_;
  if (trie.edges.empty()) return;
  thread_local std::vector<std::pair<size_t, size_t>> ranges;
  thread_local std::vector<int32_t> ids;
  pt.refine([&](const Split& s, std::vector<Split>& out) {
    find_matches(pt.text_of(s), trie, ranges, ids);
    size_t prev = 0;
    for (size_t k = 0; k < ranges.size(); ++k) {
      auto [b, e] = ranges[k];
      if (b > prev) out.push_back(Split{s.string, s.begin + static_cast<uint32_t>(prev), s.begin + static_cast<uint32_t>(b), -1, s.byte_level});
      out.push_back(Split{s.string, s.begin + static_cast<uint32_t>(b), s.begin + static_cast<uint32_t>(e), ids[k], false});
      prev = e;
    }
    size_t len = s.end - s.begin;
    if (len > prev) out.push_back(Split{s.string, s.begin + static_cast<uint32_t>(prev), s.end, -1, s.byte_level});
  });
}

}  // namespace privtune::tokenizer
