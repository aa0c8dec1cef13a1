#include "privtune/train/trainable.h"

#include "privtune/core/error.h"
#include "privtune/peft/lora.h"

namespace privtune::train {

peft::LoraConfig lora_config_from(const TrainOptions& options) {
  peft::LoraConfig config;
  config.r = options.lora_r;
  config.alpha = options.lora_alpha;
  config.dropout = options.lora_dropout;
  config.rslora = options.rslora;
  config.targets = peft::LoraTargets::parse(options.lora_targets);
  config.base_model = options.model_dir;
  config.validate("--lora-*");
  return config;
}

void freeze_for_head(model::CausalLM& model, int64_t blocks, bool lm_head) {
  const int64_t layers = static_cast<int64_t>(model->layers->size());
  if (blocks > layers)
    throw Error("--head-blocks " + std::to_string(blocks) + ": the model has only " + std::to_string(layers) + " blocks");
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  for (int64_t i = layers - blocks; i < layers; ++i)
    for (auto& p : model->layers[static_cast<size_t>(i)]->parameters()) p.set_requires_grad(true);
  if (lm_head) {
    for (auto& p : model->final_norm->parameters()) p.set_requires_grad(true);
    model->output_weight().set_requires_grad(true);
  }
}

TrainableSet prepare_trainable(model::CausalLM& model, const TrainOptions& options) {
  TrainableSet set;
  const Method method = parse_method(options.method);
  if (uses_lora(method)) {
    set.lora = lora_config_from(options);
    peft::add_lora(model, *set.lora, options.seed, "--lora-targets");
  } else if (method == Method::kHead) {
    freeze_for_head(model, options.head_blocks, options.head_lm);
  }
  for (const auto& item : model->named_parameters()) {
    set.total += item.value().numel();
    if (!item.value().requires_grad()) continue;
    set.names.push_back(item.key());
    set.tensors.push_back(item.value());
    set.count += item.value().numel();
  }
  if (set.tensors.empty()) throw Error("--method " + options.method + ": no trainable parameters");
  return set;
}

}  // namespace privtune::train
