// A tokenizer.json written by the tests: character BPE with a few merges chosen so that
// words split inside names ("Adabot" -> "Ada" + "bot"), Whitespace pre-tokenizer, and a
// template that adds <s> in front. Small enough to reason about every offset by hand.
#pragma once

#include <string>

namespace privtune::data::test_files {

inline std::string tiny_tokenizer_json() {
  std::string vocab = R"("<s>": 0, "<unk>": 1)";
  int id = 2;
  for (const char* piece : {"H", "i",  "A",  "d",   "a",  "b",   "o",  "t",   "!",    "c",  "l",  "5",
                            "2", "Hi", "Ad", "Ada", "bo", "bot", "ca", "cal", "call", "55", "552"}) {
    vocab += ", \"" + std::string(piece) + "\": " + std::to_string(id++);
  }
  return R"({
  "version": "1.0", "truncation": null, "padding": null,
  "added_tokens": [
    {"id": 0, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 1, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
  "normalizer": null,
  "pre_tokenizer": {"type": "Whitespace"},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
             {"Sequence": {"id": "B", "type_id": 1}}],
    "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}},
  "decoder": null,
  "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
            "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
            "vocab": {)" +
         vocab + R"(},
            "merges": ["H i", "A d", "Ad a", "b o", "bo t", "c a", "ca l", "cal l", "5 5", "55 2"]}
})";
}

}  // namespace privtune::data::test_files
