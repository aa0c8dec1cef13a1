// A tokenizer.json from a stranger: loading either refuses it or gives a tokenizer that
// encodes and decodes text without crashing. The input is split at the first NUL byte:
// before it the tokenizer.json, after it the text to encode (a fixed sentence when absent).
#include <string>

#include "fuzz_common.h"
#include "privtune/tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = privtune::fuzz::text_of(data, size);
  const size_t split = input.find('\0');
  const std::string json = input.substr(0, split);
  const std::string text = split == std::string::npos ? "My name is Ada Lovelace, call 0117 496 0571." : input.substr(split + 1);
  privtune::fuzz::accept_or_refuse([&] {
    const privtune::tokenizer::Tokenizer tok =
        privtune::tokenizer::Tokenizer::from_json_text(json, "", "fuzz/tokenizer.json");
    const privtune::tokenizer::Encoding e = tok.encode(text);
    (void)tok.decode(e.ids);
    (void)tok.vocab_size();
  });
  return 0;
}
