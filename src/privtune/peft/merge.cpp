#include "privtune/peft/merge.h"

#include "privtune/peft/lora.h"
#include "privtune/peft/lora_layer.h"
#include "privtune/peft/targets.h"

namespace privtune::peft {

int64_t merge_lora(model::CausalLM& m) {
  torch::NoGradGuard no_grad;
  int64_t merged = 0;
  for (auto& site : linear_sites(m)) {
    if (!site.linear->adapter) continue;
    auto adapter = std::dynamic_pointer_cast<LoraAdapterImpl>(site.linear->adapter);
    if (!adapter) throw std::logic_error("merge_lora: " + site.hf + " carries an adapter that is not LoRA");
    torch::Tensor& w = site.linear->weight;  // (out, in)
    torch::Tensor delta = adapter->weight_delta().to(w.device());  // (out, in), float32/64
    w.copy_(w.to(delta.scalar_type()) + delta);
    ++merged;
  }
  remove_lora(m);
  return merged;
}

}  // namespace privtune::peft
