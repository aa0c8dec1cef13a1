// Loading tokenizer.json and tokenizer_config.json into a Tokenizer.
#include <algorithm>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/json_util.h"
#include "privtune/tokenizer/tokenizer.h"
#include "privtune/tokenizer/tokenizer_impl.h"

namespace privtune::tokenizer {

namespace {

using core::Json;

const Json& section(const Json& root, const char* key) {
  static const Json null_json;
  auto it = root.find(key);
  return it == root.end() ? null_json : *it;
}

std::vector<AddedToken> parse_added_tokens(const Json& list, const std::string& where) {
  std::vector<AddedToken> out;
  if (list.is_null()) return out;
  if (!list.is_array()) throw Error(where + ": expected an array");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    const Json& item = list[i];
    if (!item.is_object()) throw Error(at + ": expected an object");
    AddedToken t;
    int64_t id = core::json_require<int64_t>(item, "id", at);
    if (id < 0 || id >= (int64_t{1} << 24)) throw Error(at + ": invalid id " + std::to_string(id));
    t.id = static_cast<int32_t>(id);
    t.content = core::json_require<std::string>(item, "content", at);
    t.special = core::json_value<bool>(item, "special", false, at);
    t.single_word = core::json_value<bool>(item, "single_word", false, at);
    t.lstrip = core::json_value<bool>(item, "lstrip", false, at);
    t.rstrip = core::json_value<bool>(item, "rstrip", false, at);
    t.normalized = core::json_value<bool>(item, "normalized", !t.special, at);
    out.push_back(std::move(t));
  }
  return out;
}

// bos_token and friends are a string, an AddedToken object {"content": ...} or null.
std::optional<std::string> config_token(const Json& config, const std::string& key, const std::string& where) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) return core::json_require<std::string>(*it, "content", where + "." + key);
  throw Error(where + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

Tokenizer Tokenizer::from_json_text(const std::string& tokenizer_json, const std::string& config_json,
                                    const std::string& name) {
  Json root = core::parse_json(tokenizer_json, name);
  if (!root.is_object()) throw Error(name + ": expected a JSON object");
  auto impl = std::make_shared<TokenizerImpl>();
  impl->source = name;

  const Json& model = section(root, "model");
  if (!model.is_object()) throw Error(name + ": model: key 'model' is missing or not an object");
  std::string type = core::json_value<std::string>(model, "type", "", name + ": model");
  if (type.empty() && !model.contains("merges")) throw Error(name + ": model: unsupported model (no type and no merges)");
  if (!type.empty() && type != "BPE") throw Error(name + ": model: unsupported model type '" + type + "'");
  impl->model = BpeModel::from_json(model, name + ": model");

  impl->normalizer = make_normalizer(section(root, "normalizer"), name + ": normalizer");
  impl->pre_tokenizer = make_pre_tokenizer(section(root, "pre_tokenizer"), name + ": pre_tokenizer");
  impl->post_processor = make_post_processor(section(root, "post_processor"), name + ": post_processor");
  impl->decoder = make_decoder(section(root, "decoder"), name + ": decoder");
  for (const AddedToken& t : parse_added_tokens(section(root, "added_tokens"), name + ": added_tokens"))
    impl->added.add(t);
  impl->added.build(impl->normalizer.get());

  int32_t limit = impl->model->id_limit();
  for (const AddedToken& t : impl->added.tokens()) limit = std::max(limit, t.id + 1);
  impl->vocab_limit = limit;

  Tokenizer tok(impl);
  if (!config_json.empty()) {
    std::string where = name + " (tokenizer_config.json)";
    Json config = core::parse_json(config_json, where);
    if (!config.is_object()) throw Error(where + ": expected a JSON object");
    auto resolve = [&](const char* key) -> std::optional<int32_t> {
      auto token = config_token(config, key, where);
      if (!token) return std::nullopt;
      auto id = tok.token_to_id(*token);
      if (!id) throw Error(where + ": " + key + " '" + *token + "' is not in the vocabulary");
      return id;
    };
    impl->bos = resolve("bos_token");
    impl->eos = resolve("eos_token");
    impl->pad = resolve("pad_token");
    impl->clean_up_spaces = core::json_value<bool>(config, "clean_up_tokenization_spaces", false, where);
    // transformers' Llama and Gemma fast tokenizers rebuild the post-processor from
    // add_bos_token / add_eos_token when they load, so those flags decide the special tokens.
    std::string cls = core::json_value<std::string>(config, "tokenizer_class", "", where);
    if (starts_with(cls, "LlamaTokenizer") || starts_with(cls, "GemmaTokenizer") ||
        starts_with(cls, "CodeLlamaTokenizer")) {
      bool add_bos = core::json_value<bool>(config, "add_bos_token", true, where);
      bool add_eos = core::json_value<bool>(config, "add_eos_token", false, where);
      if (add_bos && !impl->bos) throw Error(where + ": add_bos_token is true but there is no bos_token");
      if (add_eos && !impl->eos) throw Error(where + ": add_eos_token is true but there is no eos_token");
      impl->post_processor = make_bos_eos_template(add_bos ? *impl->bos : -1, add_eos ? *impl->eos : -1);
    }
  }
  return tok;
}

Tokenizer Tokenizer::from_file(const std::string& tokenizer_json_path) {
  std::string text = core::read_text_file(tokenizer_json_path);
  std::string folder = ".";
  size_t slash = tokenizer_json_path.rfind('/');
  if (slash != std::string::npos) folder = tokenizer_json_path.substr(0, slash);
  std::string config_path = core::join_path(folder, "tokenizer_config.json");
  std::string config;
  if (core::path_exists(config_path) && !core::is_directory(config_path)) config = core::read_text_file(config_path);
  return from_json_text(text, config, tokenizer_json_path);
}

Tokenizer Tokenizer::from_folder(const std::string& dir) {
  std::string path = core::join_path(dir, "tokenizer.json");
  if (!core::path_exists(path)) throw Error(dir + ": no tokenizer.json in this folder");
  return from_file(path);
}

Tokenizer Tokenizer::from_path(const std::string& path) {
  if (!core::path_exists(path)) throw Error(path + ": no such file or folder");
  return core::is_directory(path) ? from_folder(path) : from_file(path);
}

}  // namespace privtune::tokenizer
