// The BPE model: vocabulary, ranked merges, byte-level and SentencePiece-style
// (byte_fallback, unk, fuse_unk) words, continuing_subword_prefix / end_of_word_suffix and
// ignore_merges, with the reference's semantics.
//
// Merging uses a priority queue over candidate merges ordered by (rank, position), so a word
// of n symbols costs O(n log n) rather than a rescan per merge; results for pre-tokens up to
// 256 bytes are cached.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/tokenizer/bpe_cache.h"

namespace privtune::tokenizer {

class BpeModel {
 public:
  // Throws privtune::Error naming `where` for a missing vocab, a malformed merge or a merge
  // naming a token that is not in the vocabulary.
  static std::unique_ptr<BpeModel> from_json(const core::Json& config, const std::string& where);

  // Appends the tokens of one pre-token. With `byte_level`, `word` holds raw bytes that stand
  // for their GPT-2 characters (see byte_level.h); otherwise it is the symbol text itself.
  // Each span is a byte range of `word`.
  void tokenize(std::string_view word, bool byte_level, std::vector<TokenSpan>& out) const;
  // Whether tokenize() accepts byte_level words (every byte character is in the vocabulary
  // and no prefix/suffix has to be glued on); otherwise the caller maps the bytes first.
  bool reads_raw_bytes() const { return raw_bytes_ok_; }

  std::optional<int32_t> token_to_id(const std::string& token) const;
  // Empty when the id is not in the vocabulary.
  const std::string* id_to_token(int32_t id) const;
  // 1 + the largest id.
  int32_t id_limit() const { return static_cast<int32_t>(vocab_r_.size()); }
  size_t size() const { return vocab_.size(); }

 private:
  struct Merge {
    uint32_t rank;
    int32_t new_id;
  };
  // Open-addressing map from a symbol pair to its merge.
  class PairMap {
   public:
    void reserve(size_t n);
    void insert(int32_t a, int32_t b, Merge m);  // keeps the first (best-ranked) entry
    const Merge* find(int32_t a, int32_t b) const;

   private:
    static uint64_t key(int32_t a, int32_t b) {
      return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
    }
    std::vector<uint64_t> keys_;
    std::vector<Merge> values_;
    size_t mask_ = 0;
    size_t count_ = 0;
  };
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    uint32_t begin;
    uint32_t end;  // end == begin marks a symbol merged into its left neighbour
  };

  int32_t char_id(std::string_view ch, bool first, bool last) const;
  void initial_symbols(std::string_view word, bool byte_level, std::vector<Symbol>& symbols) const;
  void merge_all(std::vector<Symbol>& symbols) const;

  std::unordered_map<std::string, int32_t> vocab_;
  std::vector<std::string> vocab_r_;
  std::vector<uint8_t> present_;
  PairMap merges_;
  std::optional<std::string> unk_token_;
  int32_t unk_id_ = -1;
  std::string prefix_, suffix_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  std::array<int32_t, 256> byte_fallback_ids_{};  // <0xXX>, -1 when absent
  std::array<int32_t, 256> byte_char_ids_{};      // GPT-2 character of each byte, -1 when absent
  std::unordered_map<std::string, int32_t> raw_vocab_;  // byte-level tokens by their raw bytes
  std::vector<int32_t> bmp_ids_;  // single-character tokens below U+10000 by code point
  bool raw_bytes_ok_ = false;
  BpeCache cache_;
};

}  // namespace privtune::tokenizer
