#!/usr/bin/env python3
"""Build the reference fixtures in tests/data/hf/ with Hugging Face `transformers` (and `peft`).

For every supported family this makes a tiny random checkpoint (float32, saved by
`save_pretrained`), runs the reference implementation on a fixed right-padded batch and
stores the logits. privtune's tests load the same folder and must reproduce the logits
within 1e-4 relative (DESIGN.md section 3). It also stores a LoRA adapter saved by PEFT with
non-zero B, and the logits of base+adapter, for the adapter format tests.

Usage (needs torch, transformers, peft, safetensors):
    python3 scripts/make_hf_fixtures.py OUT_DIR
The folder is copied into tests/data/hf/ and committed; transformers' version is recorded
in OUT_DIR/versions.json.
"""
import json
import os
import sys
import traceback

import torch
import transformers
from safetensors.torch import save_file

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)

COMMON = dict(vocab_size=256, hidden_size=64, intermediate_size=96, num_hidden_layers=3,
              num_attention_heads=4, max_position_embeddings=128, initializer_range=0.2)

FAMILIES = {
    "gpt_neox": ("GPTNeoXConfig", dict(
        vocab_size=256, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, rotary_pct=0.25, rotary_emb_base=10000, hidden_act="gelu",
        use_parallel_residual=True, max_position_embeddings=128, initializer_range=0.2,
        tie_word_embeddings=False, bos_token_id=0, eos_token_id=0)),
    "gpt_neox_seq": ("GPTNeoXConfig", dict(
        vocab_size=256, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, rotary_pct=0.5, rotary_emb_base=10000, hidden_act="gelu",
        use_parallel_residual=False, max_position_embeddings=128, initializer_range=0.2,
        tie_word_embeddings=False, bos_token_id=0, eos_token_id=0)),
    "llama": ("LlamaConfig", dict(COMMON, num_key_value_heads=2, rope_theta=10000.0,
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
        rms_norm_eps=1e-5, tie_word_embeddings=True, hidden_act="silu", bos_token_id=1,
        eos_token_id=2)),
    "llama_untied": ("LlamaConfig", dict(COMMON, num_key_value_heads=4, rope_theta=10000.0,
        rms_norm_eps=1e-6, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)),
    "gemma": ("GemmaConfig", dict(COMMON, num_key_value_heads=1, head_dim=16,
        hidden_activation="gelu_pytorch_tanh", rope_theta=10000.0, rms_norm_eps=1e-6,
        bos_token_id=2, eos_token_id=1, pad_token_id=0)),
    "gemma2": ("Gemma2Config", dict(COMMON, num_key_value_heads=2, head_dim=16,
        hidden_activation="gelu_pytorch_tanh", rope_theta=10000.0, rms_norm_eps=1e-6,
        query_pre_attn_scalar=24, sliding_window=4, final_logit_softcapping=3.0,
        attn_logit_softcapping=5.0, bos_token_id=2, eos_token_id=1, pad_token_id=0)),
    "gemma3_text": ("Gemma3TextConfig", dict(COMMON, num_hidden_layers=4, num_key_value_heads=2,
        head_dim=16, hidden_activation="gelu_pytorch_tanh", rope_theta=1000000.0,
        rope_local_base_freq=10000.0, rope_scaling={"rope_type": "linear", "factor": 8.0},
        rms_norm_eps=1e-6, query_pre_attn_scalar=16, sliding_window=4,
        sliding_window_pattern=2, final_logit_softcapping=None, attn_logit_softcapping=None,
        bos_token_id=2, eos_token_id=1, pad_token_id=0)),
    "qwen2": ("Qwen2Config", dict(COMMON, num_key_value_heads=2, rope_theta=1000000.0,
        rms_norm_eps=1e-6, tie_word_embeddings=False, use_sliding_window=False,
        bos_token_id=1, eos_token_id=2)),
    "qwen3": ("Qwen3Config", dict(COMMON, num_key_value_heads=2, head_dim=24,
        rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
        use_sliding_window=False, bos_token_id=1, eos_token_id=2)),
}

# A right-padded batch: lengths 12, 7 and 1; pad id 0 where masked.
LENGTHS = [12, 7, 1]
T = max(LENGTHS)
g = torch.Generator().manual_seed(1234)
ids = torch.randint(3, 256, (len(LENGTHS), T), generator=g)
mask = torch.zeros_like(ids)
for b, n in enumerate(LENGTHS):
    mask[b, :n] = 1
ids = ids * mask


def run(model):
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=mask).logits.float().contiguous()


report = {"transformers": transformers.__version__, "torch": torch.__version__}
try:
    import peft
    report["peft"] = peft.__version__
except ImportError:
    peft = None

for index, (name, (cls_name, kwargs)) in enumerate(FAMILIES.items()):
    try:
        cls = getattr(transformers, cls_name)
        config = cls(**kwargs)
        torch.manual_seed(100 + index)
        model = transformers.AutoModelForCausalLM.from_config(
            config, attn_implementation="eager").float().eval()
        # Norm weights start at 1 (or 0 for Gemma): randomise them so the tests see them.
        with torch.no_grad():
            for pname, p in model.named_parameters():
                if "norm" in pname or "bias" in pname:
                    p.add_(0.1 * torch.randn_like(p))
        folder = os.path.join(OUT, name)
        model.save_pretrained(folder, safe_serialization=True)
        logits = run(model)
        save_file({"input_ids": ids.contiguous(), "attention_mask": mask.contiguous(),
                   "logits": logits}, os.path.join(folder, "reference.safetensors"))
        report[name] = "ok"
        if peft is not None and name in ("llama", "gpt_neox", "qwen2"):
            targets = ["query_key_value", "dense_4h_to_h"] if name == "gpt_neox" else \
                ["q_proj", "v_proj", "o_proj", "down_proj"]
            lcfg = peft.LoraConfig(r=4, lora_alpha=8, target_modules=targets,
                                   init_lora_weights=False, task_type="CAUSAL_LM")
            pm = peft.get_peft_model(model, lcfg)
            afolder = os.path.join(OUT, name + "_lora")
            pm.save_pretrained(afolder)
            save_file({"input_ids": ids.contiguous(), "attention_mask": mask.contiguous(),
                       "logits": run(pm)}, os.path.join(afolder, "reference.safetensors"))
            report[name + "_lora"] = "ok"
    except Exception:
        report[name] = traceback.format_exc()
        print(name, report[name], file=sys.stderr)

with open(os.path.join(OUT, "versions.json"), "w") as f:
    json.dump(report, f, indent=1)
print(json.dumps({k: (v if len(str(v)) < 80 else "error") for k, v in report.items()}, indent=1))
