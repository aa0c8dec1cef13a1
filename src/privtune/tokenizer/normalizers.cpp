#include "privtune/tokenizer/normalizers.h"

#include <utf8proc.h>

#include <cstdlib>
#include <vector>

#include "privtune/core/error.h"
#include "privtune/tokenizer/pattern.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

namespace {

using core::Json;

enum class Form { NFC, NFD, NFKC, NFKD };

// utf8proc in one of the four Unicode normalisation forms; `ok` is false when utf8proc
// rejects the input (it cannot for valid UTF-8, but it is never trusted blindly).
std::string unicode_normalize(std::string_view text, Form form, bool* ok) {
  int options = UTF8PROC_STABLE;
  switch (form) {
    case Form::NFC: options |= UTF8PROC_COMPOSE; break;
    case Form::NFD: options |= UTF8PROC_DECOMPOSE; break;
    case Form::NFKC: options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
    case Form::NFKD: options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
  }
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &out,
                                    static_cast<utf8proc_option_t>(options));
  if (n < 0) {
    *ok = false;
    return std::string(text);
  }
  *ok = true;
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(Form form) : form_(form) {
    // Characters below this bound are unchanged by the form and never combine with what
    // precedes them, so only runs of characters at or above it need utf8proc.
    switch (form) {
      case Form::NFC: safe_below_ = 0x300; break;   // no composition involves a later char below U+0300
      case Form::NFD: safe_below_ = 0xC0; break;    // first canonical decomposition: U+00C0
      case Form::NFKC:
      case Form::NFKD: safe_below_ = 0xA0; break;   // first compatibility decomposition: U+00A0
    }
  }

  void normalize(NormalizedString& s) const override {
    std::string_view text = s.text();
    struct Region {
      size_t begin, end;
      std::string normalized;
    };
    std::vector<Region> changed;
    size_t i = 0, prev_begin = std::string_view::npos;
    while (i < text.size()) {
      if (static_cast<uint8_t>(text[i]) < 0x80) {
        prev_begin = i++;
        continue;
      }
      size_t b = i;
      char32_t cp = utf8::decode(text, i);
      if (cp < safe_below_) {
        prev_begin = b;
        continue;
      }
      // A run of characters that may change, with the safe character before it (which a
      // combining mark may compose with).
      size_t region_begin = prev_begin == std::string_view::npos ? b : prev_begin;
      size_t e = i;
      while (e < text.size()) {
        size_t k = e;
        if (utf8::decode(text, k) < safe_below_) break;
        e = k;
      }
      bool ok = false;
      std::string_view piece = text.substr(region_begin, e - region_begin);
      std::string normalized = unicode_normalize(piece, form_, &ok);
      if (ok && normalized != piece) changed.push_back({region_begin, e, std::move(normalized)});
      i = e;
      prev_begin = std::string_view::npos;
    }
    if (changed.empty()) return;

    NormalizedString::Builder out;
    out.text.reserve(text.size() + 16);
    size_t pos = 0;
    for (const Region& r : changed) {
      copy_chars(s, pos, r.begin, out);
      append_region(s, r.begin, r.end, r.normalized, out);
      pos = r.end;
    }
    copy_chars(s, pos, text.size(), out);
    s.assign(std::move(out));
  }

 private:
  // Unchanged characters keep their own alignment.
  static void copy_chars(const NormalizedString& s, size_t begin, size_t end, NormalizedString::Builder& out) {
    std::string_view text = s.text();
    size_t i = begin;
    while (i < end) {
      size_t b = i;
      i += utf8::sequence_length(static_cast<uint8_t>(text[i]));
      out.append(text.substr(b, i - b), s.original_range(b, i));
    }
  }

  // The normalised text of [begin, end) is built in groups of characters that normalise
  // independently (a starter and the marks that follow it, merged further whenever
  // normalising two groups apart differs from normalising them together, as for Hangul
  // jamo). Each output character maps to its group's original characters, or 1:1 when the
  // group is unchanged.
  void append_region(const NormalizedString& s, size_t begin, size_t end, const std::string& whole,
                     NormalizedString::Builder& out) const {
    std::string_view text = s.text();
    struct Char {
      size_t begin, end;
      OriginalRange range;
      bool starter;
    };
    std::vector<Char> chars;
    for (size_t i = begin; i < end;) {
      size_t b = i;
      char32_t cp = utf8::decode(text, i);
      const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
      chars.push_back({b, i, s.original_range(b, i), p->combining_class == 0});
    }
    auto norm = [&](size_t from, size_t to) {
      bool ok = false;
      return unicode_normalize(text.substr(from, to - from), form_, &ok);
    };
    std::vector<std::pair<size_t, size_t>> groups;  // char index ranges
    size_t g_begin = 0;
    for (size_t i = 1; i <= chars.size(); ++i) {
      if (i < chars.size() && !chars[i].starter) continue;
      if (i < chars.size()) {
        size_t next_end = i + 1;
        while (next_end < chars.size() && !chars[next_end].starter) ++next_end;
        size_t a = chars[g_begin].begin, m = chars[i].begin, z = chars[next_end - 1].end;
        if (norm(a, m) + norm(m, z) != norm(a, z)) continue;  // merge into this group
      }
      groups.push_back({g_begin, i});
      g_begin = i;
    }
    NormalizedString::Builder region;
    for (auto [gb, ge] : groups) {
      size_t a = chars[gb].begin, z = chars[ge - 1].end;
      std::string normalized = norm(a, z);
      if (normalized == text.substr(a, z - a)) {
        for (size_t k = gb; k < ge; ++k) region.append(text.substr(chars[k].begin, chars[k].end - chars[k].begin), chars[k].range);
        continue;
      }
      OriginalRange r = chars[gb].range;
      for (size_t k = gb; k < ge; ++k) {
        r.begin = std::min(r.begin, chars[k].range.begin);
        r.end = std::max(r.end, chars[k].range.end);
      }
      region.append(normalized, r);
    }
    if (region.text != whole) {
      // Grouping did not reproduce the result for the whole run (should not happen): keep
      // the exact text, aligned to the whole run.
      region = NormalizedString::Builder();
      region.append(whole, s.original_range(begin, end));
    }
    out.text += region.text;
    out.align.insert(out.align.end(), region.align.begin(), region.align.end());
  }

  Form form_;
  char32_t safe_below_ = 0;
};

class Replace : public Normalizer {
 public:
  Replace(Pattern pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void normalize(NormalizedString& s) const override { replace_in(s, pattern_, content_); }

 private:
  Pattern pattern_;
  std::string content_;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(NormalizedString& s) const override { s.prepend(prefix_); }

 private:
  std::string prefix_;
};

class Lowercase : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    bool changed = false;
    s.for_each_char([&](char32_t cp, size_t, size_t, OriginalRange) {
      if (!changed && lower(cp) != cp) changed = true;
    });
    if (!changed) return;
    NormalizedString::Builder out;
    s.for_each_char([&](char32_t cp, size_t, size_t, OriginalRange r) {
      if (cp == 0x130) {  // the one unconditional one-to-two lowercase mapping (İ -> i + U+0307)
        out.append_code_point('i', r);
        out.append_code_point(0x307, r);
      } else {
        out.append_code_point(lower(cp), r);
      }
    });
    s.assign(std::move(out));
  }

 private:
  static char32_t lower(char32_t cp) {
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp == 0x130) return 0x69;  // marks a change; expanded above
    return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
  }
};

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override {
    std::vector<std::pair<size_t, size_t>> spans;  // byte ranges of characters
    std::vector<bool> space;
    s.for_each_char([&](char32_t cp, size_t b, size_t e, OriginalRange) {
      spans.push_back({b, e});
      space.push_back(utf8::is_whitespace(cp));
    });
    size_t first = 0, last = spans.size();
    if (left_)
      while (first < last && space[first]) ++first;
    if (right_)
      while (last > first && space[last - 1]) --last;
    if (first == 0 && last == spans.size()) return;
    if (first == last) {
      s = s.slice(0, 0);
      return;
    }
    s = s.slice(spans[first].first, spans[last - 1].second);
  }

 private:
  bool left_, right_;
};

class StripAccents : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    NormalizedString::Builder out;
    bool changed = false;
    s.for_each_char([&](char32_t cp, size_t, size_t, OriginalRange r) {
      if (utf8::is_nonspacing_mark(cp)) {
        changed = true;
      } else {
        out.append_code_point(cp, r);
      }
    });
    if (changed) s.assign(std::move(out));
  }
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> items) : items_(std::move(items)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& n : items_) n->normalize(s);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> items_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const Json& config, const std::string& where) {
  if (config.is_null()) return nullptr;
  if (!config.is_object()) throw Error(where + ": expected an object");
  std::string type = core::json_require<std::string>(config, "type", where);
  std::string at = where + " (" + type + ")";
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(Form::NFC);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(Form::NFD);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(Form::NFKC);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(Form::NFKD);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Prepend") return std::make_unique<Prepend>(core::json_require<std::string>(config, "prepend", at));
  if (type == "Strip") {
    return std::make_unique<Strip>(core::json_value<bool>(config, "strip_left", true, at),
                                   core::json_value<bool>(config, "strip_right", true, at));
  }
  if (type == "Replace") {
    auto pattern = make_pattern(core::json_require<Json>(config, "pattern", at), at + ".pattern");
    return std::make_unique<Replace>(std::move(pattern), core::json_require<std::string>(config, "content", at));
  }
  if (type == "Sequence") {
    Json list = core::json_require<Json>(config, "normalizers", at);
    if (!list.is_array()) throw Error(at + ": key 'normalizers' has the wrong type (" + std::string(list.type_name()) + ")");
    std::vector<std::unique_ptr<Normalizer>> items;
    for (size_t i = 0; i < list.size(); ++i) {
      auto n = make_normalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]");
      if (n) items.push_back(std::move(n));
    }
    return std::make_unique<Sequence>(std::move(items));
  }
  throw Error(where + ": unsupported normalizer type '" + type + "'");
}

}  // namespace privtune::tokenizer
