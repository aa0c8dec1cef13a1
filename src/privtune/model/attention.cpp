#include "privtune/model/attention.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace privtune::model {

AttentionImpl::AttentionImpl(const ModelConfig& c, const torch::TensorOptions& options)
    : num_heads(c.num_heads), num_kv_heads(c.num_kv_heads), head_dim(c.head_dim),
      scale(c.attn_scale), softcap(c.attn_softcap) {
  const int64_t q_width = c.num_heads * c.head_dim;
  const int64_t kv_width = c.num_kv_heads * c.head_dim;
  if (c.fused_qkv) {
    qkv = register_module("qkv", Linear(c.hidden_size, 3 * q_width, c.qkv_bias, options));
  } else {
    q = register_module("q", Linear(c.hidden_size, q_width, c.qkv_bias, options));
    k = register_module("k", Linear(c.hidden_size, kv_width, c.qkv_bias, options));
    v = register_module("v", Linear(c.hidden_size, kv_width, c.qkv_bias, options));
  }
  o = register_module("o", Linear(q_width, c.hidden_size, c.o_bias, options));
  if (c.qk_norm) {
    q_norm = register_module("q_norm", Norm(c.head_dim, NormKind::RMSNorm, c.norm_eps, c.norm_plus_one, false, options));
    k_norm = register_module("k_norm", Norm(c.head_dim, NormKind::RMSNorm, c.norm_eps, c.norm_plus_one, false, options));
  }
}

namespace {

// Blocks pay from about 256 queries on: at 290 (the built-in model's demo length) they cut the
// attention's time and the step's peak memory; at 128 no time was gained and LoRA's peak
// memory rose by 9% (more, differently sized buffers), measured (docs/performance.md).
constexpr int64_t kMinBlockedQueries = 256;
constexpr int64_t kMinBlockQueries = 64;
constexpr int64_t kMaxBlocks = 8;

}  // namespace

AttentionMask plan_attention_mask(const torch::Tensor& allowed) {
  AttentionMask mask{allowed, {}};
  const int64_t T = allowed.size(2), S = allowed.size(3);
  if (!allowed.device().is_cpu() || T < kMinBlockedQueries) return mask;
  // Per query: one past the last key any row lets it attend, or S where some row lets it
  // attend none (a padded query, whose uniform row must stay as wide as unblocked).
  const torch::Tensor rows = allowed.contiguous();
  const bool* row = rows.data_ptr<bool>();  // (B, 1, T, S)
  std::vector<int64_t> need(static_cast<size_t>(T), 0);
  for (int64_t b = 0; b < allowed.size(0); ++b)
    for (int64_t t = 0; t < T; ++t, row += S) {
      int64_t last = S;
      while (last > 0 && !row[last - 1]) --last;
      int64_t& needed = need[static_cast<size_t>(t)];
      needed = std::max(needed, last == 0 ? S : last);
    }
  const int64_t size = std::max(kMinBlockQueries, (T + kMaxBlocks - 1) / kMaxBlocks);
  for (int64_t begin = 0; begin < T; begin += size) {
    const int64_t end = std::min(T, begin + size);
    const int64_t key_end = *std::max_element(need.begin() + begin, need.begin() + end);
    mask.blocks.push_back({begin, end, key_end});
  }
  const bool skips = std::any_of(mask.blocks.begin(), mask.blocks.end(), [&](const auto& b) { return b.key_end < S; });
  if (!skips) mask.blocks.clear();
  return mask;
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const RopeTables& rope, const AttentionMask& mask,
                                     LayerCache* cache) {
  const int64_t B = x.size(0), T = x.size(1);
  torch::Tensor queries, keys, values;
  if (qkv) {
    // NeoX packs each head's q, k and v side by side: (B, T, H, 3D).
    auto packed = qkv->forward(x).view({B, T, num_heads, 3 * head_dim}).transpose(1, 2);
    auto parts = packed.chunk(3, -1);
    queries = parts[0], keys = parts[1], values = parts[2];                     // (B, H, T, D)
  } else {
    queries = q->forward(x).view({B, T, num_heads, head_dim}).transpose(1, 2);     // (B, H, T, D)
    keys = k->forward(x).view({B, T, num_kv_heads, head_dim}).transpose(1, 2);     // (B, KV, T, D)
    values = v->forward(x).view({B, T, num_kv_heads, head_dim}).transpose(1, 2);  // (B, KV, T, D)
  }
  if (q_norm) {
    queries = q_norm->forward(queries);
    keys = k_norm->forward(keys);
  }
  queries = apply_rope(queries, rope);
  keys = apply_rope(keys, rope);
  if (cache != nullptr) {
    if (cache->keys.defined()) {
      keys = torch::cat({cache->keys, keys}, 2);
      values = torch::cat({cache->values, values}, 2);
    }
    cache->keys = keys;
    cache->values = values;
  }
  const int64_t S = keys.size(2);
  torch::Tensor mixed;  // (B, H, T, D)
  if (mask.blocks.empty()) {
    mixed = attend(queries, keys, values, mask.allowed, {0, T, S});
  } else {
    std::vector<torch::Tensor> parts;
    for (const AttentionMask::Block& block : mask.blocks)
      parts.push_back(attend(queries, keys, values, mask.allowed, block));
    mixed = torch::cat(parts, 2);
  }
  mixed = mixed.transpose(1, 2).reshape({B, T, num_heads * head_dim});
  return o->forward(mixed);
}

torch::Tensor AttentionImpl::attend(const torch::Tensor& all_queries, const torch::Tensor& all_keys,
                                    const torch::Tensor& all_values, const torch::Tensor& all_allowed,
                                    const AttentionMask::Block& block) {
  const int64_t B = all_queries.size(0), T = block.end - block.begin, S = block.key_end;
  const bool whole = T == all_queries.size(2) && S == all_keys.size(2);
  const torch::Tensor queries = whole ? all_queries : all_queries.slice(2, block.begin, block.end);  // (B, H, T, D)
  const torch::Tensor keys = whole ? all_keys : all_keys.slice(2, 0, S);                               // (B, KV, S, D)
  const torch::Tensor values = whole ? all_values : all_values.slice(2, 0, S);                         // (B, KV, S, D)
  const torch::Tensor allowed = whole ? all_allowed : all_allowed.slice(2, block.begin, block.end).slice(3, 0, S);
  const int64_t group = num_heads / num_kv_heads;

  // Grouped-query attention without copying keys: query head h uses key head h / group, so
  // the `group` query heads of one key head are stacked along the time axis.
  auto grouped_q = queries.reshape({B, num_kv_heads, group * T, head_dim});
  // Scaled in place: the matmul's backward needs only its inputs, and `mul_` by a number
  // needs nothing, so autograd allows it, and it saves a (B, H, T, S) copy.
  auto scores = torch::matmul(grouped_q, keys.transpose(-1, -2)).mul_(scale);  // (B, KV, group*T, S)
  scores = scores.view({B, num_heads, T, S});
  if (softcap > 0) scores = torch::tanh(scores / softcap) * softcap;
  // A finite floor rather than -inf: a padded query whose window holds no real key gets a
  // harmless uniform row instead of NaNs that would poison gradients.
  double floor = std::numeric_limits<float>::lowest();
  switch (scores.scalar_type()) {
    case torch::kDouble: floor = std::numeric_limits<double>::lowest(); break;
    case torch::kBFloat16: floor = static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest()); break;
    case torch::kHalf: floor = static_cast<double>(std::numeric_limits<c10::Half>::lowest()); break;
    default: break;
  }
  // In place, saving a (B, H, T, S) copy: the backward of `mul_(scale)` (or of the soft cap's
  // last `* softcap`) does not need the scores themselves.
  scores.masked_fill_(allowed.logical_not(), floor);
  const auto wide = scores.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  auto probs = torch::softmax(scores, -1, wide).to(queries.scalar_type());
  auto mixed = torch::matmul(probs.view({B, num_kv_heads, group * T, S}), values);  // (B, KV, group*T, D)
  return mixed.view({B, num_heads, T, head_dim});
}

}  // namespace privtune::model
