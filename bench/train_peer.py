#!/usr/bin/env python3
"""The peer of bench_train: the same GPT-NeoX training step written as a plain PyTorch
eager loop (what a researcher would write), with the same shapes, loss and optimizer.

Prints one JSON line: method, step_s (median), tokens_per_s, peak_memory_bytes (RSS on the
CPU, allocator peak on CUDA), trainable.
Run with Debian's python3-torch: /usr/bin/python3 bench/train_peer.py --method lora
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoraLinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scale = alpha / r

    def forward(self, x):
        return self.base(x) + self.scale * self.lora_B(self.lora_A(x))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, self.heads = c["hidden"], c["heads"]
        self.head_dim = h // self.heads
        self.rot = int(self.head_dim * c["rotary_pct"])
        self.ln1, self.ln2 = nn.LayerNorm(h), nn.LayerNorm(h)
        self.qkv, self.o = nn.Linear(h, 3 * h), nn.Linear(h, h)
        self.up, self.down = nn.Linear(h, c["ffn"]), nn.Linear(c["ffn"], h)

    def attention(self, x, cos, sin, mask):
        B, T, _ = x.shape
        qkv = self.qkv(x).view(B, T, self.heads, 3 * self.head_dim).permute(0, 2, 1, 3)
        q, k, v = qkv.chunk(3, dim=-1)  # (B, H, T, D)
        r = self.rot
        q = torch.cat((q[..., :r] * cos + rotate_half(q[..., :r]) * sin, q[..., r:]), dim=-1)
        k = torch.cat((k[..., :r] * cos + rotate_half(k[..., :r]) * sin, k[..., r:]), dim=-1)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)
        return self.o(torch.matmul(probs, v).transpose(1, 2).reshape(B, T, -1))

    def forward(self, x, cos, sin, mask):
        return x + self.attention(self.ln1(x), cos, sin, mask) + self.down(F.gelu(self.up(self.ln2(x))))


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = nn.Embedding(c["vocab"], c["hidden"])
        self.layers = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.norm = nn.LayerNorm(c["hidden"])
        self.head = nn.Linear(c["hidden"], c["vocab"], bias=False)
        rot = self.layers[0].rot
        self.inv_freq = 1.0 / (10000 ** (torch.arange(0, rot, 2).float() / rot))

    def forward(self, ids):
        T = ids.shape[1]
        angles = torch.arange(T, device=ids.device).float()[:, None] * self.inv_freq.to(ids.device)
        emb = torch.cat((angles, angles), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool, device=ids.device), 1)
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.head(self.norm(x))


SHAPES = {
    "pythia160m": dict(vocab=50304, hidden=768, layers=12, heads=12, ffn=3072, rotary_pct=0.25),
    "small": dict(vocab=50304, hidden=256, layers=4, heads=4, ffn=1024, rotary_pct=0.25),
    "tiny": dict(vocab=4096, hidden=128, layers=4, heads=4, ffn=512, rotary_pct=0.25),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--method", choices=["full", "lora", "head"], default="full")
    p.add_argument("--shape", choices=list(SHAPES), default="small")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Model(SHAPES[a.shape])
    if a.method == "lora":
        for p_ in model.parameters():
            p_.requires_grad_(False)
        for layer in model.layers:
            layer.qkv = LoraLinear(layer.qkv, 8, 16)
    elif a.method == "head":
        for p_ in model.parameters():
            p_.requires_grad_(False)
        for p_ in list(model.layers[-1].parameters()) + list(model.norm.parameters()) + list(model.head.parameters()):
            p_.requires_grad_(True)
    model.to(a.device)
    params = [p_ for p_ in model.parameters() if p_.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4)
    ids = torch.randint(0, SHAPES[a.shape]["vocab"], (a.batch, a.seq), device=a.device)
    cuda = a.device.startswith("cuda")
    times = []
    for step in range(a.steps + 2):
        start = time.perf_counter()
        logits = model(ids)
        losses = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
        loss = losses.view(a.batch, -1).mean(1).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if cuda:
            torch.cuda.synchronize()
        if step >= 2:  # the first steps allocate
            times.append(time.perf_counter() - start)
    step_s = statistics.median(times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"method": a.method, "step_s": step_s, "tokens_per_s": a.batch * a.seq / step_s,
                      "peak_memory_bytes": torch.cuda.max_memory_allocated() if cuda else rss,
                      "trainable": sum(p_.numel() for p_ in params)}))


if __name__ == "__main__":
    main()
