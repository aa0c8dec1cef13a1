#include "privtune/model/generate.h"

#include <algorithm>

#include "privtune/core/error.h"

namespace privtune::model {

PaddedBatch pad_right(const std::vector<TokenIds>& sequences, int64_t pad_id, const torch::Device& device) {
  const int64_t B = static_cast<int64_t>(sequences.size());
  int64_t T = 1;
  for (const auto& s : sequences) T = std::max<int64_t>(T, static_cast<int64_t>(s.size()));
  torch::Tensor ids = torch::full({B, T}, pad_id, torch::kLong);
  torch::Tensor mask = torch::zeros({B, T}, torch::kLong);
  auto id_acc = ids.accessor<int64_t, 2>();
  auto mask_acc = mask.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b)
    for (size_t j = 0; j < sequences[static_cast<size_t>(b)].size(); ++j) {
      id_acc[b][static_cast<int64_t>(j)] = sequences[static_cast<size_t>(b)][j];
      mask_acc[b][static_cast<int64_t>(j)] = 1;
    }
  return {ids.to(device), mask.to(device)};
}

torch::Tensor token_logprobs(CausalLM& model, const torch::Tensor& ids, const torch::Tensor& mask) {
  torch::Tensor logits = model->forward(ids, mask);  // (B, T, V)
  const auto wide = logits.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  const int64_t T = ids.size(1);
  torch::Tensor out = torch::zeros(ids.sizes(), logits.options().dtype(wide));
  if (T < 2) return out;
  auto log_probs = torch::log_softmax(logits.narrow(1, 0, T - 1).to(wide), -1);        // (B, T-1, V)
  auto picked = log_probs.gather(-1, ids.narrow(1, 1, T - 1).unsqueeze(-1)).squeeze(-1);  // (B, T-1)
  auto target_mask = mask.narrow(1, 1, T - 1).to(torch::kBool);
  out.narrow(1, 1, T - 1).copy_(picked.masked_fill(target_mask.logical_not(), 0.0));
  return out;
}

namespace {

// Picks one token per row from logits (B, V) on the CPU: argmax, or a sample after
// temperature, top-k and top-p filtering (transformers' order of the warpers).
torch::Tensor choose_tokens(torch::Tensor logits, const GenerateOptions& o, at::Generator& generator) {
  logits = logits.to(torch::kCPU, torch::kFloat);
  if (o.temperature <= 0.0) return logits.argmax(-1);
  logits = logits / o.temperature;
  const float lowest = -std::numeric_limits<float>::infinity();
  if (o.top_k > 0 && o.top_k < logits.size(-1)) {
    auto kth = std::get<0>(logits.topk(o.top_k, -1)).narrow(-1, o.top_k - 1, 1);  // (B, 1)
    logits = logits.masked_fill(logits < kth, lowest);
  }
  if (o.top_p < 1.0) {
    auto sorted = logits.sort(-1, /*descending=*/true);
    auto sorted_logits = std::get<0>(sorted), order = std::get<1>(sorted);
    auto cumulative = sorted_logits.softmax(-1).cumsum(-1);
    // Drop a token when the tokens before it already reach top_p; the first always stays.
    auto drop = (cumulative - sorted_logits.softmax(-1)) >= o.top_p;
    logits = logits.scatter(-1, order, sorted_logits.masked_fill(drop, lowest));
  }
  return torch::multinomial(logits.softmax(-1), 1, /*replacement=*/false, generator).squeeze(-1);
}

}  // namespace

GenerateResult generate(CausalLM& model, const std::vector<TokenIds>& prompts, const GenerateOptions& o) {
  for (const auto& p : prompts)
    if (p.empty()) throw Error("generate: every prompt needs at least one token");
  if (o.max_new_tokens < 0) throw Error("--max-new-tokens must be >= 0");
  if (o.temperature < 0) throw Error("--temperature must be >= 0");
  if (o.top_k < 0) throw Error("--top-k must be >= 0");
  if (!(o.top_p > 0.0 && o.top_p <= 1.0)) throw Error("--top-p must be in (0, 1]");

  torch::NoGradGuard no_grad;
  const torch::Device device = model->embed->weight.device();
  const int64_t B = static_cast<int64_t>(prompts.size());
  at::Generator generator = at::detail::createCPUGenerator(o.seed);
  GenerateResult result;
  result.tokens.resize(prompts.size());
  std::vector<TokenIds> sequences = prompts;
  std::vector<bool> finished(prompts.size(), false);

  KVCache cache;
  torch::Tensor last_logits;  // (B, V): the next-token logits of every row
  PaddedBatch batch = pad_right(prompts, 0, device);
  std::vector<int64_t> lengths;
  for (const auto& p : prompts) lengths.push_back(static_cast<int64_t>(p.size()));
  auto length_index = torch::tensor(lengths, torch::kLong).to(device) - 1;
  auto positions = torch::arange(batch.ids.size(1), torch::TensorOptions().dtype(torch::kLong).device(device))
                       .unsqueeze(0).expand({B, batch.ids.size(1)});
  auto prefill = [&](const PaddedBatch& b, KVCache* c) {
    auto h = model->hidden(b.ids, positions.narrow(1, 0, b.ids.size(1)), b.mask.to(torch::kBool), c);
    auto last = h.gather(1, length_index.view({B, 1, 1}).expand({B, 1, h.size(2)})).squeeze(1);  // (B, C)
    return model->logits(last.unsqueeze(1)).squeeze(1);
  };
  last_logits = prefill(batch, o.use_cache ? &cache : nullptr);

  for (int64_t step = 0; step < o.max_new_tokens; ++step) {
    if (o.keep_logits) result.step_logits.push_back(last_logits.to(torch::kCPU, torch::kFloat));
    auto chosen = choose_tokens(last_logits, o, generator);  // (B) CPU
    auto chosen_acc = chosen.accessor<int64_t, 1>();
    std::vector<int64_t> next(prompts.size(), 0), next_valid(prompts.size(), 0), next_pos(prompts.size(), 0);
    bool any_running = false;
    for (size_t b = 0; b < prompts.size(); ++b) {
      next_pos[b] = static_cast<int64_t>(sequences[b].size());
      if (finished[b]) continue;
      int64_t token = chosen_acc[static_cast<int64_t>(b)];
      result.tokens[b].push_back(token);
      sequences[b].push_back(token);
      next[b] = token;
      next_valid[b] = 1;
      if (std::find(o.stop_ids.begin(), o.stop_ids.end(), token) != o.stop_ids.end()) finished[b] = true;
      any_running = any_running || !finished[b];
    }
    if (!any_running || step + 1 == o.max_new_tokens) break;
    if (o.use_cache) {
      // Finished rows still take a slot in the step, marked invalid so nobody attends it.
      auto ids = torch::tensor(next, torch::kLong).to(device).view({B, 1});
      auto pos = torch::tensor(next_pos, torch::kLong).to(device).view({B, 1});
      auto valid = torch::tensor(next_valid, torch::kLong).to(device).to(torch::kBool).view({B, 1});
      last_logits = model->logits(model->hidden(ids, pos, valid, &cache)).squeeze(1);
    } else {
      batch = pad_right(sequences, 0, device);
      for (size_t b = 0; b < prompts.size(); ++b) lengths[b] = static_cast<int64_t>(sequences[b].size());
      length_index = torch::tensor(lengths, torch::kLong).to(device) - 1;
      positions = torch::arange(batch.ids.size(1), torch::TensorOptions().dtype(torch::kLong).device(device))
                      .unsqueeze(0).expand({B, batch.ids.size(1)});
      last_logits = prefill(batch, nullptr);
    }
  }
  return result;
}

}  // namespace privtune::model
