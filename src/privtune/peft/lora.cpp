#include "privtune/peft/lora.h"

#include "privtune/peft/lora_layer.h"
#include "privtune/peft/targets.h"

namespace privtune::peft {

namespace {

const std::string kAdapterSegment = ".adapter.";

bool is_adapter_parameter(const std::string& name) { return name.find(kAdapterSegment) != std::string::npos; }

// Every Linear that carries an adapter, by generic module path.
std::vector<std::pair<std::string, model::Linear>> adapted_linears(model::CausalLM& m) {
  std::vector<std::pair<std::string, model::Linear>> out;
  for (const auto& item : m->named_modules("", /*include_self=*/false)) {
    auto linear = std::dynamic_pointer_cast<model::LinearImpl>(item.value());
    if (linear && linear->adapter) out.emplace_back(item.key(), model::Linear(linear));
  }
  return out;
}

}  // namespace

std::vector<std::string> add_lora(model::CausalLM& m, const LoraConfig& config, uint64_t seed,
                                  const std::string& where) {
  config.validate(where);
  if (has_lora(m)) throw Error(where + ": the model already carries adapters");
  std::vector<LinearSite> sites = select_targets(m, config.targets, where);
  for (auto& p : m->parameters()) p.set_requires_grad(false);
  std::vector<std::string> adapted;
  uint64_t index = 0;
  for (auto& site : sites) {
    const torch::Tensor& w = site.linear->weight;  // (out, in)
    // One seed per layer, so that adding a target does not reshuffle the others' A.
    auto adapter = std::make_shared<LoraAdapterImpl>(site.linear->in_features, site.linear->out_features, config.r,
                                                     config.scale(), config.dropout, seed * 1000003 + index++,
                                                     w.options().requires_grad(false));
    site.linear->set_adapter(adapter);
    adapted.push_back(site.hf);
  }
  return adapted;
}

bool has_lora(model::CausalLM& m) { return !adapted_linears(m).empty(); }

void remove_lora(model::CausalLM& m) {
  for (auto& [path, linear] : adapted_linears(m)) linear->set_adapter(nullptr);
  for (auto& p : m->parameters()) p.set_requires_grad(true);
}

std::vector<std::pair<std::string, torch::Tensor>> lora_parameters(model::CausalLM& m) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : m->named_parameters())
    if (is_adapter_parameter(item.key())) out.emplace_back(item.key(), item.value());
  return out;
}

std::vector<torch::Tensor> trainable_parameters(model::CausalLM& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m->parameters())
    if (p.requires_grad()) out.push_back(p);
  return out;
}

int64_t count_parameters(const std::vector<torch::Tensor>& parameters) {
  int64_t n = 0;
  for (const auto& p : parameters) n += p.numel();
  return n;
}

std::string peft_key(const model::Family& family, const std::string& parameter) {
  const size_t at = parameter.find(kAdapterSegment);
  if (at == std::string::npos) throw std::logic_error("'" + parameter + "' is not an adapter parameter");
  // "<module>.adapter.lora_A.weight": the module maps like any checkpoint module, and the
  // adapter's own part is PEFT's (which drops its adapter name, "default", on save).
  return "base_model.model." + model::hf_name(family, parameter.substr(0, at)) + "." +
         parameter.substr(at + kAdapterSegment.size());
}

std::vector<std::pair<std::string, torch::Tensor>> peft_state(model::CausalLM& m) {
  const std::string where = "model";  // not a temporary: GCC 13 -Wdangling-reference
  const model::Family& family = model::family_for(m->config().model_type, where);
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (auto& [name, tensor] : lora_parameters(m)) out.emplace_back(peft_key(family, name), tensor);
  return out;
}

}  // namespace privtune::peft
