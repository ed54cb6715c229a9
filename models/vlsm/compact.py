"""The compact default VLSM: a small CNN image encoder, a small transformer over CLIP BPE tokens, and a
text-conditioned decoder with coordinate channels (so prompts about location and laterality can be obeyed).
Two architectures (CompactConfig.arch):

- "film-unet" (v1, the bundle shipped until issue 11): vision(pixel_values) -> feat1..feat5 (strides 2-32),
  decoder(feat1..feat5, text_embeds) -> logits, a FiLM U-Net that runs every scale per prompt (~1.4 GMAC).
- "fpn-film" (v2, prompts at prompt speed): everything that does not depend on the prompt runs once per image
  in the vision graph: the encoder plus a feature pyramid fused to two maps, pix8 (stride 8, semantic) and pix4
  (stride 4, detail). The per-prompt decoder(pix8, pix4, text_embeds) -> logits is small (~60 MMAC at 256 px):
  FiLM + text-pixel dot product at stride 8, two convolutions, one fusion with pix4 at stride 4, and a
  pixel-shuffle head that emits the full-resolution logits (upsampling only at the very end).

Both split into the same three graphs as CLIPSeg; text(input_ids, attention_mask) -> text_embeds is shared.
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
    arch: str = "film-unet"
    fpn_channels: tuple[int, ...] = (96, 32)  # fpn-film: pix8, pix4 channels
    head_channels: tuple[int, ...] = (48, 32, 16)  # fpn-film: stride-8 convs, stride-4 conv
    context: str = ""  # fpn-film: "" (none, v2 phases 1-7) or "aspp" (ImageContext on f5 and f4, phase 8)

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("channels", "decoder_channels", "fpn_channels", "head_channels"):
            d[k] = list(getattr(self, k))
        return d

    @staticmethod
    def from_dict(d: dict) -> "CompactConfig":
        d = dict(d)
        for k in ("channels", "decoder_channels", "fpn_channels", "head_channels"):
            if k in d:
                d[k] = tuple(d[k])
        return CompactConfig(**d)


def v2_config(image_size: int = 256) -> CompactConfig:
    """The prompt-fast default (issue 11): ~0.8 GMAC vision at 256 px, ~60 MMAC per prompt."""
    return CompactConfig(image_size=image_size, channels=(24, 48, 96, 160, 256), arch="fpn-film",
                         fpn_channels=(96, 32), head_channels=(48, 32, 16))


def conv_bn(cin: int, cout: int, stride: int = 1, k: int = 3, dilation: int = 1) -> nn.Sequential:
    """conv (no bias) -> BN -> ReLU as a '<seq>.0' / '<seq>.1' pair, the layout the export folds and
    vlsm.finetune maps back."""
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, dilation * (k // 2), dilation, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


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


def space_to_depth2(x: torch.Tensor) -> torch.Tensor:
    return F.pixel_unshuffle(x, 2)


class ImageContext(nn.Module):
    """ASPP-style image context (CompactConfig.context = "aspp"): parallel 1x1 and dilated 3x3 branches (each
    conv-BN-ReLU), optionally a global-average-pool branch (1x1 conv + ReLU, broadcast back), concatenated and
    projected by a 1x1 conv to the pyramid's width. The projection starts at zero (weights and bias), so a
    model given this module on top of weights trained without it computes exactly what it did before."""

    def __init__(self, cin: int, branch: int, cout: int, dilations: tuple[int, ...], pool: bool):
        super().__init__()
        self.b1 = conv_bn(cin, branch, k=1)
        self.dil = nn.ModuleList(conv_bn(cin, branch, dilation=d) for d in dilations)
        self.pool = nn.Conv2d(cin, branch, 1) if pool else None
        self.proj = nn.Conv2d(branch * (1 + len(dilations) + int(pool)), cout, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ys = [self.b1(x)] + [b(x) for b in self.dil]
        if self.pool is not None:
            g = F.relu(self.pool(x.mean((2, 3), keepdim=True)))
            ys.append(g.expand(-1, -1, x.shape[-2], x.shape[-1]))
        return self.proj(torch.cat(ys, 1))


class PyramidVision(nn.Module):
    """fpn-film vision graph: encoder + top-down pyramid, fused to pix8 (stride 8) and pix4 (stride 4).
    With cfg.context == "aspp" (phase 8), an ImageContext on f5 (stride 32: 1x1, 3x3 at dilations 2 and 4, global
    pool; 8x8 at 256 px, so the dilation-4 branch and the pool see the whole image) is added to lat5(f5), and a
    lighter one on f4 (stride 16: 1x1, 3x3 at dilations 2 and 4) to the stride-16 pyramid level; both start at
    zero, so weights trained without them give the same outputs."""

    def __init__(self, cfg: CompactConfig):
        super().__init__()
        c, (f8, f4) = cfg.channels, cfg.fpn_channels
        self.enc = ImageEncoder(cfg)
        self.lat5, self.lat4, self.lat3 = nn.Conv2d(c[4], f8, 1), nn.Conv2d(c[3], f8, 1), nn.Conv2d(c[2], f8, 1)
        self.smooth8 = conv_bn(f8 + 2, f8)
        self.lat2 = nn.Conv2d(c[1], f4, 1)
        self.lat1 = nn.Conv2d(4 * c[0], f4, 1)
        self.down8 = nn.Conv2d(f8, f4, 1)
        self.smooth4 = conv_bn(f4 + 2, f4)
        if cfg.context not in ("", "aspp"):
            raise ValueError(f"unknown image context {cfg.context!r} (\"\" or \"aspp\")")
        self.ctx5 = ImageContext(c[4], 96, f8, (2, 4), True) if cfg.context == "aspp" else None
        self.ctx4 = ImageContext(c[3], 48, f8, (2, 4), False) if cfg.context == "aspp" else None

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f1, f2, f3, f4, f5 = self.enc(x)
        p = self.lat5(f5)
        if self.ctx5 is not None:
            p = p + self.ctx5(f5)
        p = self.lat4(f4) + F.interpolate(p, size=f4.shape[-2:], mode="bilinear", align_corners=False)
        if self.ctx4 is not None:
            p = p + self.ctx4(f4)
        p = self.lat3(f3) + F.interpolate(p, size=f3.shape[-2:], mode="bilinear", align_corners=False)
        pix8 = self.smooth8(coords(p))
        q = self.lat2(f2) + self.lat1(space_to_depth2(f1)) + F.interpolate(self.down8(pix8), size=f2.shape[-2:], mode="bilinear", align_corners=False)
        pix4 = self.smooth4(coords(q))
        return pix8, pix4


class PromptDecoder(nn.Module):
    """fpn-film per-prompt path: text -> FiLM + dot-product query at stride 8 -> two convs -> x2 -> fuse with the
    text-modulated pix4 -> conv -> 1x1 to 16 sub-pixels -> pixel shuffle x4 = logits at the input size.
    No normalisation layers, so a batch of prompts per image behaves like one prompt at a time."""

    def __init__(self, cfg: CompactConfig):
        super().__init__()
        (f8, f4), (h1, h2, h3), e = cfg.fpn_channels, cfg.head_channels, cfg.embed_dim
        self.f8, self.f4 = f8, f4
        self.t_in = nn.Sequential(nn.Linear(e, e), nn.GELU(), nn.Linear(e, e))
        self.film8 = nn.Linear(e, 2 * f8)
        self.q8 = nn.Linear(e, f8)
        self.mid_film = nn.Linear(e, 2 * h1)
        self.film4 = nn.Linear(e, 2 * f4)
        self.q4 = nn.Linear(e, f4)
        for lin in (self.film8, self.mid_film, self.film4):
            nn.init.zeros_(lin.weight)
            nn.init.zeros_(lin.bias)
        self.in8 = nn.Conv2d(f8 + 3, h1, 1)
        self.conv8a = nn.Conv2d(h1, h1, 3, 1, 1)
        self.conv8b = nn.Conv2d(h1, h2, 3, 1, 1)
        self.in4 = nn.Conv2d(h2 + f4 + 1, h3 + 8, 1)
        self.conv4 = nn.Conv2d(h3 + 8, h3, 3, 1, 1)
        self.head = nn.Conv2d(h3, 16, 1)
        self.image_size = cfg.image_size

    @staticmethod
    def _film(x: torch.Tensor, gb: torch.Tensor) -> torch.Tensor:
        g, b = gb.chunk(2, -1)
        return x * (1 + g[..., None, None]) + b[..., None, None]

    def forward(self, pix8: torch.Tensor, pix4: torch.Tensor, text_embeds: torch.Tensor) -> torch.Tensor:
        t = self.t_in(text_embeds)
        if pix8.shape[0] != t.shape[0]:  # several prompts over one image (training): broadcast the features
            pix8, pix4 = pix8.expand(t.shape[0], -1, -1, -1), pix4.expand(t.shape[0], -1, -1, -1)
        s8 = (pix8 * self.q8(t)[..., None, None]).sum(1, keepdim=True) / math.sqrt(self.f8)
        x = torch.cat([F.relu(self._film(pix8, self.film8(t))), s8], 1)
        x = F.relu(self.in8(coords(x)))
        x = F.relu(self._film(self.conv8a(x), self.mid_film(t)))
        x = F.relu(self.conv8b(x))
        x = F.interpolate(x, size=pix4.shape[-2:], mode="bilinear", align_corners=False)
        s4 = (pix4 * self.q4(t)[..., None, None]).sum(1, keepdim=True) / math.sqrt(self.f4)
        y = torch.cat([x, F.relu(self._film(pix4, self.film4(t))), s4], 1)
        y = F.relu(self.in4(y))
        y = F.relu(self.conv4(y))
        y = F.pixel_shuffle(self.head(y), 4)
        if y.shape[-1] != self.image_size or y.shape[-2] != self.image_size:
            y = F.interpolate(y, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False)
        return y


class CompactVLSM(nn.Module):
    def __init__(self, cfg: CompactConfig):
        super().__init__()
        self.cfg = cfg
        self.text = TextEncoder(cfg)
        if cfg.arch == "fpn-film":
            self.vision = PyramidVision(cfg)
            self.decoder = PromptDecoder(cfg)
        elif cfg.arch == "film-unet":
            self.vision = ImageEncoder(cfg)
            self.decoder = Decoder(cfg)
        else:
            raise ValueError(f"unknown compact architecture {cfg.arch!r}")

    @property
    def feature_names(self) -> list[str]:
        return ["pix8", "pix4"] if self.cfg.arch == "fpn-film" else [f"feat{i}" for i in range(1, 6)]

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
    """decoder(*features, text_embeds) -> logits; the feature inputs are named by CompactVLSM.feature_names."""

    def __init__(self, m: CompactVLSM):
        super().__init__()
        self.m = m.decoder

    def forward(self, *args):
        return self.m(*args)
