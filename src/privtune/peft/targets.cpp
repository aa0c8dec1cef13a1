#include "privtune/peft/targets.h"

#include <algorithm>
#include <regex>

#include "privtune/model/family.h"

namespace privtune::peft {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// PEFT's check_target_module_exists for a list: the key itself or a dotted suffix of it.
bool name_matches(const std::string& hf_path, const std::string& name) {
  return hf_path == name || ends_with(hf_path, "." + name);
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

}  // namespace

std::vector<LinearSite> linear_sites(model::CausalLM& m) {
  const std::string where = "model";  // not a temporary: GCC 13 -Wdangling-reference
  const model::Family& family = model::family_for(m->config().model_type, where);
  std::vector<LinearSite> sites;
  for (const auto& item : m->named_modules("", /*include_self=*/false)) {
    const std::string& path = item.key();
    if (path == "lm_head" || path.find(".adapter.") != std::string::npos) continue;
    auto linear = std::dynamic_pointer_cast<model::LinearImpl>(item.value());
    if (!linear) continue;
    sites.push_back({path, model::hf_name(family, path), model::Linear(linear)});
  }
  return sites;
}

std::vector<std::string> linear_module_names(const std::vector<LinearSite>& sites) {
  std::vector<std::string> names;
  for (const auto& site : sites) {
    std::string leaf = site.hf.substr(site.hf.rfind('.') + 1);
    if (std::find(names.begin(), names.end(), leaf) == names.end()) names.push_back(leaf);
  }
  return names;
}

std::vector<LinearSite> select_targets(model::CausalLM& m, const LoraTargets& targets, const std::string& where) {
  std::vector<LinearSite> sites = linear_sites(m);
  const std::string known = " (linear modules of this " + m->config().model_type + " model: " +
                            joined(linear_module_names(sites)) + ")";
  if (targets.all_linear) return sites;

  std::vector<LinearSite> chosen;
  if (!targets.pattern.empty()) {
    std::regex pattern;
    try {
      pattern = std::regex(targets.pattern);
    } catch (const std::regex_error& e) {
      throw Error(where + ": invalid target module pattern '" + targets.pattern + "': " + e.what());
    }
    for (const auto& site : sites)
      if (std::regex_match(site.hf, pattern)) chosen.push_back(site);
    if (chosen.empty())
      throw Error(where + ": target module pattern '" + targets.pattern + "' matches no linear module" + known);
    return chosen;
  }

  std::vector<std::string> names = targets.names;
  if (names.empty()) names = model::family_for(m->config().model_type, where).default_lora_targets;
  for (const auto& name : names) {
    bool found = false;
    for (const auto& site : sites) found = found || name_matches(site.hf, name);
    if (!found) {
      const bool head = name == "lm_head" || name == "embed_out";
      throw Error(where + ": target module '" + name + "' " +
                  (head ? "is the LM head, which LoRA cannot target here" : "is not a linear module of the model") +
                  known);
    }
  }
  for (const auto& site : sites)
    for (const auto& name : names)
      if (name_matches(site.hf, name)) {
        chosen.push_back(site);
        break;
      }
  return chosen;
}

}  // namespace privtune::peft
