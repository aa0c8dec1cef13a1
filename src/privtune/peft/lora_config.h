// LoRA settings and their adapter_config.json form (the PEFT layout, DESIGN.md section 3).
#pragma once

#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::peft {

// Which linear layers get an adapter. Like PEFT: a list of module names, each matching a
// module whose Hugging Face path equals it or ends with "." + it (`q_proj`,
// `self_attn.q_proj`); or one regular expression that must match the whole HF module path
// (`model\.layers\.[01]\.self_attn\.(q|v)_proj`); or `all-linear` (every linear layer but
// the LM head). Empty: the family's defaults (Family::default_lora_targets).
struct LoraTargets {
  std::vector<std::string> names;
  std::string pattern;      // non-empty: regex mode (PEFT's string form of target_modules)
  bool all_linear = false;

  bool is_default() const { return names.empty() && pattern.empty() && !all_linear; }
  // `all-linear`, `re:PATTERN`, or comma-separated module names (the --lora-targets flag).
  static LoraTargets parse(const std::string& text);
  std::string describe() const;  // for messages
};

struct LoraConfig {
  int64_t r = 8;
  double alpha = 8.0;    // PEFT's lora_alpha
  double dropout = 0.0;  // on the adapter's input, in training mode only
  bool rslora = false;   // scale alpha / sqrt(r) instead of alpha / r
  LoraTargets targets;
  std::string base_model;       // base_model_name_or_path; "" writes null
  bool inference_mode = false;  // as written to adapter_config.json

  // alpha / r, or alpha / sqrt(r) with rsLoRA.
  double scale() const;
  // Error naming `where` for r < 1, alpha < 0 or not finite, dropout outside [0, 1), or an
  // invalid pattern.
  void validate(const std::string& where) const;
};

// adapter_config.json for `config`; `resolved_names` (the module names the targets came to,
// PEFT's form after resolving `all-linear`) replaces an all-linear or default target set.
core::Json adapter_config_json(const LoraConfig& config, const std::vector<std::string>& resolved_names);
// Parses and validates adapter_config.json; Error("<path>: key 'x' ...") for a missing,
// mistyped or unsupported field (DoRA, rank/alpha patterns, biases, fan_in_fan_out, ...).
LoraConfig parse_adapter_config(const core::Json& json, const std::string& path);

}  // namespace privtune::peft
