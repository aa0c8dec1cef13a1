// A bounded, thread-safe cache of BPE results per pre-token. Lookups from concurrent encode()
// calls take one of many shard locks, so threads rarely wait on each other; once a shard is
// full new words are simply not cached (as in the reference), which keeps memory bounded
// without eviction bookkeeping.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace privtune::tokenizer {

// One token of a BPE result: id and byte range inside the pre-token.
struct TokenSpan {
  int32_t id;
  uint32_t begin;
  uint32_t end;
};

class BpeCache {
 public:
  static constexpr size_t kShards = 64;
  static constexpr size_t kEntriesPerShard = 4096;
  static constexpr size_t kMaxWordBytes = 256;

  // Appends the cached result for `key` to `out`; false when absent.
  bool get(const std::string& key, std::vector<TokenSpan>& out) const {
    const Shard& s = shard(key);
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.map.find(key);
    if (it == s.map.end()) return false;
    out.insert(out.end(), it->second.begin(), it->second.end());
    return true;
  }

  void put(const std::string& key, const TokenSpan* begin, const TokenSpan* end) const {
    if (key.size() > kMaxWordBytes) return;
    Shard& s = shard(key);
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.map.size() >= kEntriesPerShard) return;
    s.map.emplace(key, std::vector<TokenSpan>(begin, end));
  }

  void clear() const {
    for (Shard& s : shards_) {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.map.clear();
    }
  }

 private:
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::vector<TokenSpan>> map;
  };
  Shard& shard(const std::string& key) const { return shards_[std::hash<std::string>()(key) % kShards]; }
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace privtune::tokenizer
