#include "privtune/peft/lora_config.h"

#include <cmath>
#include <regex>

namespace privtune::peft {

namespace {

// PEFT fields that change which weights exist or how they combine. Any non-empty value
// means an adapter privtune would silently compute wrongly, so it is refused.
const char* const kUnsupported[] = {
    "use_dora",          "fan_in_fan_out",      "lora_bias",        "rank_pattern",   "alpha_pattern",
    "modules_to_save",   "layers_to_transform", "layers_pattern",   "exclude_modules", "target_parameters",
    "layer_replication", "trainable_token_indices", "use_qalora",   "alora_invocation_tokens",
};

bool is_empty_value(const core::Json& v) {
  if (v.is_null()) return true;
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_object() || v.is_array() || v.is_string()) return v.empty() || (v.is_string() && v.get<std::string>().empty());
  return false;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    const size_t first = item.find_first_not_of(" \t");
    const size_t last = item.find_last_not_of(" \t");
    out.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
    start = end + 1;
  }
  return out;
}

}  // namespace

LoraTargets LoraTargets::parse(const std::string& text) {
  LoraTargets t;
  if (text == "all-linear") {
    t.all_linear = true;
  } else if (text.compare(0, 3, "re:") == 0) {
    t.pattern = text.substr(3);
    if (t.pattern.empty()) throw Error("--lora-targets: 're:' needs a pattern");
  } else if (!text.empty()) {
    t.names = split_commas(text);
    for (const auto& name : t.names)
      if (name.empty()) throw Error("--lora-targets: empty module name in '" + text + "'");
  }
  return t;
}

std::string LoraTargets::describe() const {
  if (all_linear) return "all-linear";
  if (!pattern.empty()) return "pattern '" + pattern + "'";
  if (names.empty()) return "the family's defaults";
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

double LoraConfig::scale() const {
  return rslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / static_cast<double>(r);
}

void LoraConfig::validate(const std::string& where) const {
  if (r < 1) throw Error(where + ": LoRA rank r must be at least 1 (got " + std::to_string(r) + ")");
  if (!std::isfinite(alpha) || alpha < 0)
    throw Error(where + ": lora_alpha must be a finite number >= 0 (got " + std::to_string(alpha) + ")");
  if (!(dropout >= 0 && dropout < 1))
    throw Error(where + ": lora_dropout must be in [0, 1) (got " + std::to_string(dropout) + ")");
  if (!targets.pattern.empty()) {
    try {
      std::regex check(targets.pattern);
    } catch (const std::regex_error& e) {
      throw Error(where + ": invalid target module pattern '" + targets.pattern + "': " + e.what());
    }
  }
}

core::Json adapter_config_json(const LoraConfig& c, const std::vector<std::string>& resolved_names) {
  core::Json targets;
  if (!c.targets.pattern.empty()) targets = c.targets.pattern;  // PEFT's regex form: a string
  else if (!c.targets.names.empty()) targets = c.targets.names;
  else targets = resolved_names;
  core::Json alpha = c.alpha;
  if (c.alpha == std::floor(c.alpha) && std::fabs(c.alpha) < 1e15) alpha = static_cast<int64_t>(c.alpha);
  // The fields PEFT's LoraConfig reads, with PEFT's defaults for those privtune never sets,
  // so that `PeftModel.from_pretrained` loads the folder as it is.
  return {
      {"peft_type", "LORA"},
      {"task_type", "CAUSAL_LM"},
      {"r", c.r},
      {"lora_alpha", alpha},
      {"lora_dropout", c.dropout},
      {"target_modules", targets},
      {"bias", "none"},
      {"use_rslora", c.rslora},
      {"use_dora", false},
      {"fan_in_fan_out", false},
      {"init_lora_weights", true},
      {"inference_mode", c.inference_mode},
      {"base_model_name_or_path", c.base_model.empty() ? core::Json(nullptr) : core::Json(c.base_model)},
      {"modules_to_save", nullptr},
      {"layers_to_transform", nullptr},
      {"layers_pattern", nullptr},
      {"rank_pattern", core::Json::object()},
      {"alpha_pattern", core::Json::object()},
      {"lora_bias", false},
      {"revision", nullptr},
  };
}

LoraConfig parse_adapter_config(const core::Json& j, const std::string& path) {
  if (!j.is_object()) throw Error(path + ": expected a JSON object");
  const std::string type = core::json_require<std::string>(j, "peft_type", path);
  if (type != "LORA") throw Error(path + ": key 'peft_type' is '" + type + "'; only LORA adapters are supported");
  const std::string task = core::json_value<std::string>(j, "task_type", "CAUSAL_LM", path);
  if (task != "CAUSAL_LM") throw Error(path + ": key 'task_type' is '" + task + "'; expected CAUSAL_LM");
  const std::string bias = core::json_value<std::string>(j, "bias", "none", path);
  if (bias != "none") throw Error(path + ": key 'bias' is '" + bias + "'; only \"none\" is supported");
  for (const char* key : kUnsupported) {
    auto it = j.find(key);
    if (it != j.end() && !is_empty_value(*it))
      throw Error(path + ": key '" + key + "' is set (" + it->dump() + "), which privtune does not support");
  }

  LoraConfig c;
  auto r = j.find("r");
  if (r == j.end() || !r->is_number_integer()) throw Error(path + ": key 'r' must be an integer");
  c.r = r->get<int64_t>();
  auto alpha = j.find("lora_alpha");
  if (alpha == j.end() || !alpha->is_number()) throw Error(path + ": key 'lora_alpha' must be a number");
  c.alpha = alpha->get<double>();
  c.dropout = core::json_value<double>(j, "lora_dropout", 0.0, path);
  c.rslora = core::json_value<bool>(j, "use_rslora", false, path);
  c.inference_mode = core::json_value<bool>(j, "inference_mode", true, path);
  c.base_model = core::json_value<std::string>(j, "base_model_name_or_path", "", path);

  auto targets = j.find("target_modules");
  if (targets == j.end() || targets->is_null()) {
    // PEFT falls back to its per-model defaults too.
  } else if (targets->is_string()) {
    const std::string value = targets->get<std::string>();
    if (value == "all-linear") c.targets.all_linear = true;
    else c.targets.pattern = value;
  } else if (targets->is_array() && !targets->empty()) {
    for (const auto& t : *targets) {
      if (!t.is_string() || t.get<std::string>().empty())
        throw Error(path + ": key 'target_modules' must hold non-empty module names");
      c.targets.names.push_back(t.get<std::string>());
    }
  } else {
    throw Error(path + ": key 'target_modules' must be a non-empty list of module names or a pattern");
  }
  c.validate(path);
  return c;
}

}  // namespace privtune::peft
