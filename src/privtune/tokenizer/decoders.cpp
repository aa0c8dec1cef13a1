#include "privtune/tokenizer/decoders.h"

#include "privtune/core/error.h"
#include "privtune/tokenizer/byte_level.h"
#include "privtune/tokenizer/pattern.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

namespace {

using core::Json;

// All tokens' bytes joined, then decoded as UTF-8 with U+FFFD for invalid sequences; a token
// with characters outside the byte map contributes its own UTF-8 bytes.
class ByteLevelDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const std::string& t : tokens)
      if (!byte_level::decode(t, bytes)) bytes += t;
    tokens.assign(1, utf8::to_valid_lossy(bytes));
  }
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool strip_first) : replacement_(replacement), strip_first_(strip_first) {}
  // Replacement characters become spaces, except in the first token when a prefix was
  // prepended at encoding (the reference drops them there).
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string& t = tokens[i];
      std::string out;
      size_t k = 0;
      while (k < t.size()) {
        size_t b = k;
        char32_t cp = utf8::decode(t, k);
        if (cp == replacement_) {
          if (!(i == 0 && strip_first_)) out.push_back(' ');
        } else {
          out.append(t, b, k - b);
        }
      }
      tokens[i] = std::move(out);
    }
  }

 private:
  char32_t replacement_;
  bool strip_first_;
};

// Runs of <0xXX> tokens become the text their bytes spell; an invalid run becomes one U+FFFD
// per byte, as in the reference.
class ByteFallbackDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string run;
    size_t run_len = 0;
    auto flush = [&] {
      if (run_len == 0) return;
      if (utf8::find_invalid(run) == std::string::npos) {
        out.push_back(run);
      } else {
        for (size_t i = 0; i < run_len; ++i) out.push_back("\xEF\xBF\xBD");
      }
      run.clear();
      run_len = 0;
    };
    for (std::string& t : tokens) {
      int byte = parse(t);
      if (byte >= 0) {
        run.push_back(static_cast<char>(byte));
        ++run_len;
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens.swap(out);
  }

 private:
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  static int parse(const std::string& t) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
    int hi = hex(t[3]), lo = hex(t[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }
};

class FuseDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const std::string& t : tokens) all += t;
    tokens.assign(1, std::move(all));
  }
};

// Removes up to `start` leading and `stop` trailing copies of one character from each token.
class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      std::vector<std::pair<size_t, char32_t>> cps;  // byte offset, code point
      size_t k = 0;
      while (k < t.size()) {
        size_t b = k;
        cps.push_back({b, utf8::decode(t, k)});
      }
      size_t cut_start = 0;
      for (size_t i = 0; i < start_ && i < cps.size() && cps[i].second == content_; ++i) cut_start = i + 1;
      size_t cut_stop = cps.size();
      for (size_t i = 0; i < stop_ && i < cps.size(); ++i) {
        size_t index = cps.size() - 1 - i;
        if (cps[index].second != content_) break;
        cut_stop = index;
      }
      if (cut_stop <= cut_start) {
        t.clear();
        continue;
      }
      size_t b = cut_start < cps.size() ? cps[cut_start].first : t.size();
      size_t e = cut_stop < cps.size() ? cps[cut_stop].first : t.size();
      t = t.substr(b, e - b);
    }
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(Pattern pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) t = replace_all(t, pattern_, content_);
  }

 private:
  Pattern pattern_;
  std::string content_;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> items) : items_(std::move(items)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& d : items_) d->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> items_;
};

char32_t single_char(const std::string& s, const std::string& key, const std::string& where) {
  if (s.empty() || utf8::count_code_points(s) != 1) throw Error(where + ": '" + key + "' must be one character");
  size_t i = 0;
  return utf8::decode(s, i);
}

}  // namespace

std::unique_ptr<Decoder> make_decoder(const Json& config, const std::string& where) {
  if (config.is_null()) return nullptr;
  if (!config.is_object()) throw Error(where + ": expected an object");
  std::string type = core::json_require<std::string>(config, "type", where);
  std::string at = where + " (" + type + ")";
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Metaspace") {
    char32_t rep = single_char(core::json_value<std::string>(config, "replacement", "\u2581", at), "replacement", at);
    std::string scheme = core::json_value<std::string>(config, "prepend_scheme", "always", at);
    bool prefix = scheme != "never";
    if (config.contains("add_prefix_space") && !core::json_value<bool>(config, "add_prefix_space", true, at)) prefix = false;
    return std::make_unique<MetaspaceDecoder>(rep, prefix);
  }
  if (type == "Strip") {
    char32_t content = single_char(core::json_require<std::string>(config, "content", at), "content", at);
    return std::make_unique<StripDecoder>(content, core::json_value<size_t>(config, "start", 0, at),
                                          core::json_value<size_t>(config, "stop", 0, at));
  }
  if (type == "Replace") {
    Pattern pattern = make_pattern(core::json_require<Json>(config, "pattern", at), at + ".pattern");
    return std::make_unique<ReplaceDecoder>(std::move(pattern), core::json_require<std::string>(config, "content", at));
  }
  if (type == "Sequence") {
    Json list = core::json_require<Json>(config, "decoders", at);
    if (!list.is_array()) throw Error(at + ": key 'decoders' has the wrong type");
    std::vector<std::unique_ptr<Decoder>> items;
    for (size_t i = 0; i < list.size(); ++i) {
      auto d = make_decoder(list[i], where + ".decoders[" + std::to_string(i) + "]");
      if (d) items.push_back(std::move(d));
    }
    return std::make_unique<SequenceDecoder>(std::move(items));
  }
  throw Error(where + ": unsupported decoder type '" + type + "'");
}

}  // namespace privtune::tokenizer
