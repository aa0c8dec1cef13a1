// ModelConfig: everything the shared transformer block needs to know about a family,
// read from a Hugging Face config.json. Torch-free.
//
// One block implementation serves every family (DESIGN.md section 2); these fields are the
// knobs on which Pythia, Llama, Gemma and Qwen differ. docs/models.md lists, per family,
// which knob reproduces which detail of the transformers implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::model {

enum class NormKind { LayerNorm, RMSNorm };
enum class Activation { GeluErf, GeluTanh, Silu, Relu };
enum class RopeScaling { None, Linear, Llama3 };

// One rotary embedding: base, and how its frequencies are rescaled for long context.
struct RopeConfig {
  double theta = 10000.0;
  RopeScaling scaling = RopeScaling::None;
  double factor = 1.0;                      // linear and llama3
  double low_freq_factor = 1.0;             // llama3
  double high_freq_factor = 4.0;            // llama3
  int64_t original_max_positions = 8192;    // llama3
};

// Per-layer attention pattern: full or sliding-window, and which rope it uses.
struct LayerConfig {
  int64_t sliding_window = 0;  // 0: full causal attention; w: query i sees keys j with i - j < w
  int rope = 0;                // index into ModelConfig::ropes
};

struct ModelConfig {
  std::string model_type;  // as in config.json: gpt_neox, llama, gemma, gemma2, ...
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;  // < num_heads: grouped-query attention
  int64_t head_dim = 0;
  int64_t rotary_dim = 0;    // leading dims of each head that rotate (partial rotary: NeoX)
  int64_t max_position_embeddings = 2048;

  NormKind norm = NormKind::RMSNorm;
  double norm_eps = 1e-6;
  bool norm_plus_one = false;   // Gemma: x * (1 + w)
  bool norm_bias = false;       // LayerNorm with bias
  bool qk_norm = false;         // RMSNorm over head_dim on q and k before rope (Qwen3, Gemma3)
  bool sandwich_norms = false;  // extra norms after attention and after the MLP (Gemma2/3)
  bool parallel_residual = false;  // x + attn(ln1 x) + mlp(ln2 x) (NeoX)

  bool fused_qkv = false;  // one query_key_value projection, per-head [q k v] layout (NeoX)
  bool qkv_bias = false;
  bool o_bias = false;
  bool gated_mlp = true;   // down(act(gate x) * up x); else down(act(up x))
  bool mlp_bias = false;
  Activation activation = Activation::Silu;

  double attn_scale = 0.0;      // multiplies q.k; 1/sqrt(head_dim) unless the family says otherwise
  double attn_softcap = 0.0;    // 0: none; else c * tanh(scores / c)
  double final_softcap = 0.0;   // same on the logits
  double embed_scale = 1.0;     // Gemma: sqrt(hidden_size)
  bool tie_embeddings = false;

  std::vector<RopeConfig> ropes{RopeConfig{}};
  std::vector<LayerConfig> layers;

  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> pad_token_id;
  std::vector<int64_t> eos_token_ids;
  std::string torch_dtype = "float32";  // the dtype the checkpoint was saved in

  core::Json raw;  // the config.json as read; written back (updated) when saving
};

// Reads DIR/config.json (or a config.json path) through the family's parser.
// Unknown model_type or a missing/ill-typed required key: Error naming file and key.
ModelConfig read_model_config(const std::string& path);
ModelConfig parse_model_config(const core::Json& json, const std::string& where);

// The config.json to write for `config` (the original keys, dtype updated).
core::Json model_config_to_json(const ModelConfig& config, const std::string& dtype);

// Checks internal consistency (heads divide, rotary_dim even, ...); Error naming `where`.
void validate_model_config(const ModelConfig& config, const std::string& where);

}  // namespace privtune::model
