// A bounded, thread-safe cache of BPE results per pre-token.
//
// Lookups are the hot path of byte-level tokenizers (most pre-tokens are common words), so
// each of the 64 shards is a flat open-addressing table whose keys and results live in two
// arenas: a lookup is one hash, one short lock, and a few contiguous reads. Concurrent
// encode() calls rarely meet on the same shard lock. Once a shard is full new words are
// simply not cached (as in the reference), which bounds memory without eviction bookkeeping.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string_view>
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
  static constexpr size_t kSlotsPerShard = 8192;  // power of two, filled to half at most
  static constexpr size_t kMaxWordBytes = 256;

  static uint64_t hash(std::string_view key) {
    // 64-bit multiply-mix over 8-byte blocks: fast, and good enough for a bounded cache.
    uint64_t h = 0x9E3779B97F4A7C15ull ^ key.size();
    size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
      uint64_t v;
      std::memcpy(&v, key.data() + i, 8);
      h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, key.data() + i, key.size() - i);
    h = (h ^ tail) * 0x94D049BB133111EBull;
    return h ^ (h >> 29);
  }

  // Appends the cached result for `key` to `out`; false when absent.
  bool get(std::string_view key, uint64_t h, std::vector<TokenSpan>& out) const {
    const Shard& s = shards_[h % kShards];
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.slots.empty()) return false;
    size_t i = (h >> 6) & (kSlotsPerShard - 1);
    while (true) {
      const Slot& slot = s.slots[i];
      if (slot.key_len == kEmpty) return false;
      if (slot.hash == h && slot.key_len == key.size() &&
          std::memcmp(s.keys.data() + slot.key_begin, key.data(), key.size()) == 0) {
        out.insert(out.end(), s.values.begin() + slot.value_begin, s.values.begin() + slot.value_begin + slot.value_len);
        return true;
      }
      i = (i + 1) & (kSlotsPerShard - 1);
    }
  }

  void put(std::string_view key, uint64_t h, const TokenSpan* begin, const TokenSpan* end) const {
    if (key.size() > kMaxWordBytes) return;
    Shard& s = shards_[h % kShards];
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.count * 2 >= kSlotsPerShard) return;
    if (s.slots.empty()) s.slots.assign(kSlotsPerShard, Slot{});
    size_t i = (h >> 6) & (kSlotsPerShard - 1);
    while (s.slots[i].key_len != kEmpty) {
      const Slot& slot = s.slots[i];
      if (slot.hash == h && slot.key_len == key.size() &&
          std::memcmp(s.keys.data() + slot.key_begin, key.data(), key.size()) == 0)
        return;  // another thread got there first
      i = (i + 1) & (kSlotsPerShard - 1);
    }
    Slot& slot = s.slots[i];
    slot.hash = h;
    slot.key_begin = static_cast<uint32_t>(s.keys.size());
    slot.key_len = static_cast<uint32_t>(key.size());
    slot.value_begin = static_cast<uint32_t>(s.values.size());
    slot.value_len = static_cast<uint32_t>(end - begin);
    s.keys.insert(s.keys.end(), key.begin(), key.end());
    s.values.insert(s.values.end(), begin, end);
    ++s.count;
  }

 private:
  static constexpr uint32_t kEmpty = 0xffffffffu;
  struct Slot {
    uint64_t hash = 0;
    uint32_t key_begin = 0;
    uint32_t key_len = kEmpty;
    uint32_t value_begin = 0;
    uint32_t value_len = 0;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::vector<Slot> slots;  // allocated on first use
    std::vector<char> keys;
    std::vector<TokenSpan> values;
    size_t count = 0;
  };
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace privtune::tokenizer
