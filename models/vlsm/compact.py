"""The compact default VLSM: a small CNN image encoder, a small transformer over CLIP BPE tokens, and a
FiLM-conditioned U-Net decoder with coordinate channels (so prompts about location and laterality can be
obeyed). It splits into the same three graphs as CLIPSeg: vision(pixel_values) -> feat1..feat5,
text(input_ids, attention_mask) -> text_embeds, decoder(feat1..feat5, text_embeds) -> logits.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class CompactConfig:
    image_size: int = 160
    channels: tuple[int, ...] = (24, 48, 96, 160, 192)
    decoder_channels: tuple[int, ...] = (128, 96, 64, 40, 32)
    vocab_size: int = 49408
    max_len: int = 77
    text_dim: int = 128
    text_layers: int = 2
    text_heads: int = 4
    embed_dim: int = 128
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["channels"] = list(self.channels)
        d["decoder_channels"] = list(self.decoder_channels)
        return d

    @staticmethod
    def from_dict(d: dict) -> "CompactConfig":
        d = dict(d)
        d["channels"] = tuple(d["channels"])
        d["decoder_channels"] = tuple(d["decoder_channels"])
        return CompactConfig(**d)


def conv_bn(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ImageEncoder(nn.Module):
    def __init__(self, cfg: CompactConfig):
        super().__init__()
        c = cfg.channels
        depth = (2, 2, 3, 3, 2)
        stages, cin = [], 3
        for i, cout in enumerate(c):
            layers = [conv_bn(cin, cout, 2)] + [conv_bn(cout, cout) for _ in range(depth[i] - 1)]
            stages.append(nn.Sequential(*layers))
            cin = cout
        self.stages = nn.ModuleList(stages)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        feats = []
        for s in self.stages:
            x = s(x)
            feats.append(x)
        return feats  # strides 2, 4, 8, 16, 32


class Attention(nn.Module):
    """Plain multi-head self-attention with a key padding mask; written out so ONNX export is simple."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.out = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        h = self.heads
        q, k, v = self.qkv(x).reshape(b, n, 3, h, d // h).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(d // h) + key_bias[:, None, None, :]
        att = att.softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, n, d)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.att = Attention(dim, heads)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor) -> torch.Tensor:
        x = x + self.att(self.ln1(x), key_bias)
        return x + self.mlp(self.ln2(x))


class TextEncoder(nn.Module):
    def __init__(self, cfg: CompactConfig):
        super().__init__()
        self.tok = nn.Embedding(cfg.vocab_size, cfg.text_dim)
        self.pos = nn.Parameter(torch.zeros(cfg.max_len, cfg.text_dim))
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos, std=0.01)
        self.blocks = nn.ModuleList([Block(cfg.text_dim, cfg.text_heads) for _ in range(cfg.text_layers)])
        self.ln = nn.LayerNorm(cfg.text_dim)
        self.proj = nn.Linear(cfg.text_dim * 2, cfg.embed_dim)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encode(self.tok(input_ids), attention_mask)

    def encode(self, token_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Everything after the token lookup (shared with the pruned-vocabulary export)."""
        n = token_embeds.shape[1]
        x = token_embeds + self.pos[:n]
        m = attention_mask.to(x.dtype)
        key_bias = (1.0 - m) * -1e4
        for b in self.blocks:
            x = b(x, key_bias)
        x = self.ln(x)
        mean = (x * m[..., None]).sum(1) / m.sum(1, keepdim=True).clamp(min=1.0)
        # EOS token = the last attended position (CLIP BPE puts EOS last)
        last = (m.sum(1) - 1).long().clamp(min=0)
        eos = x[torch.arange(x.shape[0]), last]
        return self.proj(torch.cat([mean, eos], -1))


def coords(x: torch.Tensor) -> torch.Tensor:
    b, _, h, w = x.shape
    ys = torch.linspace(-1, 1, h, dtype=x.dtype).view(1, 1, h, 1).expand(b, 1, h, w)
    xs = torch.linspace(-1, 1, w, dtype=x.dtype).view(1, 1, 1, w).expand(b, 1, h, w)
    return torch.cat([x, xs, ys], 1)


class FiLMStage(nn.Module):
    def __init__(self, cin: int, cout: int, emb: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin + 2, cout, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv_bn(cout, cout)
        self.film = nn.Linear(emb, cout * 2)
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        y = self.bn1(self.conv1(coords(x)))
        g, b = self.film(t).chunk(2, -1)
        y = F.relu(y * (1 + g[..., None, None]) + b[..., None, None])
        return self.conv2(y)


class Decoder(nn.Module):
    def __init__(self, cfg: CompactConfig):
        super().__init__()
        c, d, e = cfg.channels, cfg.decoder_channels, cfg.embed_dim
        self.t_in = nn.Sequential(nn.Linear(e, e), nn.GELU(), nn.Linear(e, e))
        self.bottom = FiLMStage(c[4], d[0], e)
        self.up = nn.ModuleList([FiLMStage(d[i] + c[3 - i], d[i + 1], e) for i in range(4)])
        self.head = nn.Conv2d(d[4], 1, 1)
        self.image_size = cfg.image_size

    def forward(self, f1, f2, f3, f4, f5, text_embeds):
        t = self.t_in(text_embeds)
        x = self.bottom(f5, t)
        for i, skip in enumerate((f4, f3, f2, f1)):
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = self.up[i](torch.cat([x, skip], 1), t)
        x = self.head(x)
        return F.interpolate(x, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False)


class CompactVLSM(nn.Module):
    def __init__(self, cfg: CompactConfig):
        super().__init__()
        self.cfg = cfg
        self.vision = ImageEncoder(cfg)
        self.text = TextEncoder(cfg)
        self.decoder = Decoder(cfg)

    def forward(self, pixel_values, input_ids, attention_mask):
        feats = self.vision(pixel_values)
        t = self.text(input_ids, attention_mask)
        return self.decoder(*feats, t)


# Wrappers with the bundle's graph I/O names.
class VisionGraph(nn.Module):
    def __init__(self, m: CompactVLSM):
        super().__init__()
        self.m = m.vision

    def forward(self, pixel_values):
        return tuple(self.m(pixel_values))


class TextGraph(nn.Module):
    def __init__(self, m: CompactVLSM):
        super().__init__()
        self.m = m.text

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask)


class DecoderGraph(nn.Module):
    def __init__(self, m: CompactVLSM):
        super().__init__()
        self.m = m.decoder

    def forward(self, feat1, feat2, feat3, feat4, feat5, text_embeds):
        return self.m(feat1, feat2, feat3, feat4, feat5, text_embeds)
