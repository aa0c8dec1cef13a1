#include "privtune/model/causal_lm.h"

namespace privtune::model {

MlpImpl::MlpImpl(const ModelConfig& c, const torch::TensorOptions& options) : activation(c.activation) {
  if (c.gated_mlp) gate = register_module("gate", Linear(c.hidden_size, c.intermediate_size, c.mlp_bias, options));
  up = register_module("up", Linear(c.hidden_size, c.intermediate_size, c.mlp_bias, options));
  down = register_module("down", Linear(c.intermediate_size, c.hidden_size, c.mlp_bias, options));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  if (gate) return down->forward(activate(gate->forward(x), activation) * up->forward(x));
  return down->forward(activate(up->forward(x), activation));
}

BlockImpl::BlockImpl(const ModelConfig& c, const torch::TensorOptions& options)
    : parallel_residual(c.parallel_residual) {
  auto norm = [&](const char* name) {
    return register_module(name, Norm(c.hidden_size, c.norm, c.norm_eps, c.norm_plus_one, c.norm_bias, options));
  };
  attn_norm = norm("attn_norm");
  attn = register_module("attn", Attention(c, options));
  if (c.sandwich_norms) post_attn_norm = norm("post_attn_norm");
  mlp_norm = norm("mlp_norm");
  mlp = register_module("mlp", Mlp(c, options));
  if (c.sandwich_norms) post_mlp_norm = norm("post_mlp_norm");
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const RopeTables& rope, const AttentionMask& mask,
                                 LayerCache* cache) {
  torch::Tensor attended = attn->forward(attn_norm->forward(x), rope, mask, cache);
  if (parallel_residual) return x + attended + mlp->forward(mlp_norm->forward(x));
  if (post_attn_norm) attended = post_attn_norm->forward(attended);
  torch::Tensor h = x + attended;
  torch::Tensor fed = mlp->forward(mlp_norm->forward(h));
  if (post_mlp_norm) fed = post_mlp_norm->forward(fed);
  return h + fed;
}

CausalLMImpl::CausalLMImpl(const ModelConfig& c, const torch::TensorOptions& options) : config_(c) {
  embed = register_module("embed", Embedding(c.vocab_size, c.hidden_size, options));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_layers; ++i) layers->push_back(Block(c, options));
  final_norm = register_module("final_norm", Norm(c.hidden_size, c.norm, c.norm_eps, c.norm_plus_one, c.norm_bias, options));
  if (!c.tie_embeddings) lm_head = register_module("lm_head", Linear(c.hidden_size, c.vocab_size, false, options));
}

torch::Tensor CausalLMImpl::output_weight() { return lm_head ? lm_head->weight : embed->weight; }

torch::Tensor CausalLMImpl::forward(const torch::Tensor& ids, const torch::Tensor& attention_mask) {
  return logits(hidden(ids, attention_mask));
}

torch::Tensor CausalLMImpl::hidden(const torch::Tensor& ids, const torch::Tensor& attention_mask) {
  const int64_t B = ids.size(0), T = ids.size(1);
  auto positions = torch::arange(T, ids.options().dtype(torch::kLong)).unsqueeze(0).expand({B, T});
  return hidden(ids, positions, attention_mask.to(torch::kBool), nullptr);
}

torch::Tensor CausalLMImpl::hidden(const torch::Tensor& ids, const torch::Tensor& positions,
                                   const torch::Tensor& valid, KVCache* cache) {
  const auto dtype = embed->weight.scalar_type();
  torch::Tensor h = embed->forward(ids);  // (B, T, C)
  // The scale rounded to the weights' dtype first, as transformers does; a Scalar rather
  // than a tensor on the device, which would be a host copy each forward.
  if (config_.embed_scale != 1.0) h = h * torch::tensor(config_.embed_scale, dtype).item<double>();

  torch::Tensor key_positions = positions, key_valid = valid;
  if (cache != nullptr) {
    if (cache->layers.empty()) cache->layers.resize(static_cast<size_t>(config_.num_layers));
    if (cache->positions.defined()) {
      key_positions = torch::cat({cache->positions, positions}, 1);
      key_valid = torch::cat({cache->valid, valid}, 1);
    }
    cache->positions = key_positions;
    cache->valid = key_valid;
  }
  // Causality by rope position rather than by index, so cached holes stay harmless.
  auto q_pos = positions.unsqueeze(1).unsqueeze(-1);      // (B, 1, T, 1)
  auto k_pos = key_positions.unsqueeze(1).unsqueeze(2);   // (B, 1, 1, S)
  auto causal = key_valid.unsqueeze(1).unsqueeze(2).logical_and(k_pos <= q_pos);  // (B, 1, T, S)

  std::vector<RopeTables> ropes;
  for (const auto& inv_freq : rope_inv_freq_on(positions.device())) ropes.push_back(rope_tables(inv_freq, positions, dtype));
  std::map<int64_t, AttentionMask> masks;  // one mask per window size
  for (size_t i = 0; i < layers->size(); ++i) {
    const LayerConfig& layer = config_.layers[i];
    auto& mask = masks[layer.sliding_window];
    if (!mask.allowed.defined())
      mask = plan_attention_mask(layer.sliding_window == 0 ? causal
                                                           : causal.logical_and(q_pos - k_pos < layer.sliding_window));
    LayerCache* layer_cache = cache != nullptr ? &cache->layers[i] : nullptr;
    h = layers[i]->as<Block>()->forward(h, ropes[static_cast<size_t>(layer.rope)], mask, layer_cache);
  }
  return final_norm->forward(h);
}

const std::vector<torch::Tensor>& CausalLMImpl::rope_inv_freq_on(const torch::Device& device) {
  if (rope_inv_freq_.empty() || rope_inv_freq_.front().device() != device) {
    rope_inv_freq_.clear();
    for (const auto& rope : config_.ropes) rope_inv_freq_.push_back(rope_inv_freq(rope, config_.rotary_dim).to(device));
  }
  return rope_inv_freq_;
}

torch::Tensor CausalLMImpl::logits(const torch::Tensor& hidden_states) {
  torch::Tensor out = lm_head ? lm_head->forward(hidden_states) : embed->unembed(hidden_states);
  if (config_.final_softcap > 0) out = torch::tanh(out / config_.final_softcap) * config_.final_softcap;
  return out;
}

void init_random(CausalLM& model, uint64_t seed, double std) {
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(seed);
  const bool plus_one = model->config().norm_plus_one;
  for (auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor p = item.value();
    const bool is_norm = name.find("norm") != std::string::npos;
    if (name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0) {
      p.zero_();
    } else if (is_norm) {
      p.fill_(plus_one ? 0.0 : 1.0);
    } else {
      torch::Tensor values = at::normal(0.0, std, p.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat));
      p.copy_(values);
    }
  }
}

}  // namespace privtune::model
