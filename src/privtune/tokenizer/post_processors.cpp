#include "privtune/tokenizer/post_processors.h"

#include "privtune/core/error.h"
#include "privtune/tokenizer/byte_level.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

namespace {

using core::Json;

class Template : public PostProcessor {
 public:
  // One item of the single-sequence template: the sequence itself, or special-token ids.
  struct Item {
    bool sequence = false;
    std::vector<int32_t> ids;
  };
  explicit Template(std::vector<Item> single) : single_(std::move(single)) {}

  void process(Encoding& e, bool add_special_tokens, const TokenText&) const override {
    if (!add_special_tokens) return;
    Encoding out;
    for (const Item& item : single_) {
      if (item.sequence) {
        out.ids.insert(out.ids.end(), e.ids.begin(), e.ids.end());
        out.offsets.insert(out.offsets.end(), e.offsets.begin(), e.offsets.end());
        out.special.insert(out.special.end(), e.special.begin(), e.special.end());
        continue;
      }
      for (int32_t id : item.ids) {
        out.ids.push_back(id);
        out.offsets.push_back({0, 0});
        out.special.push_back(1);
      }
    }
    e = std::move(out);
  }

 private:
  std::vector<Item> single_;
};

class ByteLevelPost : public PostProcessor {
 public:
  ByteLevelPost(bool trim_offsets, bool add_prefix_space) : trim_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  // With trim_offsets, the spaces a token starts or ends with are left out of its offsets
  // (except the one space add_prefix_space put before the first word).
  void process(Encoding& e, bool, const TokenText& text) const override {
    if (!trim_) return;
    size_t k0 = 0;
    const char32_t space_cp = utf8::decode(byte_level::char_of(' '), k0);  // 'Ġ'
    auto is_space = [&](char32_t c) { return c == space_cp || utf8::is_whitespace(c); };
    for (size_t i = 0; i < e.size(); ++i) {
      if (e.special[i] && e.offsets[i] == std::pair<int64_t, int64_t>{0, 0}) continue;
      std::string t = text(e.ids[i]);
      std::vector<char32_t> cps;
      size_t k = 0;
      while (k < t.size()) cps.push_back(utf8::decode(t, k));
      int64_t leading = 0, trailing = 0;
      while (leading < static_cast<int64_t>(cps.size()) && is_space(cps[leading])) ++leading;
      while (trailing < static_cast<int64_t>(cps.size()) && is_space(cps[cps.size() - 1 - trailing])) ++trailing;
      auto& [b, en] = e.offsets[i];
      if (leading > 0) {
        bool is_first = i == 0 || b == 0;
        if (is_first && add_prefix_space_ && leading == 1) leading = 0;
        b = std::min(b + leading, en);
      }
      if (trailing > 0 && en >= trailing) en = std::max(en - trailing, b);
    }
  }

 private:
  bool trim_;
  bool add_prefix_space_;
};

class SequencePost : public PostProcessor {
 public:
  explicit SequencePost(std::vector<std::unique_ptr<PostProcessor>> items) : items_(std::move(items)) {}
  void process(Encoding& e, bool add_special_tokens, const TokenText& text) const override {
    for (const auto& p : items_) p->process(e, add_special_tokens, text);
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> items_;
};

// The special_tokens table of a TemplateProcessing: name -> ids.
std::vector<int32_t> special_ids(const Json& table, const std::string& name, const std::string& where) {
  if (!table.is_object() || !table.contains(name))
    throw Error(where + ": template names special token '" + name + "' missing from special_tokens");
  const Json& entry = table[name];
  auto ids = core::json_require<std::vector<int64_t>>(entry, "ids", where + ".special_tokens['" + name + "']");
  std::vector<int32_t> out;
  for (int64_t id : ids) {
    if (id < 0 || id > 0x7fffffff) throw Error(where + ": special token '" + name + "' has an invalid id");
    out.push_back(static_cast<int32_t>(id));
  }
  return out;
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const Json& config, const std::string& where) {
  if (config.is_null()) return nullptr;
  if (!config.is_object()) throw Error(where + ": expected an object");
  std::string type = core::json_require<std::string>(config, "type", where);
  std::string at = where + " (" + type + ")";
  if (type == "TemplateProcessing") {
    Json single = core::json_require<Json>(config, "single", at);
    Json table = core::json_value<Json>(config, "special_tokens", Json::object(), at);
    std::vector<Template::Item> items;
    auto add_piece = [&](const std::string& piece) {
      // String form "<s>:0", "$A:0", "$B", "$0"...
      std::string name = piece.substr(0, piece.rfind(':') == std::string::npos ? piece.size() : piece.rfind(':'));
      if (!name.empty() && name[0] == '$') {
        if (name == "$A" || name == "$" || name == "$0") items.push_back({true, {}});
        return;  // $B only appears in pair templates
      }
      items.push_back({false, special_ids(table, name, at)});
    };
    if (single.is_string()) {
      std::string s = single.get<std::string>();
      size_t pos = 0;
      while (pos < s.size()) {
        size_t sp = s.find(' ', pos);
        if (sp == std::string::npos) sp = s.size();
        if (sp > pos) add_piece(s.substr(pos, sp - pos));
        pos = sp + 1;
      }
    } else if (single.is_array()) {
      for (size_t i = 0; i < single.size(); ++i) {
        const Json& item = single[i];
        std::string item_at = at + ".single[" + std::to_string(i) + "]";
        if (item.contains("Sequence")) {
          std::string id = core::json_require<std::string>(item["Sequence"], "id", item_at);
          if (id == "A") items.push_back({true, {}});
          else if (id != "B") throw Error(item_at + ": unknown sequence '" + id + "'");
        } else if (item.contains("SpecialToken")) {
          std::string id = core::json_require<std::string>(item["SpecialToken"], "id", item_at);
          items.push_back({false, special_ids(table, id, at)});
        } else {
          throw Error(item_at + ": expected Sequence or SpecialToken");
        }
      }
    } else {
      throw Error(at + ": key 'single' has the wrong type");
    }
    return std::make_unique<Template>(std::move(items));
  }
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelPost>(core::json_value<bool>(config, "trim_offsets", true, at),
                                           core::json_value<bool>(config, "add_prefix_space", true, at));
  }
  if (type == "Sequence") {
    Json list = core::json_require<Json>(config, "processors", at);
    if (!list.is_array()) throw Error(at + ": key 'processors' has the wrong type");
    std::vector<std::unique_ptr<PostProcessor>> items;
    for (size_t i = 0; i < list.size(); ++i) {
      auto p = make_post_processor(list[i], where + ".processors[" + std::to_string(i) + "]");
      if (p) items.push_back(std::move(p));
    }
    return std::make_unique<SequencePost>(std::move(items));
  }
  throw Error(where + ": unsupported post_processor type '" + type + "'");
}

std::unique_ptr<PostProcessor> make_bos_eos_template(int32_t bos_id, int32_t eos_id) {
  std::vector<Template::Item> items;
  if (bos_id >= 0) items.push_back({false, {bos_id}});
  items.push_back({true, {}});
  if (eos_id >= 0) items.push_back({false, {eos_id}});
  return std::make_unique<Template>(std::move(items));
}

}  // namespace privtune::tokenizer
