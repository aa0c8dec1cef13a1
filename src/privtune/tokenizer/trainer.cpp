#include "privtune/tokenizer/trainer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <queue>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/tokenizer/byte_level.h"
#include "privtune/tokenizer/regex.h"
#include "privtune/tokenizer/utf8.h"

namespace privtune::tokenizer {

namespace {

using WordCounts = std::unordered_map<std::string, int64_t>;

// Counts the GPT-2 pre-tokens of every line of `text` (a line keeps its newline).
void count_words(std::string_view text, const Regex& regex, WordCounts& counts, size_t& total) {
  std::vector<Match> matches;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(pos, end - pos);
    regex.find_all(line, matches);
    for (const Match& m : matches) {
      if (m.end <= m.begin) continue;
      ++counts[std::string(line.substr(m.begin, m.end - m.begin))];
      ++total;
    }
    pos = end;
  }
}

// Splits `text` into about `parts` pieces at line ends and counts them in parallel.
void count_parallel(std::string_view text, const Regex& regex, int threads, WordCounts& counts, size_t& total) {
  size_t parts = static_cast<size_t>(std::max(1, threads));
  if (text.size() < (1u << 20)) parts = 1;
  std::vector<std::string_view> pieces;
  size_t pos = 0;
  for (size_t p = 0; p < parts && pos < text.size(); ++p) {
    size_t end = p + 1 == parts ? text.size() : std::min(text.size(), pos + text.size() / parts);
    size_t nl = text.find('\n', end);
    end = nl == std::string_view::npos ? text.size() : nl + 1;
    pieces.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  std::vector<WordCounts> partial(pieces.size());
  std::vector<size_t> totals(pieces.size(), 0);
  std::vector<std::thread> workers;
  for (size_t i = 1; i < pieces.size(); ++i)
    workers.emplace_back([&, i] { count_words(pieces[i], regex, partial[i], totals[i]); });
  if (!pieces.empty()) count_words(pieces[0], regex, partial[0], totals[0]);
  for (auto& w : workers) w.join();
  for (size_t i = 0; i < pieces.size(); ++i) {
    for (auto& [word, n] : partial[i]) counts[word] += n;
    total += totals[i];
  }
}

struct Word {
  std::vector<int32_t> symbols;
  int64_t count;
};

uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

std::string train(const WordCounts& counts, const TrainerOptions& options, TrainerStats* stats) {
  // Vocabulary: special tokens, then the byte characters in code-point order, then merges.
  std::vector<std::string> vocab;
  std::unordered_map<std::string, int32_t> ids;
  auto add = [&](const std::string& token) {
    auto it = ids.find(token);
    if (it != ids.end()) return it->second;
    int32_t id = static_cast<int32_t>(vocab.size());
    vocab.push_back(token);
    ids.emplace(token, id);
    return id;
  };
  for (const std::string& s : options.special_tokens) {
    if (s.empty()) throw Error("tokenizer train: a special token is empty");
    if (utf8::find_invalid(s) != std::string::npos) throw Error("tokenizer train: special token is not valid UTF-8");
    if (ids.count(s)) throw Error("tokenizer train: special token '" + s + "' is given twice");
    add(s);
  }
  std::vector<int> order(256);
  for (int b = 0; b < 256; ++b) order[b] = b;
  std::sort(order.begin(), order.end(), [](int x, int y) { return byte_level::char_of(x) < byte_level::char_of(y); });
  std::array<int32_t, 256> byte_id{};
  for (int b : order) byte_id[b] = add(byte_level::char_of(static_cast<uint8_t>(b)));
  int32_t alphabet_end = static_cast<int32_t>(vocab.size());
  if (options.vocab_size < alphabet_end) {
    throw Error("tokenizer train: --vocab-size " + std::to_string(options.vocab_size) + " is smaller than the " +
                std::to_string(alphabet_end) + " special and byte tokens");
  }

  // Words in a fixed order (by bytes), so that ties are broken the same way on every run.
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<Word> words;
  words.reserve(sorted.size());
  for (const auto& [w, n] : sorted) {
    Word word{{}, n};
    for (char c : w) word.symbols.push_back(byte_id[static_cast<uint8_t>(c)]);
    words.push_back(std::move(word));
  }

  std::unordered_map<uint64_t, int64_t> pair_count;
  std::unordered_map<uint64_t, std::vector<uint32_t>> pair_words;
  for (uint32_t w = 0; w < words.size(); ++w) {
    const auto& s = words[w].symbols;
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      uint64_t k = pair_key(s[i], s[i + 1]);
      pair_count[k] += words[w].count;
      pair_words[k].push_back(w);
    }
  }
  // Max-heap on (count, then the smaller pair); entries are re-checked when popped.
  using Entry = std::pair<int64_t, uint64_t>;
  auto worse = [](const Entry& x, const Entry& y) { return x.first != y.first ? x.first < y.first : x.second > y.second; };
  std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
  for (const auto& [k, n] : pair_count) heap.push({n, k});

  nlohmann::ordered_json merges = nlohmann::ordered_json::array();
  std::vector<uint32_t> seen(words.size(), 0);
  uint32_t stamp = 0;
  std::unordered_map<uint64_t, bool> touched;
  while (static_cast<int32_t>(vocab.size()) < options.vocab_size && !heap.empty()) {
    Entry top = heap.top();
    heap.pop();
    auto it = pair_count.find(top.second);
    int64_t current = it == pair_count.end() ? 0 : it->second;
    if (current != top.first) {
      if (current > 0) heap.push({current, top.second});
      continue;
    }
    if (current < std::max<int64_t>(1, options.min_frequency)) break;
    int32_t a = static_cast<int32_t>(top.second >> 32), b = static_cast<int32_t>(top.second & 0xffffffffu);
    int32_t merged = add(vocab[a] + vocab[b]);
    merges.push_back(nlohmann::ordered_json::array({vocab[a], vocab[b]}));

    ++stamp;
    touched.clear();
    std::vector<uint32_t> where;
    where.swap(pair_words[top.second]);
    for (uint32_t w : where) {
      if (seen[w] == stamp) continue;
      seen[w] = stamp;
      auto& s = words[w].symbols;
      int64_t n = words[w].count;
      std::vector<int32_t> out;
      out.reserve(s.size());
      bool changed = false;
      for (size_t i = 0; i < s.size(); ++i) {
        if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
          changed = true;
          ++i;
          out.push_back(merged);
        } else {
          out.push_back(s[i]);
        }
      }
      if (!changed) continue;
      // Replace this word's pair counts: remove the old pairs, add the new ones.
      for (size_t i = 0; i + 1 < s.size(); ++i) {
        uint64_t k = pair_key(s[i], s[i + 1]);
        pair_count[k] -= n;
        touched[k] = true;
      }
      for (size_t i = 0; i + 1 < out.size(); ++i) {
        uint64_t k = pair_key(out[i], out[i + 1]);
        pair_count[k] += n;
        touched[k] = true;
        if (out[i] == merged || out[i + 1] == merged) pair_words[k].push_back(w);
      }
      s.swap(out);
    }
    pair_count.erase(top.second);
    for (const auto& [k, unused] : touched) {
      auto c = pair_count.find(k);
      if (c == pair_count.end()) continue;
      if (c->second <= 0) {
        pair_count.erase(c);
      } else if (k != top.second) {
        heap.push({c->second, k});
      }
    }
    if (options.progress && merges.size() % 5000 == 0)
      options.progress("tokenizer train: " + std::to_string(merges.size()) + " merges");
  }

  if (stats) stats->merges = merges.size();
  nlohmann::ordered_json vocab_json = nlohmann::ordered_json::object();
  for (size_t i = 0; i < vocab.size(); ++i) vocab_json[vocab[i]] = i;
  nlohmann::ordered_json added = nlohmann::ordered_json::array();
  for (size_t i = 0; i < options.special_tokens.size(); ++i) {
    added.push_back({{"id", i}, {"content", options.special_tokens[i]}, {"single_word", false}, {"lstrip", false},
                     {"rstrip", false}, {"normalized", false}, {"special", true}});
  }
  auto byte_level_section = [](bool trim) {
    return nlohmann::ordered_json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", trim}, {"use_regex", true}};
  };
  nlohmann::ordered_json out = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer", nullptr},
      {"pre_tokenizer", byte_level_section(true)},
      {"post_processor", byte_level_section(false)},
      {"decoder", byte_level_section(true)},
      {"model",
       {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
        {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
        {"vocab", vocab_json}, {"merges", merges}}},
  };
  return out.dump(1) + "\n";
}

int thread_count(const TrainerOptions& options) {
  if (options.threads > 0) return options.threads;
  unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hw, 1u, 8u));
}

}  // namespace

std::string train_byte_level_bpe_on_texts(const std::vector<std::string>& texts, const TrainerOptions& options,
                                          TrainerStats* stats) {
  Regex regex(byte_level::kGpt2Pattern, "tokenizer train");
  WordCounts counts;
  size_t total = 0, bytes = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    size_t bad = utf8::find_invalid(texts[i]);
    if (bad != std::string::npos)
      throw Error("tokenizer train: text " + std::to_string(i) + " is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    count_parallel(texts[i], regex, thread_count(options), counts, total);
    bytes += texts[i].size();
  }
  if (stats) *stats = TrainerStats{bytes, total, counts.size(), 0};
  return train(counts, options, stats);
}

std::string train_byte_level_bpe(const std::vector<std::string>& input_files, const TrainerOptions& options,
                                 TrainerStats* stats) {
  if (input_files.empty()) throw Error("tokenizer train: no input files");
  Regex regex(byte_level::kGpt2Pattern, "tokenizer train");
  WordCounts counts;
  size_t total = 0, bytes = 0;
  for (const std::string& path : input_files) {
    core::MappedFile file(path);
    std::string_view text(reinterpret_cast<const char*>(file.data()), file.size());
    size_t bad = utf8::find_invalid(text);
    if (bad != std::string::npos)
      throw Error(path + ": not valid UTF-8 (invalid byte at offset " + std::to_string(bad) + ")");
    count_parallel(text, regex, thread_count(options), counts, total);
    bytes += text.size();
    if (options.progress)
      options.progress("tokenizer train: read " + path + " (" + std::to_string(text.size()) + " bytes)");
  }
  if (stats) *stats = TrainerStats{bytes, total, counts.size(), 0};
  return train(counts, options, stats);
}

}  // namespace privtune::tokenizer
