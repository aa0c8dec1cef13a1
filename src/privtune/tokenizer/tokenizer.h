// Hugging Face `tokenizer.json` tokenizers (BPE: byte-level and SentencePiece-style), with
// exact character offsets. See docs/tokenizer.md for the supported components and policies.
//
//   auto tok = privtune::tokenizer::Tokenizer::from_folder("models/llama");
//   Encoding e = tok.encode("My name is Ada.");   // ids, code-point offsets, special flags
//   std::string text = tok.decode(e.ids);
//
// A Tokenizer is cheap to copy (the loaded state is shared and immutable) and encode() /
// decode() may be called from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "privtune/tokenizer/encoding.h"

namespace privtune::tokenizer {

struct TokenizerImpl;

class Tokenizer {
 public:
  // An empty tokenizer; every method but loaded() throws privtune::Error until one is
  // assigned.
  Tokenizer() = default;

  // Loads tokenizer.json, and tokenizer_config.json beside it when present (BOS/EOS/pad
  // tokens, add_bos_token / add_eos_token for Llama and Gemma, clean_up_tokenization_spaces).
  // Throws privtune::Error naming the file and component for anything malformed or
  // unsupported.
  static Tokenizer from_file(const std::string& tokenizer_json_path);
  // dir/tokenizer.json.
  static Tokenizer from_folder(const std::string& dir);
  // A folder or a tokenizer.json file, whichever `path` is.
  static Tokenizer from_path(const std::string& path);
  // From JSON text; `name` is used in error messages. `config_json` is the text of a
  // tokenizer_config.json, or empty.
  static Tokenizer from_json_text(const std::string& tokenizer_json, const std::string& config_json,
                                  const std::string& name);

  // Throws privtune::Error when `text` is not valid UTF-8 (offsets are code-point indices, so
  // invalid bytes have no meaning; see docs/tokenizer.md).
  Encoding encode(std::string_view text, bool add_special_tokens = true) const;
  // Ids unknown to the vocabulary are skipped, as in the reference.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens = true) const;
  // As above, then transformers' clean-up of spaces before punctuation when
  // `clean_up_tokenization_spaces` (see clean_up_tokenization_spaces()).
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens, bool clean_up_tokenization_spaces) const;

  // 1 + the largest id of the model vocabulary and the added tokens.
  int32_t vocab_size() const;
  std::optional<int32_t> token_to_id(const std::string& token) const;
  // Empty string for an unknown id.
  std::string id_to_token(int32_t id) const;
  bool is_special(int32_t id) const;

  std::optional<int32_t> bos_id() const;
  std::optional<int32_t> eos_id() const;
  std::optional<int32_t> pad_id() const;
  // tokenizer_config.json's clean_up_tokenization_spaces (false when absent).
  bool clean_up_tokenization_spaces() const;

  bool loaded() const { return impl_ != nullptr; }
  // The file it was loaded from.
  const std::string& source() const;

 private:
  explicit Tokenizer(std::shared_ptr<const TokenizerImpl> impl) : impl_(std::move(impl)) {}
  const TokenizerImpl& impl() const;
  std::shared_ptr<const TokenizerImpl> impl_;
};

// transformers' clean_up_tokenization: removes the space before . ? ! , and English
// contractions.
std::string clean_up_tokenization(std::string text);

}  // namespace privtune::tokenizer
