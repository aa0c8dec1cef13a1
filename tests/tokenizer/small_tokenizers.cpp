#include "small_tokenizers.h"

#include "privtune/tokenizer/byte_level.h"

namespace privtune::tokenizer::testing {

int VocabBuilder::add(const std::string& token) {
  auto it = vocab.find(token);
  if (it != vocab.end()) return it->get<int>();
  vocab[token] = next_id;
  return next_id++;
}

void VocabBuilder::merge(const std::string& a, const std::string& b) {
  add(a);
  add(b);
  merges.push_back(Json::array({a, b}));
  add(a + b);
}

void VocabBuilder::merge_word(const std::vector<std::string>& symbols) {
  std::string acc = symbols.at(0);
  for (size_t i = 1; i < symbols.size(); ++i) {
    merge(acc, symbols[i]);
    acc += symbols[i];
  }
}

namespace {

std::vector<std::string> byte_chars(const std::string& text) {
  std::vector<std::string> out;
  for (char c : text) out.push_back(byte_level::char_of(static_cast<uint8_t>(c)));
  return out;
}

Json added(int id, const std::string& content, bool special) {
  return Json{{"id", id}, {"content", content}, {"single_word", false}, {"lstrip", false},
              {"rstrip", false}, {"normalized", !special}, {"special", special}};
}

Json bpe_model(const VocabBuilder& v, bool byte_fallback, const Json& unk) {
  return Json{{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", unk}, {"continuing_subword_prefix", nullptr},
              {"end_of_word_suffix", nullptr}, {"fuse_unk", true}, {"byte_fallback", byte_fallback},
              {"ignore_merges", false}, {"vocab", v.vocab}, {"merges", v.merges}};
}

// <unk>, <s>, </s>, the 256 byte tokens, the letters of the test words and merges for them.
VocabBuilder sentencepiece_vocab() {
  VocabBuilder v;
  v.add("<unk>");
  v.add("<s>");
  v.add("</s>");
  static const char* hex = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) v.add(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
  v.add("\u2581");
  for (char c = 'a'; c <= 'z'; ++c) v.add(std::string(1, c));
  for (char c = 'A'; c <= 'Z'; ++c) v.add(std::string(1, c));
  for (const char* w : {"Hello", "world", "the", "and", "Ada", "name", "is"}) {
    std::vector<std::string> symbols = {"\u2581"};
    for (const char* p = w; *p; ++p) symbols.push_back(std::string(1, *p));
    v.merge_word(symbols);
  }
  v.merge("\u2581", "\u2581");
  v.merge("i", "n");
  v.merge("in", "g");
  return v;
}

Json special_template() {
  return Json{{"type", "TemplateProcessing"},
              {"single", Json::array({Json{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                      Json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
              {"pair", Json::array()},
              {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}};
}

}  // namespace

Json neox_style_json() {
  VocabBuilder v;
  for (int b = 0; b < 256; ++b) v.add(byte_level::char_of(static_cast<uint8_t>(b)));
  v.merge_word(byte_chars("Hello"));
  v.merge_word(byte_chars(" world"));
  v.merge_word(byte_chars(" the"));
  v.merge_word(byte_chars("ing"));
  v.merge_word(byte_chars("\xC3\xA9"));  // é as one token
  int eot = v.add("<|endoftext|>");
  Json bl = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  return Json{{"version", "1.0"},
              {"added_tokens", Json::array({added(eot, "<|endoftext|>", true)})},
              {"normalizer", {{"type", "NFC"}}},
              {"pre_tokenizer", bl},
              {"post_processor", bl},
              {"decoder", bl},
              {"model", bpe_model(v, false, nullptr)}};
}

Json llama2_style_json() {
  VocabBuilder v = sentencepiece_vocab();
  Json normalizer = {{"type", "Sequence"},
                     {"normalizers", Json::array({Json{{"type", "Prepend"}, {"prepend", "\u2581"}},
                                                  Json{{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}})}};
  Json decoder = {{"type", "Sequence"},
                  {"decoders", Json::array({Json{{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}},
                                            Json{{"type", "ByteFallback"}}, Json{{"type", "Fuse"}},
                                            Json{{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}})}};
  return Json{{"version", "1.0"},
              {"added_tokens", Json::array({added(0, "<unk>", true), added(1, "<s>", true), added(2, "</s>", true)})},
              {"normalizer", normalizer},
              {"pre_tokenizer", nullptr},
              {"post_processor", special_template()},
              {"decoder", decoder},
              {"model", bpe_model(v, true, "<unk>")}};
}

Json metaspace_style_json(const std::string& scheme, bool split) {
  VocabBuilder v = sentencepiece_vocab();
  Json meta = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", scheme}, {"split", split}};
  Json decoder = {{"type", "Sequence"}, {"decoders", Json::array({meta, Json{{"type", "ByteFallback"}}, Json{{"type", "Fuse"}}})}};
  return Json{{"version", "1.0"},
              {"added_tokens", Json::array({added(0, "<unk>", true), added(1, "<s>", true), added(2, "</s>", true)})},
              {"normalizer", nullptr},
              {"pre_tokenizer", meta},
              {"post_processor", special_template()},
              {"decoder", decoder},
              {"model", bpe_model(v, true, "<unk>")}};
}

Tokenizer load(const Json& tokenizer_json, const std::string& name, const Json& config) {
  return Tokenizer::from_json_text(tokenizer_json.dump(), config.is_null() ? std::string() : config.dump(), name);
}

}  // namespace privtune::tokenizer::testing
