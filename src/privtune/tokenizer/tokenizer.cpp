#include "privtune/tokenizer/tokenizer.h"

#include <algorithm>

#include "privtune/core/error.h"
#include "privtune/tokenizer/offset_mapper.h"
#include "privtune/tokenizer/tokenizer_impl.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

OffsetMapper::OffsetMapper(std::string_view text) {
  for (char c : text) {
    if (static_cast<uint8_t>(c) >= 0x80) {
      ascii_ = false;
      break;
    }
  }
  if (ascii_) return;
  leads_.resize(text.size() + 1);
  uint32_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    leads_[i] = n;
    n += !utf8::is_continuation(static_cast<uint8_t>(text[i]));
  }
  leads_[text.size()] = n;
}

std::string TokenizerImpl::token_text(int32_t id) const {
  if (const AddedToken* a = added.by_id(id)) return a->content;
  if (const std::string* t = model->id_to_token(id)) return *t;
  return std::string();
}

const TokenizerImpl& Tokenizer::impl() const {
  if (!impl_) throw Error("tokenizer: no tokenizer is loaded");
  return *impl_;
}

Encoding Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  const TokenizerImpl& t = impl();
  size_t bad = utf8::find_invalid(text);
  if (bad != std::string_view::npos)
    throw Error("tokenizer: input text is not valid UTF-8 (invalid byte at offset " + std::to_string(bad) + ")");
  if (text.size() >= 0xffffffffu) throw Error("tokenizer: input text is larger than 4 GiB");
  uint32_t n = static_cast<uint32_t>(text.size());

  // 1. Added tokens in the original text, 2. normalisation of the rest, 3. added tokens in
  // the normalised text, 4. pre-tokenisation, 5. the model on each pre-token.
  PreTokenized pt;
  pt.strings.push_back(NormalizedString::view_of(text, 0, n));
  if (n > 0) pt.splits.push_back(Split{0, 0, n, -1, false});
  t.added.extract(pt, false);
  if (t.normalizer) {
    for (Split& s : pt.splits) {
      if (s.added_id >= 0) continue;
      uint32_t index = pt.materialize(s);
      t.normalizer->normalize(pt.strings[index]);
      s = Split{index, 0, static_cast<uint32_t>(pt.strings[index].size()), -1, false};
    }
    pt.splits.erase(std::remove_if(pt.splits.begin(), pt.splits.end(), [](const Split& s) { return s.end <= s.begin; }),
                    pt.splits.end());
  }
  t.added.extract(pt, true);
  if (t.pre_tokenizer) t.pre_tokenizer->pre_tokenize(pt);

  Encoding e;
  e.ids.reserve(text.size() / 3 + 4);
  e.offsets.reserve(text.size() / 3 + 4);
  e.special.reserve(text.size() / 3 + 4);
  OffsetMapper to_code_points(text);
  thread_local std::vector<TokenSpan> spans;
  for (Split& s : pt.splits) {
    if (s.added_id >= 0) {
      const NormalizedString& ns = pt.strings[s.string];
      const AddedToken* a = t.added.by_id(s.added_id);
      e.ids.push_back(s.added_id);
      e.offsets.push_back(to_code_points(ns.original_range(s.begin, s.end)));
      e.special.push_back(a != nullptr && a->special ? 1 : 0);
      continue;
    }
    if (s.byte_level && !t.model->reads_raw_bytes()) materialize_byte_level(pt, s);
    spans.clear();
    t.model->tokenize(pt.text_of(s), s.byte_level, spans);
    const NormalizedString& ns = pt.strings[s.string];
    for (const TokenSpan& span : spans) {
      e.ids.push_back(span.id);
      e.offsets.push_back(to_code_points(ns.original_range(s.begin + span.begin, s.begin + span.end)));
      e.special.push_back(0);
    }
  }
  if (t.post_processor) {
    t.post_processor->process(e, add_special_tokens, [&t](int32_t id) { return t.token_text(id); });
  }
  return e;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  const TokenizerImpl& t = impl();
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (const AddedToken* a = t.added.by_id(id)) {
      if (skip_special_tokens && a->special) continue;
      tokens.push_back(a->content);
    } else if (const std::string* s = t.model->id_to_token(id)) {
      tokens.push_back(*s);
    }
  }
  if (!t.decoder) {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0) out.push_back(' ');
      out += tokens[i];
    }
    return out;
  }
  t.decoder->decode_chain(tokens);
  std::string out;
  for (const std::string& s : tokens) out += s;
  return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens,
                              bool clean_up_tokenization_spaces) const {
  std::string out = decode(ids, skip_special_tokens);
  return clean_up_tokenization_spaces ? clean_up_tokenization(std::move(out)) : out;
}

int32_t Tokenizer::vocab_size() const { return impl().vocab_limit; }

std::optional<int32_t> Tokenizer::token_to_id(const std::string& token) const {
  const TokenizerImpl& t = impl();
  if (const AddedToken* a = t.added.by_content(token)) return a->id;
  return t.model->token_to_id(token);
}

std::string Tokenizer::id_to_token(int32_t id) const { return impl().token_text(id); }

bool Tokenizer::is_special(int32_t id) const {
  const AddedToken* a = impl().added.by_id(id);
  return a != nullptr && a->special;
}

std::optional<int32_t> Tokenizer::bos_id() const { return impl().bos; }
std::optional<int32_t> Tokenizer::eos_id() const { return impl().eos; }
std::optional<int32_t> Tokenizer::pad_id() const { return impl().pad; }
bool Tokenizer::clean_up_tokenization_spaces() const { return impl().clean_up_spaces; }
const std::string& Tokenizer::source() const { return impl().source; }

std::string clean_up_tokenization(std::string text) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
      {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& [from, to] : kRules) {
    std::string out;
    std::string_view f(from);
    size_t pos = 0, hit;
    while ((hit = text.find(f, pos)) != std::string::npos) {
      out.append(text, pos, hit - pos);
      out += to;
      pos = hit + f.size();
    }
    out.append(text, pos, std::string::npos);
    text.swap(out);
  }
  return text;
}

}  // namespace privtune::tokenizer
