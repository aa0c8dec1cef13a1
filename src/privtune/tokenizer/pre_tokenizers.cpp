#include "privtune/tokenizer/pre_tokenizers.h"

#include <algorithm>
#include <vector>

#include "privtune/core/error.h"
#include "privtune/tokenizer/byte_level.h"
#include "privtune/tokenizer/pattern.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

namespace {

using core::Json;

// A piece of a split's text and whether the pattern matched it.
struct Segment {
  size_t begin, end;
  bool match;
};

// Covers [0, len) with the matches and the gaps between them.
void segments_from_matches(const std::vector<Match>& matches, size_t len, bool invert, std::vector<Segment>& out) {
  out.clear();
  size_t prev = 0;
  for (const Match& m : matches) {
    if (m.begin > prev) out.push_back({prev, m.begin, invert});
    out.push_back({m.begin, m.end, !invert});
    prev = m.end;
  }
  if (prev < len) out.push_back({prev, len, invert});
}

// Every character for which `pred` holds is its own match; runs of the others are one gap.
template <typename Pred>
void segments_from_chars(std::string_view text, Pred pred, std::vector<Segment>& out) {
  out.clear();
  size_t i = 0, gap = 0;
  while (i < text.size()) {
    size_t b = i;
    char32_t cp = utf8::decode(text, i);
    if (pred(cp)) {
      if (b > gap) out.push_back({gap, b, false});
      out.push_back({b, i, true});
      gap = i;
    }
  }
  if (text.size() > gap) out.push_back({gap, text.size(), false});
}

// Applies a delimiter behaviour to the segments, giving the byte ranges of the new splits.
void apply_behavior(const std::vector<Segment>& segs, Behavior behavior, std::vector<std::pair<size_t, size_t>>& out) {
  out.clear();
  switch (behavior) {
    case Behavior::Isolated:
      for (const Segment& s : segs) out.push_back({s.begin, s.end});
      break;
    case Behavior::Removed:
      for (const Segment& s : segs)
        if (!s.match) out.push_back({s.begin, s.end});
      break;
    case Behavior::MergedWithPrevious: {
      bool previous_match = false;
      for (const Segment& s : segs) {
        if (s.match && !previous_match && !out.empty()) out.back().second = s.end;
        else out.push_back({s.begin, s.end});
        previous_match = s.match;
      }
      break;
    }
    case Behavior::MergedWithNext: {
      bool previous_match = false;
      for (size_t k = segs.size(); k-- > 0;) {
        const Segment& s = segs[k];
        if (s.match && !previous_match && !out.empty()) out.back().first = s.begin;
        else out.push_back({s.begin, s.end});
        previous_match = s.match;
      }
      std::reverse(out.begin(), out.end());
      break;
    }
    case Behavior::Contiguous: {
      bool previous_match = false;
      for (const Segment& s : segs) {
        if (s.match == previous_match && !out.empty()) out.back().second = s.end;
        else out.push_back({s.begin, s.end});
        previous_match = s.match;
      }
      break;
    }
  }
}

// Splits `s` at the given segments with `behavior`, appending sub-splits to `out`.
void emit(const Split& s, const std::vector<Segment>& segs, Behavior behavior, std::vector<Split>& out) {
  thread_local std::vector<std::pair<size_t, size_t>> ranges;
  apply_behavior(segs, behavior, ranges);
  for (auto [b, e] : ranges) {
    Split sub = s;
    sub.begin = static_cast<uint32_t>(s.begin + b);
    sub.end = static_cast<uint32_t>(s.begin + e);
    out.push_back(sub);
  }
}

// Split, and Whitespace (a Split with a fixed pattern). Splits still waiting for the byte
// map (after a ByteLevel pre-tokenizer in a Sequence) are mapped first, so the pattern sees
// the characters the reference sees.
class SplitPre : public PreTokenizer {
 public:
  SplitPre(Pattern pattern, Behavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}
  void pre_tokenize(PreTokenized& pt) const override {
    thread_local std::vector<Match> matches;
    thread_local std::vector<Segment> segs;
    pt.refine([&](const Split& in, std::vector<Split>& out) {
      Split s = in;
      if (s.byte_level) materialize_byte_level(pt, s);
      std::string_view text = pt.text_of(s);
      pattern_.find_all(text, matches);
      segments_from_matches(matches, text.size(), invert_, segs);
      emit(s, segs, behavior_, out);
    });
  }

 private:
  Pattern pattern_;
  Behavior behavior_;
  bool invert_;
};

class ByteLevelPre : public PreTokenizer {
 public:
  ByteLevelPre(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {
    if (use_regex_) regex_ = Regex(byte_level::kGpt2Pattern, "ByteLevel");
  }
  void pre_tokenize(PreTokenized& pt) const override {
    thread_local std::vector<Match> matches;
    thread_local std::vector<Segment> segs;
    pt.refine([&](const Split& in, std::vector<Split>& out) {
      Split s = in;
      if (s.byte_level) materialize_byte_level(pt, s);
      if (add_prefix_space_ && pt.text_of(s)[0] != ' ') {
        uint32_t index = pt.materialize(s);
        pt.strings[index].prepend(" ");
        s = Split{index, 0, static_cast<uint32_t>(pt.strings[index].size()), -1, false};
      }
      size_t first = out.size();
      if (use_regex_) {
        std::string_view text = pt.text_of(s);
        regex_.find_all(text, matches);
        segments_from_matches(matches, text.size(), false, segs);
        emit(s, segs, Behavior::Isolated, out);
      } else {
        out.push_back(s);
      }
      // The byte-to-character map is applied lazily: the BPE model reads the raw bytes.
      for (size_t k = first; k < out.size(); ++k) out[k].byte_level = true;
    });
  }

 private:
  bool add_prefix_space_;
  bool use_regex_;
  Regex regex_;
};

enum class PrependScheme { Always, Never, First };

class MetaspacePre : public PreTokenizer {
 public:
  MetaspacePre(std::string replacement, PrependScheme scheme, bool split)
      : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {}
  void pre_tokenize(PreTokenized& pt) const override {
    thread_local std::vector<Segment> segs;
    Pattern space = Pattern::literal(" ");
    char32_t rep_cp = 0;
    {
      size_t i = 0;
      rep_cp = utf8::decode(replacement_, i);
    }
    pt.refine([&](const Split& in, std::vector<Split>& out) {
      Split s = in;
      if (s.byte_level) materialize_byte_level(pt, s);
      uint32_t index = pt.materialize(s);
      NormalizedString& ns = pt.strings[index];
      replace_in(ns, space, replacement_);
      bool starts = ns.text().substr(0, replacement_.size()) == replacement_;
      if (!starts) {
        if (scheme_ == PrependScheme::Always ||
            (scheme_ == PrependScheme::First && ns.original_span().begin == 0)) {
          ns.prepend(replacement_);
        }
      }
      Split whole{index, 0, static_cast<uint32_t>(ns.size()), -1, false};
      if (!split_) {
        out.push_back(whole);
        return;
      }
      segments_from_chars(ns.text(), [&](char32_t cp) { return cp == rep_cp; }, segs);
      emit(whole, segs, Behavior::MergedWithNext, out);
    });
  }

 private:
  std::string replacement_;
  PrependScheme scheme_;
  bool split_;
};

// Digits, Punctuation and WhitespaceSplit: one predicate on characters and a behaviour.
template <typename Pred>
class CharSplitPre : public PreTokenizer {
 public:
  CharSplitPre(Pred pred, Behavior behavior) : pred_(pred), behavior_(behavior) {}
  void pre_tokenize(PreTokenized& pt) const override {
    thread_local std::vector<Segment> segs;
    pt.refine([&](const Split& in, std::vector<Split>& out) {
      Split s = in;
      if (s.byte_level) materialize_byte_level(pt, s);
      segments_from_chars(pt.text_of(s), pred_, segs);
      emit(s, segs, behavior_, out);
    });
  }

 private:
  Pred pred_;
  Behavior behavior_;
};

template <typename Pred>
std::unique_ptr<PreTokenizer> char_split(Pred pred, Behavior behavior) {
  return std::make_unique<CharSplitPre<Pred>>(pred, behavior);
}

class SequencePre : public PreTokenizer {
 public:
  explicit SequencePre(std::vector<std::unique_ptr<PreTokenizer>> items) : items_(std::move(items)) {}
  void pre_tokenize(PreTokenized& pt) const override {
    for (const auto& p : items_) p->pre_tokenize(pt);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> items_;
};

}  // namespace

void materialize_byte_level(PreTokenized& pt, Split& s) {
  if (!s.byte_level) return;
  const NormalizedString& src = pt.strings[s.string];
  std::string_view text = src.text();
  NormalizedString::Builder b;
  for (uint32_t i = s.begin; i < s.end; ++i) b.append(byte_level::char_of(static_cast<uint8_t>(text[i])), src.align_at(i));
  NormalizedString ns;
  ns.assign(std::move(b));
  pt.strings.push_back(std::move(ns));
  uint32_t index = static_cast<uint32_t>(pt.strings.size() - 1);
  s = Split{index, 0, static_cast<uint32_t>(pt.strings[index].size()), s.added_id, false};
}

Behavior parse_behavior(const std::string& name, const std::string& where) {
  if (name == "Removed") return Behavior::Removed;
  if (name == "Isolated") return Behavior::Isolated;
  if (name == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (name == "MergedWithNext") return Behavior::MergedWithNext;
  if (name == "Contiguous") return Behavior::Contiguous;
  throw Error(where + ": unknown split behavior '" + name + "'");
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& config, const std::string& where) {
  if (config.is_null()) return nullptr;
  if (!config.is_object()) throw Error(where + ": expected an object");
  std::string type = core::json_require<std::string>(config, "type", where);
  std::string at = where + " (" + type + ")";
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelPre>(core::json_value<bool>(config, "add_prefix_space", true, at),
                                          core::json_value<bool>(config, "use_regex", true, at));
  }
  if (type == "Split") {
    Pattern pattern = make_pattern(core::json_require<Json>(config, "pattern", at), at + ".pattern");
    Behavior behavior = parse_behavior(core::json_require<std::string>(config, "behavior", at), at);
    return std::make_unique<SplitPre>(std::move(pattern), behavior,
                                                   core::json_value<bool>(config, "invert", false, at));
  }
  if (type == "Metaspace") {
    std::string replacement = core::json_value<std::string>(config, "replacement", "\u2581", at);
    if (replacement.empty() || utf8::count_code_points(replacement) != 1)
      throw Error(at + ": 'replacement' must be one character");
    std::string scheme_name = core::json_value<std::string>(config, "prepend_scheme", "always", at);
    PrependScheme scheme;
    if (scheme_name == "always") scheme = PrependScheme::Always;
    else if (scheme_name == "never") scheme = PrependScheme::Never;
    else if (scheme_name == "first") scheme = PrependScheme::First;
    else throw Error(at + ": unknown prepend_scheme '" + scheme_name + "'");
    // Files older than the prepend_scheme field say add_prefix_space instead.
    if (config.contains("add_prefix_space") && !core::json_value<bool>(config, "add_prefix_space", true, at)) {
      if (config.contains("prepend_scheme") && scheme != PrependScheme::Never)
        throw Error(at + ": add_prefix_space false contradicts prepend_scheme '" + scheme_name + "'");
      scheme = PrependScheme::Never;
    }
    return std::make_unique<MetaspacePre>(replacement, scheme, core::json_value<bool>(config, "split", true, at));
  }
  if (type == "Digits") {
    bool individual = core::json_value<bool>(config, "individual_digits", false, at);
    return char_split([](char32_t cp) { return utf8::is_numeric(cp); },
                      individual ? Behavior::Isolated : Behavior::Contiguous);
  }
  if (type == "Punctuation") {
    Behavior behavior = parse_behavior(core::json_value<std::string>(config, "behavior", "Isolated", at), at);
    return char_split([](char32_t cp) { return utf8::is_punctuation(cp); }, behavior);
  }
  if (type == "WhitespaceSplit") {
    return char_split([](char32_t cp) { return utf8::is_whitespace(cp); }, Behavior::Removed);
  }
  if (type == "Whitespace") {
    // Words and runs of other non-space characters are kept; whitespace is dropped.
    return std::make_unique<SplitPre>(Pattern::regex(R"(\w+|[^\w\s]+)", at), Behavior::Removed, true);
  }
  if (type == "Sequence") {
    Json list = core::json_require<Json>(config, "pretokenizers", at);
    if (!list.is_array()) throw Error(at + ": key 'pretokenizers' has the wrong type (" + std::string(list.type_name()) + ")");
    std::vector<std::unique_ptr<PreTokenizer>> items;
    for (size_t i = 0; i < list.size(); ++i) {
      auto p = make_pre_tokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
      if (p) items.push_back(std::move(p));
    }
    return std::make_unique<SequencePre>(std::move(items));
  }
  throw Error(where + ": unsupported pre_tokenizer type '" + type + "'");
}

}  // namespace privtune::tokenizer
