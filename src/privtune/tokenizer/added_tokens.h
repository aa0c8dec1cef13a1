// Added tokens (special or not): the text is split on them before normalisation and
// pre-tokenisation, leftmost-longest, honouring single_word, lstrip, rstrip and normalized as
// the reference's AddedVocabulary does.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "privtune/tokenizer/normalizers.h"
#include "privtune/tokenizer/pre_tokenized.h"

namespace privtune::tokenizer {

struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

class AddedVocabulary {
 public:
  // Registers a token; a repeated id or content replaces the earlier entry.
  void add(const AddedToken& token);
  // Builds the matchers; normalized tokens are matched in their normalised form.
  void build(const Normalizer* normalizer);

  // Splits every undecided split on the tokens of one pass: the tokens matched against the
  // original text (normalized_pass false) or against the normalised text.
  void extract(PreTokenized& pt, bool normalized_pass) const;

  const AddedToken* by_id(int32_t id) const;
  const AddedToken* by_content(const std::string& content) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }
  bool empty() const { return tokens_.empty(); }

 private:
  // A byte trie with leftmost-longest matching.
  struct Trie {
    std::vector<int32_t> terminal;  // token index ending at node, -1 if none
    std::unordered_map<uint64_t, int32_t> edges;  // (node << 8 | byte) -> child
    bool first_byte[256] = {};
    void insert(const std::string& s, int32_t token);
    // Longest pattern starting at text[i]: its end and token index; false when none.
    bool longest_at(std::string_view text, size_t i, size_t& end, int32_t& token) const;
  };
  void find_matches(std::string_view text, const Trie& trie, std::vector<std::pair<size_t, size_t>>& ranges,
                    std::vector<int32_t>& ids) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<int32_t, size_t> by_id_;
  std::unordered_map<std::string, size_t> by_content_;
  Trie raw_trie_, normalized_trie_;
};

}  // namespace privtune::tokenizer
