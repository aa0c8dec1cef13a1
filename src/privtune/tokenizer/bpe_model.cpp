#include "privtune/tokenizer/bpe_model.h"

#include <algorithm>

#include "privtune/core/error.h"
#include "privtune/tokenizer/byte_level.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

using core::Json;

// ---------------------------------------------------------------------------------- PairMap

void BpeModel::PairMap::reserve(size_t n) {
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  keys_.assign(cap, ~uint64_t{0});
  values_.assign(cap, Merge{0, -1});
  mask_ = cap - 1;
  count_ = 0;
}

void BpeModel::PairMap::insert(int32_t a, int32_t b, Merge m) {
  if ((count_ + 1) * 2 > keys_.size()) {
    // Grow and re-insert, keeping the existing entries.
    std::vector<uint64_t> keys;
    std::vector<Merge> values;
    keys.swap(keys_);
    values.swap(values_);
    reserve(std::max<size_t>(16, keys.size()));
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] != ~uint64_t{0})
        insert(static_cast<int32_t>(keys[i] >> 32), static_cast<int32_t>(keys[i] & 0xffffffffu), values[i]);
  }
  uint64_t k = key(a, b);
  size_t i = (k * 0x9E3779B97F4A7C15ull >> 20) & mask_;
  while (keys_[i] != ~uint64_t{0}) {
    if (keys_[i] == k) return;  // a repeated merge keeps its first (best) rank
    i = (i + 1) & mask_;
  }
  keys_[i] = k;
  values_[i] = m;
  ++count_;
}

const BpeModel::Merge* BpeModel::PairMap::find(int32_t a, int32_t b) const {
  if (keys_.empty()) return nullptr;
  uint64_t k = key(a, b);
  size_t i = (k * 0x9E3779B97F4A7C15ull >> 20) & mask_;
  while (keys_[i] != ~uint64_t{0}) {
    if (keys_[i] == k) return &values_[i];
    i = (i + 1) & mask_;
  }
  return nullptr;
}

// --------------------------------------------------------------------------------- loading

namespace {

std::optional<std::string> optional_string(const Json& config, const std::string& key, const std::string& where) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw Error(where + ": key '" + key + "' has the wrong type (" + it->type_name() + ")");
  return it->get<std::string>();
}

}  // namespace

std::unique_ptr<BpeModel> BpeModel::from_json(const Json& config, const std::string& where) {
  auto m = std::make_unique<BpeModel>();
  auto vocab_it = config.find("vocab");
  if (vocab_it == config.end() || vocab_it->is_null()) throw Error(where + ": key 'vocab' is missing");
  if (!vocab_it->is_object()) throw Error(where + ".vocab: expected an object of token -> id");
  m->vocab_.reserve(vocab_it->size());
  int64_t max_id = -1;
  for (auto it = vocab_it->begin(); it != vocab_it->end(); ++it) {
    // Ids index dense tables; real vocabularies stay far below 2^24.
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() >= (int64_t{1} << 24))
      throw Error(where + ".vocab: token '" + it.key() + "' has an invalid id (expected 0 .. 2^24-1)");
    if (utf8::find_invalid(it.key()) != std::string::npos)
      throw Error(where + ".vocab: a token is not valid UTF-8");
    int64_t id = it->get<int64_t>();
    m->vocab_.emplace(it.key(), static_cast<int32_t>(id));
    max_id = std::max(max_id, id);
  }
  m->vocab_r_.assign(static_cast<size_t>(max_id + 1), std::string());
  m->present_.assign(static_cast<size_t>(max_id + 1), 0);
  for (const auto& [token, id] : m->vocab_) {
    if (m->present_[id]) {
      throw Error(where + ".vocab: id " + std::to_string(id) + " is given to both '" + m->vocab_r_[id] + "' and '" +
                  token + "'");
    }
    m->vocab_r_[id] = token;
    m->present_[id] = 1;
  }

  if (config.contains("dropout") && !config["dropout"].is_null()) {
    if (!config["dropout"].is_number() || config["dropout"].get<double>() != 0.0)
      throw Error(where + ": BPE dropout is not supported (encoding must be deterministic)");
  }
  m->unk_token_ = optional_string(config, "unk_token", where);
  if (m->unk_token_) {
    auto it = m->vocab_.find(*m->unk_token_);
    if (it != m->vocab_.end()) m->unk_id_ = it->second;
  }
  m->prefix_ = optional_string(config, "continuing_subword_prefix", where).value_or("");
  m->suffix_ = optional_string(config, "end_of_word_suffix", where).value_or("");
  m->fuse_unk_ = core::json_value<bool>(config, "fuse_unk", false, where);
  m->byte_fallback_ = core::json_value<bool>(config, "byte_fallback", false, where);
  m->ignore_merges_ = core::json_value<bool>(config, "ignore_merges", false, where);

  auto merges_it = config.find("merges");
  if (merges_it != config.end() && !merges_it->is_null()) {
    if (!merges_it->is_array()) throw Error(where + ".merges: expected an array");
    m->merges_.reserve(merges_it->size());
    uint32_t rank = 0;
    for (const Json& entry : *merges_it) {
      std::string at = where + ".merges[" + std::to_string(rank) + "]";
      std::string a, b;
      if (entry.is_string()) {
        // The pre-0.20 format "a b": tokens cannot contain the separating space.
        const std::string& s = entry.get_ref<const std::string&>();
        size_t space = s.find(' ');
        if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
          throw Error(at + ": expected two tokens separated by one space, got '" + s + "'");
        a = s.substr(0, space);
        b = s.substr(space + 1);
      } else if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string()) {
        a = entry[0].get<std::string>();
        b = entry[1].get<std::string>();
      } else {
        throw Error(at + ": expected \"a b\" or [\"a\", \"b\"]");
      }
      auto ia = m->vocab_.find(a);
      if (ia == m->vocab_.end()) throw Error(at + ": merge names token '" + a + "' that is not in the vocab");
      auto ib = m->vocab_.find(b);
      if (ib == m->vocab_.end()) throw Error(at + ": merge names token '" + b + "' that is not in the vocab");
      std::string merged = a;
      if (!m->prefix_.empty() && b.compare(0, m->prefix_.size(), m->prefix_) == 0) merged += b.substr(m->prefix_.size());
      else merged += b;
      auto in = m->vocab_.find(merged);
      if (in == m->vocab_.end()) throw Error(at + ": merged token '" + merged + "' is not in the vocab");
      m->merges_.insert(ia->second, ib->second, Merge{rank, in->second});
      ++rank;
    }
  } else {
    m->merges_.reserve(0);
  }

  // Lookup tables for the hot paths.
  static const char* hex = "0123456789ABCDEF";
  bool all_bytes = true;
  for (int byte = 0; byte < 256; ++byte) {
    std::string name = "<0x";
    name.push_back(hex[byte >> 4]);
    name.push_back(hex[byte & 15]);
    name.push_back('>');
    auto it = m->vocab_.find(name);
    m->byte_fallback_ids_[byte] = it == m->vocab_.end() ? -1 : it->second;
    auto ic = m->vocab_.find(byte_level::char_of(static_cast<uint8_t>(byte)));
    m->byte_char_ids_[byte] = ic == m->vocab_.end() ? -1 : ic->second;
    all_bytes = all_bytes && ic != m->vocab_.end();
  }
  m->raw_bytes_ok_ = all_bytes && m->prefix_.empty() && m->suffix_.empty();
  if (m->raw_bytes_ok_ && m->ignore_merges_) {
    m->raw_vocab_.reserve(m->vocab_.size());
    for (const auto& [token, id] : m->vocab_) {
      std::string raw;
      if (byte_level::decode(token, raw)) m->raw_vocab_.emplace(std::move(raw), id);
    }
  }
  m->bmp_ids_.assign(0x10000, -1);
  for (const auto& [token, id] : m->vocab_) {
    size_t i = 0;
    if (token.empty()) continue;
    char32_t cp = utf8::decode(token, i);
    if (i == token.size() && cp < 0x10000) m->bmp_ids_[cp] = id;
  }
  return m;
}

std::optional<int32_t> BpeModel::token_to_id(const std::string& token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

const std::string* BpeModel::id_to_token(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= vocab_r_.size() || !present_[id]) return nullptr;
  return &vocab_r_[id];
}

// -------------------------------------------------------------------------------- encoding

int32_t BpeModel::char_id(std::string_view ch, bool first, bool last) const {
  bool plain = (first || prefix_.empty()) && (!last || suffix_.empty());
  if (plain) {
    size_t i = 0;
    char32_t cp = utf8::decode(ch, i);
    if (cp < 0x10000) return bmp_ids_[cp];
    auto it = vocab_.find(std::string(ch));
    return it == vocab_.end() ? -1 : it->second;
  }
  std::string s;
  if (!first) s += prefix_;
  s.append(ch);
  if (last) s += suffix_;
  auto it = vocab_.find(s);
  return it == vocab_.end() ? -1 : it->second;
}

void BpeModel::initial_symbols(std::string_view word, bool byte_level, std::vector<Symbol>& symbols) const {
  symbols.clear();
  auto add = [&](int32_t id, size_t b, size_t e) {
    int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, index - 1, index + 1, static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
  };
  if (byte_level) {
    for (size_t i = 0; i < word.size(); ++i) add(byte_char_ids_[static_cast<uint8_t>(word[i])], i, i + 1);
  } else {
    // A pending unknown span, emitted (or extended, with fuse_unk) when the next symbol comes.
    bool unk_pending = false;
    size_t unk_begin = 0, unk_end = 0;
    auto flush_unk = [&] {
      if (unk_pending) add(unk_id_, unk_begin, unk_end);
      unk_pending = false;
    };
    size_t i = 0;
    while (i < word.size()) {
      size_t b = i;
      i += utf8::sequence_length(static_cast<uint8_t>(word[i]));
      int32_t id = char_id(word.substr(b, i - b), b == 0, i >= word.size());
      if (id >= 0) {
        flush_unk();
        add(id, b, i);
        continue;
      }
      if (byte_fallback_) {
        bool all = true;
        for (size_t k = b; k < i; ++k) all = all && byte_fallback_ids_[static_cast<uint8_t>(word[k])] >= 0;
        if (all) {
          flush_unk();
          // Each byte token covers one byte; offsets widen it to the whole character later.
          for (size_t k = b; k < i; ++k) add(byte_fallback_ids_[static_cast<uint8_t>(word[k])], k, k + 1);
          continue;
        }
      }
      if (!unk_token_) continue;  // no unk token: the reference drops the character
      if (unk_id_ < 0) throw Error("tokenizer model: unk_token '" + *unk_token_ + "' is not in the vocab");
      if (unk_pending && fuse_unk_) {
        unk_end = i;
      } else {
        flush_unk();
        unk_pending = true;
        unk_begin = b;
        unk_end = i;
      }
    }
    flush_unk();
  }
  if (!symbols.empty()) symbols.back().next = -1;
}

void BpeModel::merge_all(std::vector<Symbol>& symbols) const {
  struct Entry {
    uint32_t rank;
    uint32_t pos;
    int32_t new_id;
  };
  // Min-heap on (rank, pos): the best-ranked merge first, leftmost among equals.
  auto later = [](const Entry& x, const Entry& y) { return x.rank != y.rank ? x.rank > y.rank : x.pos > y.pos; };
  thread_local std::vector<Entry> heap;
  heap.clear();
  for (size_t i = 0; i + 1 < symbols.size(); ++i) {
    if (const Merge* m = merges_.find(symbols[i].id, symbols[i + 1].id))
      heap.push_back({m->rank, static_cast<uint32_t>(i), m->new_id});
  }
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Entry top = heap.back();
    heap.pop_back();
    Symbol& left = symbols[top.pos];
    if (left.end == left.begin || left.next < 0) continue;  // merged away, or now last
    Symbol& right = symbols[left.next];
    // Skip entries made stale by an earlier merge: the pair at this position changed.
    const Merge* current = merges_.find(left.id, right.id);
    if (current == nullptr || current->new_id != top.new_id) continue;
    left.id = top.new_id;
    left.end = right.end;
    left.next = right.next;
    right.end = right.begin;  // dead
    if (left.next >= 0) symbols[left.next].prev = static_cast<int32_t>(top.pos);
    if (left.prev >= 0) {
      const Symbol& p = symbols[left.prev];
      if (const Merge* m = merges_.find(p.id, left.id)) {
        heap.push_back({m->rank, static_cast<uint32_t>(left.prev), m->new_id});
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
    if (left.next >= 0) {
      const Symbol& n = symbols[left.next];
      if (const Merge* m = merges_.find(left.id, n.id)) {
        heap.push_back({m->rank, top.pos, m->new_id});
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
  }
}

void BpeModel::tokenize(std::string_view word, bool byte_level, std::vector<TokenSpan>& out) const {
  if (word.empty()) return;
  // Byte-level and symbol-text words live in different key spaces: the first byte of the
  // cache key tells them apart.
  bool cacheable = word.size() <= BpeCache::kMaxWordBytes;
  thread_local std::string key;
  uint64_t h = 0;
  if (cacheable) {
    key.assign(1, byte_level ? '\1' : '\0');
    key.append(word);
    h = BpeCache::hash(key);
    if (cache_.get(key, h, out)) return;
  }
  size_t first = out.size();
  bool whole = false;
  if (ignore_merges_) {
    // A pre-token that is itself in the vocabulary is taken whole, merges or not.
    thread_local std::string lookup;
    lookup.assign(word);
    const auto& table = byte_level ? raw_vocab_ : vocab_;
    auto it = table.find(lookup);
    if (it != table.end()) {
      out.push_back({it->second, 0, static_cast<uint32_t>(word.size())});
      whole = true;
    }
  }
  if (!whole) {
    thread_local std::vector<Symbol> symbols;
    initial_symbols(word, byte_level, symbols);
    merge_all(symbols);
    for (const Symbol& s : symbols)
      if (s.end > s.begin) out.push_back({s.id, s.begin, s.end});
  }
  if (cacheable) cache_.put(key, h, out.data() + first, out.data() + out.size());
}

}  // namespace privtune::tokenizer
