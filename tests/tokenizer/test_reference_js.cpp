// Cross-implementation test: the real Llama 3, Qwen 3 and Gemma 3 tokenizer.json files,
// encoded by privtune and by the reference JavaScript port of Hugging Face tokenizers on a
// deterministic corpus of 2,000+ strings covering every category of sample_text.h; ids (with
// and without special tokens) and decoded text must be identical.
#include <gtest/gtest.h>

#include <set>

#include <filesystem>

#include "npm_reference.h"
#include "small_tokenizers.h"
#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "privtune/tokenizer/sample_text.h"
#include "privtune/tokenizer/trainer.h"
#include "privtune/tokenizer/utf8.h"

namespace {

using namespace privtune::tokenizer;
using namespace privtune::tokenizer::testing;
using privtune::core::Json;

constexpr size_t kCorpusSize = 2080;  // 130 strings of each of the 16 categories

std::string show(const std::vector<int32_t>& ids) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size() && i < 40; ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s + (ids.size() > 40 ? ",...]" : "]");
}

// Added tokens to write inline: every special token plus a few ordinary added ones.
std::vector<std::string> inline_tokens(const std::string& tokenizer_dir) {
  Json root = privtune::core::read_json_file(tokenizer_dir + "/tokenizer.json");
  std::vector<std::string> special, other;
  for (const Json& t : root["added_tokens"]) {
    (t["special"].get<bool>() ? special : other).push_back(t["content"].get<std::string>());
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < special.size() && i < 24; ++i) out.push_back(special[i]);
  for (size_t i = 0; i < other.size() && i < 8; ++i) out.push_back(other[i]);
  return out;
}

void cross_check(const std::string& name, const std::string& dir, const Tokenizer& tok) {
  std::vector<std::string> corpus = sample_corpus(kCorpusSize, 20240917, inline_tokens(dir));
  ASSERT_GE(corpus.size(), 2000u);

  std::string input = temp_path(name + "_corpus.json");
  std::string output = temp_path(name + "_reference.json");
  write_file(input, Json(corpus).dump());
  ASSERT_EQ(run_reference("encode", dir, input, output), 0) << "the reference encoder failed";
  Json ref = privtune::core::read_json_file(output);
  ASSERT_EQ(ref.size(), corpus.size());

  // Without a Unicode normaliser, decoding must give the text back exactly.
  Json root = privtune::core::read_json_file(dir + "/tokenizer.json");
  bool invertible = !root.contains("normalizer") || root["normalizer"].is_null() ||
                    root["normalizer"].value("type", "") == "Replace";
  size_t failures = 0, round_trip_failures = 0;
  std::set<std::string> categories_seen;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const std::string& text = corpus[i];
    categories_seen.insert(sample_categories()[i % sample_categories().size()]);
    std::vector<int32_t> want = ref[i]["ids"].get<std::vector<int32_t>>();
    std::vector<int32_t> want_plain = ref[i]["plain"].get<std::vector<int32_t>>();
    Encoding got = tok.encode(text, true);
    Encoding got_plain = tok.encode(text, false);
    std::string decoded = tok.decode(got.ids, false);
    std::string decoded_skip = tok.decode(got.ids, true);
    bool ok = got.ids == want && got_plain.ids == want_plain && decoded == ref[i]["decoded"].get<std::string>() &&
              decoded_skip == ref[i]["decoded_skip"].get<std::string>();
    if (!ok && ++failures <= 8) {
      ADD_FAILURE() << name << " string " << i << " (" << sample_categories()[i % sample_categories().size()]
                    << "): " << Json(text).dump() << "\n  privtune:  " << show(got.ids)
                    << "\n  reference: " << show(want) << "\n  plain equal: " << (got_plain.ids == want_plain)
                    << "\n  decoded:   " << Json(decoded).dump()
                    << "\n  reference: " << ref[i]["decoded"].dump()
                    << "\n  skip ok:   " << (decoded_skip == ref[i]["decoded_skip"].get<std::string>());
    }
    if (invertible && tok.decode(got_plain.ids, false) != text && ++round_trip_failures <= 4) {
      ADD_FAILURE() << name << " string " << i << " does not decode to itself: " << Json(text).dump() << " -> "
                    << Json(tok.decode(got_plain.ids, false)).dump();
    }
    // Offsets: inside the text, non-decreasing, and every character covered by some token
    // (none of these tokenizers drops characters).
    int64_t length = static_cast<int64_t>(utf8::count_code_points(text));
    std::vector<uint8_t> covered(static_cast<size_t>(length), 0);
    int64_t last_start = 0;
    for (size_t k = 0; k < got.size(); ++k) {
      auto [b, e] = got.offsets[k];
      if (got.special[k] && b == 0 && e == 0) continue;
      ASSERT_LE(0, b);
      ASSERT_LE(b, e);
      ASSERT_LE(e, length) << name << " string " << i;
      ASSERT_LE(last_start, b) << name << " string " << i << " token " << k;
      last_start = b;
      for (int64_t c = b; c < e; ++c) covered[static_cast<size_t>(c)] = 1;
    }
    // (Whitespace may be left out: trim_offsets drops it from the offsets of byte-level tokens.)
    size_t pos = 0;
    for (int64_t c = 0; c < length; ++c) {
      char32_t cp = utf8::decode(text, pos);
      if (!utf8::is_whitespace(cp)) {
        ASSERT_TRUE(covered[static_cast<size_t>(c)]) << name << " string " << i << ": character " << c << " has no token";
      }
    }
  }
  EXPECT_EQ(failures, 0u) << name << ": " << failures << " of " << corpus.size() << " strings differ";
  EXPECT_EQ(categories_seen.size(), sample_categories().size());
}

void cross_check_npm(const std::string& name) { cross_check(name, npm_tokenizer_dir(name), npm_tokenizer(name)); }

// A tokenizer built in the test, written to a folder the reference encoder can read.
void cross_check_built(const std::string& name, const Json& tokenizer_json) {
  std::string dir = temp_path(name);
  std::filesystem::create_directories(dir);
  write_file(dir + "/tokenizer.json", tokenizer_json.dump());
  cross_check(name, dir, Tokenizer::from_folder(dir));
}

TEST(ReferenceJs, Llama3) {
  PRIVTUNE_REQUIRE_NPM("llama3");
  cross_check_npm("llama3");
}

TEST(ReferenceJs, Qwen3) {
  PRIVTUNE_REQUIRE_NPM("qwen3");
  cross_check_npm("qwen3");
}

TEST(ReferenceJs, Gemma3) {
  PRIVTUNE_REQUIRE_NPM("gemma3");
  cross_check_npm("gemma3");
}

TEST(ReferenceJs, NeoxStyleByteLevel) {
  PRIVTUNE_REQUIRE_NPM();
  cross_check_built("neox_style", neox_style_json());
}

TEST(ReferenceJs, TrainedByteLevelBpe) {
  PRIVTUNE_REQUIRE_NPM();
  TrainerOptions o;
  o.vocab_size = 2000;
  o.special_tokens = {"<|endoftext|>", "<|pad|>"};
  Json trained = Json::parse(train_byte_level_bpe_on_texts(sample_documents(1000000, 11), o));
  cross_check_built("trained_bpe", trained);
}

TEST(ReferenceJs, Llama2StyleByteFallback) {
  PRIVTUNE_REQUIRE_NPM();
  cross_check_built("llama2_style", llama2_style_json());
}

}  // namespace
