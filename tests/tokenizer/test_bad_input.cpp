// Malformed tokenizer.json files and invalid text: a privtune::Error with a one-line message
// naming the file and component, never a crash.
#include <gtest/gtest.h>

#include <filesystem>

#include "npm_reference.h"
#include "privtune/core/error.h"
#include "small_tokenizers.h"

namespace {

using namespace privtune::tokenizer;
using namespace privtune::tokenizer::testing;
using privtune::Error;

// Expects loading to fail with a single-line message containing every needle.
void expect_rejected(const std::string& text, std::vector<std::string> needles) {
  try {
    Tokenizer::from_json_text(text, "", "bad/tokenizer.json");
    ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const auto& n : needles) EXPECT_NE(msg.find(n), std::string::npos) << "'" << n << "' not in: " << msg;
  }
}

TEST(BadInput, UnknownComponentTypes) {
  Json j = llama2_style_json();
  j["model"]["type"] = "Unigram";
  expect_rejected(j.dump(), {"bad/tokenizer.json", "model", "Unigram"});
  j = llama2_style_json();
  j["normalizer"] = Json{{"type", "Frobnicate"}};
  expect_rejected(j.dump(), {"bad/tokenizer.json", "normalizer", "Frobnicate"});
  j = llama2_style_json();
  j["pre_tokenizer"] = Json{{"type", "Sequence"}, {"pretokenizers", Json::array({Json{{"type", "Nope"}}})}};
  expect_rejected(j.dump(), {"pre_tokenizer.pretokenizers[0]", "Nope"});
  j = llama2_style_json();
  j["decoder"] = Json{{"type", "CTC"}};
  expect_rejected(j.dump(), {"decoder", "CTC"});
  j = llama2_style_json();
  j["post_processor"] = Json{{"type", "RobertaProcessing"}};
  expect_rejected(j.dump(), {"post_processor", "RobertaProcessing"});
  j = llama2_style_json();
  j["pre_tokenizer"] = Json{{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Sideways"}};
  expect_rejected(j.dump(), {"pre_tokenizer", "Sideways"});
  j = llama2_style_json();
  j["pre_tokenizer"] = Json{{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
  expect_rejected(j.dump(), {"pre_tokenizer", "invalid regex"});
}

TEST(BadInput, VocabAndMerges) {
  Json j = llama2_style_json();
  j["model"].erase("vocab");
  expect_rejected(j.dump(), {"bad/tokenizer.json", "model", "vocab", "missing"});
  j = llama2_style_json();
  j["model"]["vocab"] = Json::array();
  expect_rejected(j.dump(), {"model.vocab"});
  j = llama2_style_json();
  j["model"]["vocab"]["x"] = "seven";
  expect_rejected(j.dump(), {"model.vocab", "'x'"});
  j = llama2_style_json();
  j["model"]["vocab"]["huge"] = 2000000000;
  expect_rejected(j.dump(), {"model.vocab", "'huge'"});
  j = llama2_style_json();
  j["model"]["merges"].push_back(Json::array({"\u2581Hello", "zzz"}));
  expect_rejected(j.dump(), {"model.merges[", "'zzz'", "not in the vocab"});
  j = llama2_style_json();
  j["model"]["merges"].push_back("onlyone");
  expect_rejected(j.dump(), {"model.merges[", "onlyone"});
  j = llama2_style_json();
  j["model"]["merges"].push_back(Json::array({"a", "b"}));  // "ab" is not in the vocab
  expect_rejected(j.dump(), {"model.merges[", "'ab'"});
  j = llama2_style_json();
  j["model"]["dropout"] = 0.1;
  expect_rejected(j.dump(), {"dropout"});
  j = llama2_style_json();
  j["post_processor"]["special_tokens"] = Json::object();
  expect_rejected(j.dump(), {"post_processor", "<s>"});
  j = llama2_style_json();
  j["added_tokens"].push_back(Json{{"content", "x"}});
  expect_rejected(j.dump(), {"added_tokens[3]", "id"});
}

TEST(BadInput, NotJson) {
  expect_rejected("{\"model\": ", {"bad/tokenizer.json", "invalid JSON"});
  expect_rejected("[1, 2]", {"bad/tokenizer.json"});
  expect_rejected("{}", {"bad/tokenizer.json", "model"});
}

TEST(BadInput, Files) {
  EXPECT_THROW(Tokenizer::from_file("/nonexistent/tokenizer.json"), Error);
  EXPECT_THROW(Tokenizer::from_folder("/nonexistent"), Error);
  std::string dir = temp_path("bad_config");
  std::filesystem::create_directories(dir);
  write_file(dir + "/tokenizer.json", llama2_style_json().dump());
  write_file(dir + "/tokenizer_config.json", R"({"bos_token": "<nope>"})");
  try {
    Tokenizer::from_folder(dir);
    ADD_FAILURE() << "accepted an unknown bos_token";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer_config.json"), std::string::npos) << e.what();
  }
  write_file(dir + "/tokenizer_config.json", R"({"bos_token": "<s>", "eos_token": {"content": "</s>"}})");
  Tokenizer t = Tokenizer::from_path(dir);
  EXPECT_EQ(t.bos_id(), 1);
  EXPECT_EQ(t.eos_id(), 2);
}

TEST(BadInput, InvalidUtf8TextIsRejected) {
  Tokenizer t = load(neox_style_json());
  for (std::string bad : {std::string("abc\xFF"), std::string("\xC3"), std::string("a\xC0\xAF"),
                          std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80")}) {
    try {
      t.encode(bad);
      ADD_FAILURE() << "accepted invalid UTF-8";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("not valid UTF-8"), std::string::npos);
    }
  }
  EXPECT_NO_THROW(t.encode(std::string("nul\0inside", 10)));
}

TEST(BadInput, EmptyTokenizerObject) {
  Tokenizer t;
  EXPECT_FALSE(t.loaded());
  EXPECT_THROW(t.encode("x"), Error);
}

}  // namespace
