#include "privtune/peft/adapter_io.h"

#include <cmath>
#include <map>
#include <set>

#include "privtune/core/file_io.h"
#include "privtune/core/safetensors.h"
#include "privtune/model/tensor_io.h"
#include "privtune/peft/lora.h"
#include "privtune/peft/lora_layer.h"
#include "privtune/peft/targets.h"

namespace privtune::peft {

namespace {

std::string shape_text(c10::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The module names a saved config lists: those the model's adapters sit on, by last path
// component (PEFT's form of all-linear).
std::vector<std::string> adapted_module_names(model::CausalLM& m) {
  std::vector<LinearSite> adapted;
  for (auto& site : linear_sites(m))
    if (site.linear->adapter) adapted.push_back(site);
  return linear_module_names(adapted);
}

void copy_weights(model::CausalLM& m, const std::string& path) {
  core::SafetensorsFile file(path);
  std::set<std::string> expected;
  torch::NoGradGuard no_grad;
  for (auto& [key, param] : peft_state(m)) {
    expected.insert(key);
    const core::TensorView* view = file.find(key);
    if (view == nullptr) throw Error(path + ": tensor '" + key + "' is missing");
    if (c10::IntArrayRef(view->shape) != param.sizes())
      throw Error(path + ": tensor '" + key + "' has shape " + shape_text(view->shape) + ", expected " +
                  shape_text(param.sizes()));
    if (view->dtype != core::DType::F32 && view->dtype != core::DType::F16 && view->dtype != core::DType::BF16 &&
        view->dtype != core::DType::F64)
      throw Error(path + ": tensor '" + key + "' has non-float dtype " + core::dtype_name(view->dtype));
    param.copy_(model::tensor_from_view(*view));
  }
  // A tensor the targets do not account for is an adapter made for other modules or with
  // features privtune lacks (embedding adapters, DoRA magnitudes): refuse rather than drop.
  for (const auto& t : file.tensors())
    if (!expected.count(t.name))
      throw Error(path + ": tensor '" + t.name + "' does not belong to any adapted module of this model");
}

}  // namespace

void save_adapter(model::CausalLM& m, const LoraConfig& config, const std::string& folder, torch::ScalarType dtype) {
  config.validate("LoRA");
  for (auto& site : linear_sites(m)) {
    auto adapter = std::dynamic_pointer_cast<LoraAdapterImpl>(site.linear->adapter);
    if (!site.linear->adapter) continue;
    if (!adapter || adapter->lora_A->weight.size(0) != config.r || std::fabs(adapter->scale - config.scale()) > 1e-12)
      throw std::logic_error("save_adapter: the config does not describe the adapter on " + site.hf);
  }
  auto state = peft_state(m);
  if (state.empty()) throw std::logic_error("save_adapter: the model carries no adapters");
  core::make_directories(folder);
  model::write_tensors(core::join_path(folder, kAdapterWeightsFile), state, dtype);
  core::write_file_atomic(core::join_path(folder, kAdapterConfigFile),
                          adapter_config_json(config, adapted_module_names(m)).dump(2) + "\n");
}

LoraConfig read_adapter_config(const std::string& folder) {
  if (!core::is_directory(folder)) throw Error(folder + ": not an adapter folder");
  const std::string path = core::join_path(folder, kAdapterConfigFile);
  if (!core::path_exists(path)) throw Error(path + ": missing (not a PEFT adapter folder)");
  return parse_adapter_config(core::read_json_file(path), path);
}

LoraConfig load_adapter(model::CausalLM& m, const std::string& folder, bool trainable) {
  LoraConfig config = read_adapter_config(folder);
  const std::string config_path = core::join_path(folder, kAdapterConfigFile);
  const std::string weights_path = core::join_path(folder, kAdapterWeightsFile);
  if (!core::path_exists(weights_path)) throw Error(weights_path + ": missing");
  if (has_lora(m)) throw Error(folder + ": the model already carries adapters");
  try {
    add_lora(m, config, /*seed=*/0, config_path);
    copy_weights(m, weights_path);
  } catch (const Error&) {
    remove_lora(m);
    throw;
  }
  for (auto& [name, p] : lora_parameters(m)) p.set_requires_grad(trainable);
  return config;
}

}  // namespace privtune::peft
