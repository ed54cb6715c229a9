"""CRIS (Wang et al., CVPR 2022, "CRIS: CLIP-Driven Referring Image Segmentation") in PyTorch, written for
export: module and parameter names follow the published checkpoints' state-dict keys (DerrickWang005/
CRIS.pytorch, `model/segmenter.py`, `model/layers.py`, `model/clip.py`; the DDP prefix `module.` removed),
so a published checkpoint loads strictly (`CRIS.from_state_dict`).

- `backbone`: CLIP with the modified ResNet (`visual`: 3-conv stem, anti-aliased bottlenecks; CRIS's
  attention pool keeps every position, adds a conv+BN shortcut `connect` and returns a map, not a vector)
  giving C3 (layer2), C4 (layer3), C5 (attnpool(layer4)); the text transformer (`transformer`,
  causal mask over `word_len` tokens) giving the word features (after `ln_final`, not projected) and the
  sentence feature (the EOT token's, projected by `text_projection`).
- `neck` (FPN): C5 x sentence, then C4, C3 fused into one map at 1/16.
- `decoder`: transformer layers: self-attention over pixels, cross-attention to the words (key padding mask =
  token id 0, CLIP's padding), FFN; sine position codes on both sides.
- `proj` (Projector): upsamples to 1/4 and applies a 3x3 kernel (+ bias) made from the sentence feature.

The export wrappers (`VisionGraph`, `TextGraph`, `DecoderGraph`) split it into the bundle's three graphs:
vision(pixel_values) -> c3, c4, c5; text(input_ids [1, word_len], 0-padded) -> word_embeds [1, L, W],
text_embeds [1, E], word_pad_mask int64 [1, L] (1 = padding); decoder(c3, c4, c5, word_embeds, text_embeds,
word_pad_mask) -> logits [1, 1, H/4, W/4].
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class CrisConfig:
    # CLIP modified ResNet (RN50: (3, 4, 6, 3), width 64, attnpool over a 7x7 grid, output 1024)
    vision_layers: tuple = (3, 4, 6, 3)
    vision_width: int = 64
    pool_grid: int = 7
    embed_dim: int = 1024
    # CLIP text transformer
    context_length: int = 77
    vocab_size: int = 49408
    text_width: int = 512
    text_heads: int = 8
    text_layers: int = 12
    word_len: int = 17
    # CRIS neck / decoder / projector
    fpn_in: list = field(default_factory=lambda: [512, 1024, 1024])
    fpn_out: list = field(default_factory=lambda: [256, 512, 1024])
    vis_dim: int = 512
    num_layers: int = 3
    num_head: int = 8
    dim_ffn: int = 2048
    word_dim: int = 1024
    input_size: int = 416

    def to_dict(self) -> dict:
        return asdict(self)


def rn50_config(word_len: int = 17, input_size: int = 416) -> CrisConfig:
    """config/refcoco/cris_r50.yaml: RN50, word_len 17, 416 px, 3 decoder layers of 8 heads."""
    return CrisConfig(word_len=word_len, input_size=input_size)


def tiny_config() -> CrisConfig:
    """A few-MB random CRIS for the tests (64 px, real CLIP vocabulary)."""
    return CrisConfig(vision_layers=(1, 1, 1, 1), vision_width=8, pool_grid=3, embed_dim=48,
                      text_width=32, text_heads=2, text_layers=2, word_len=17,
                      fpn_in=[64, 128, 48], fpn_out=[16, 32, 48], vis_dim=32, num_layers=2, num_head=4,
                      dim_ffn=64, word_dim=48, input_size=64)


# --- CLIP backbone -------------------------------------------------------------------------------------

class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.avgpool = nn.AvgPool2d(stride) if stride > 1 else nn.Identity()
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride > 1 or inplanes != planes * 4:
            # parameter-free avg-pool "-1" first, so the conv and BN keep the keys "0" and "1"
            self.downsample = nn.Sequential(OrderedDict([
                ("-1", nn.AvgPool2d(stride) if stride > 1 else nn.Identity()),
                ("0", nn.Conv2d(inplanes, planes * 4, 1, bias=False)),
                ("1", nn.BatchNorm2d(planes * 4)),
            ]))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(self.avgpool(out)))
        skip = x if self.downsample is None else self.downsample(x)
        return self.relu(out + skip)


class AttentionPool2d(nn.Module):
    """CRIS's attention pool: multi-head self-attention over every position of the C5 map (position
    embedding resized bicubically from the trained grid), plus a 1x1 conv+BN shortcut, ReLU."""

    def __init__(self, grid: int, embed_dim: int, num_heads: int, output_dim: int):
        super().__init__()
        self.grid = grid
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, embed_dim) / embed_dim ** 0.5)
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.c_proj = nn.Linear(embed_dim, output_dim)
        self.num_heads = num_heads
        self.connect = nn.Sequential(nn.Conv2d(embed_dim, output_dim, 1, bias=False), nn.BatchNorm2d(output_dim))

    def position(self, h: int, w: int) -> torch.Tensor:
        """[C, h*w]: the grid part of the position embedding (the class slot is unused) resized to h x w."""
        c = self.positional_embedding.shape[1]
        grid = self.positional_embedding[1:].reshape(1, self.grid, self.grid, c).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(h, w), mode="bicubic", align_corners=False)
        return grid.reshape(c, h * w)

    def forward(self, x, pos: torch.Tensor | None = None):
        b, c, h, w = x.shape
        res = self.connect(x)
        pos = self.position(h, w) if pos is None else pos
        t = (x.reshape(b, c, h * w) + pos).permute(0, 2, 1)  # b, hw, c
        heads, d = self.num_heads, c // self.num_heads

        def split(y):
            return y.reshape(b, h * w, heads, d).transpose(1, 2)  # b, heads, hw, d
        q, k, v = split(self.q_proj(t)), split(self.k_proj(t)), split(self.v_proj(t))
        att = torch.softmax((q * d ** -0.5) @ k.transpose(-2, -1), dim=-1)
        out = self.c_proj((att @ v).transpose(1, 2).reshape(b, h * w, c))
        out = out.permute(0, 2, 1).reshape(b, -1, h, w)
        return F.relu(out + res)


class ModifiedResNet(nn.Module):
    def __init__(self, layers, output_dim: int, heads: int, grid: int, width: int = 64):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width // 2, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2)
        self.conv2 = nn.Conv2d(width // 2, width // 2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width // 2)
        self.conv3 = nn.Conv2d(width // 2, width, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(width)
        self.avgpool = nn.AvgPool2d(2)
        self.relu = nn.ReLU()
        self._inplanes = width
        self.layer1 = self._make_layer(width, layers[0])
        self.layer2 = self._make_layer(width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(width * 8, layers[3], stride=2)
        self.attnpool = AttentionPool2d(grid, width * 32, heads, output_dim)

    def _make_layer(self, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        layers = [Bottleneck(self._inplanes, planes, stride)]
        self._inplanes = planes * 4
        layers += [Bottleneck(self._inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x, pool_pos: torch.Tensor | None = None):
        for conv, bn in ((self.conv1, self.bn1), (self.conv2, self.bn2), (self.conv3, self.bn3)):
            x = self.relu(bn(conv(x)))
        x = self.layer1(self.avgpool(x))
        c3 = self.layer2(x)
        c4 = self.layer3(c3)
        c5 = self.attnpool(self.layer4(c4), pool_pos)
        return c3, c4, c5


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model: int, n_head: int):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(d_model, d_model * 4)), ("gelu", QuickGELU()), ("c_proj", nn.Linear(d_model * 4, d_model)),
        ]))
        self.ln_2 = nn.LayerNorm(d_model)

    def forward(self, x, mask):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width: int, layers: int, heads: int):
        super().__init__()
        self.resblocks = nn.ModuleList([ResidualAttentionBlock(width, heads) for _ in range(layers)])

    def forward(self, x, mask):
        for block in self.resblocks:
            x = block(x, mask)
        return x


class CLIPBackbone(nn.Module):
    """CLIP RN as CRIS uses it: encode_image -> (C3, C4, C5); encode_text -> (words [b, L, W], state [b, E])."""

    def __init__(self, cfg: CrisConfig):
        super().__init__()
        self.word_len = cfg.word_len
        self.visual = ModifiedResNet(cfg.vision_layers, cfg.embed_dim, cfg.vision_width * 32 // 64, cfg.pool_grid,
                                     cfg.vision_width)
        self.transformer = Transformer(cfg.text_width, cfg.text_layers, cfg.text_heads)
        self.token_embedding = nn.Embedding(cfg.vocab_size, cfg.text_width)
        self.positional_embedding = nn.Parameter(torch.randn(cfg.context_length, cfg.text_width) * 0.01)
        self.ln_final = nn.LayerNorm(cfg.text_width)
        self.text_projection = nn.Parameter(torch.randn(cfg.text_width, cfg.embed_dim) * cfg.text_width ** -0.5)
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(1 / 0.07))  # in the checkpoints; unused here

    def encode_image(self, image, pool_pos: torch.Tensor | None = None):
        return self.visual(image, pool_pos)

    def encode_text(self, ids):
        n = ids.shape[1]
        causal = torch.full((n, n), float("-inf"), device=ids.device).triu(1)
        x = self.token_embedding(ids) + self.positional_embedding[:n]
        x = self.transformer(x.permute(1, 0, 2), causal).permute(1, 0, 2)
        x = self.ln_final(x)
        # CLIP pools at the EOT token, the highest id: the first position holding the sequence's maximum
        # (compared as int64, so no float rounding can confuse 49406 with 49407).
        eot = (ids == ids.max(dim=-1, keepdim=True).values).to(torch.float32).argmax(dim=-1)
        state = x[torch.arange(x.shape[0]), eot] @ self.text_projection
        return x, state


# --- CRIS neck, decoder, projector ---------------------------------------------------------------------

def conv_layer(cin: int, cout: int, k: int = 1, pad: int = 0, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


def linear_layer(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(cin, cout, bias=False), nn.BatchNorm1d(cout), nn.ReLU())


class CoordConv(nn.Module):
    def __init__(self, cin: int, cout: int, k: int = 3, pad: int = 1):
        super().__init__()
        self.conv1 = conv_layer(cin + 2, cout, k, pad)

    def forward(self, x):
        b, _, h, w = x.shape
        ys = torch.linspace(-1, 1, h, device=x.device).reshape(1, 1, h, 1).expand(b, 1, h, w)
        xs = torch.linspace(-1, 1, w, device=x.device).reshape(1, 1, 1, w).expand(b, 1, h, w)
        return self.conv1(torch.cat([x, xs, ys], 1))


class FPN(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        i3, i4, i5 = in_channels
        o3, o4, o5 = out_channels
        self.txt_proj = linear_layer(i5, o5)
        self.f1_v_proj = conv_layer(i5, o5, 1, 0)
        self.norm_layer = nn.Sequential(nn.BatchNorm2d(o5), nn.ReLU())
        self.f2_v_proj = conv_layer(i4, o4, 3, 1)
        self.f2_cat = conv_layer(o5 + o4, o4, 1, 0)
        self.f3_v_proj = conv_layer(i3, o3, 3, 1)
        self.f3_cat = conv_layer(o3 + o4, o4, 1, 0)
        self.f4_proj5 = conv_layer(o5, o4, 3, 1)
        self.f4_proj4 = conv_layer(o4, o4, 3, 1)
        self.f4_proj3 = conv_layer(o4, o4, 3, 1)
        self.aggr = conv_layer(3 * o4, o4, 1, 0)
        self.coordconv = nn.Sequential(CoordConv(o4, o4, 3, 1), conv_layer(o4, o4, 3, 1))

    def forward(self, feats, state):
        c3, c4, c5 = feats
        s = self.txt_proj(state)[:, :, None, None]
        f5 = self.norm_layer(self.f1_v_proj(c5) * s)
        up5 = F.interpolate(f5, scale_factor=2.0, mode="bilinear", align_corners=False)
        f4 = self.f2_cat(torch.cat([self.f2_v_proj(c4), up5], 1))
        f3 = F.avg_pool2d(self.f3_v_proj(c3), 2, 2)
        f3 = self.f3_cat(torch.cat([f3, f4], 1))
        q5 = F.interpolate(self.f4_proj5(f5), scale_factor=2.0, mode="bilinear", align_corners=False)
        fq = self.aggr(torch.cat([self.f4_proj3(f3), self.f4_proj4(f4), q5], 1))
        return self.coordconv(fq)


def sine_1d(d: int, length: int) -> torch.Tensor:
    """[length, 1, d]: sin on even channels, cos on odd ones."""
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * -(math.log(10000.0) / d))
    pe = torch.zeros(length, d)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)
    return pe[:, None, :]


def sine_2d(d: int, h: int, w: int) -> torch.Tensor:
    """[h*w, 1, d]: the first half of the channels code x (sin/cos interleaved), the second half y."""
    half = d // 2
    freq = torch.exp(torch.arange(0.0, half, 2) * -(math.log(10000.0) / half))
    px = torch.arange(0.0, w)[:, None] * freq  # w, half/2
    py = torch.arange(0.0, h)[:, None] * freq  # h, half/2
    pe = torch.zeros(d, h, w)
    pe[0:half:2] = torch.sin(px).t()[:, None, :].expand(-1, h, -1)
    pe[1:half:2] = torch.cos(px).t()[:, None, :].expand(-1, h, -1)
    pe[half::2] = torch.sin(py).t()[:, :, None].expand(-1, -1, w)
    pe[half + 1::2] = torch.cos(py).t()[:, :, None].expand(-1, -1, w)
    return pe.reshape(d, 1, h * w).permute(2, 1, 0)


class TransformerDecoderLayer(nn.Module):
    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float = 0.1):
        super().__init__()
        self.self_attn_norm = nn.LayerNorm(d_model)
        self.cross_attn_norm = nn.LayerNorm(d_model)
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout)
        self.multihead_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, kdim=d_model, vdim=d_model)
        self.ffn = nn.Sequential(nn.Linear(d_model, dim_feedforward), nn.ReLU(), nn.Dropout(dropout),
                                 nn.LayerNorm(dim_feedforward), nn.Linear(dim_feedforward, d_model))
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)

    def forward(self, vis, txt, vis_pos, txt_pos, pad_mask):
        y = self.norm1(vis)
        qk = y + vis_pos
        vis = vis + self.dropout1(self.self_attn_norm(self.self_attn(qk, qk, value=y, need_weights=False)[0]))
        y = self.norm2(vis)
        y = self.multihead_attn(query=y + vis_pos, key=txt + txt_pos, value=txt, key_padding_mask=pad_mask,
                                need_weights=False)[0]
        vis = vis + self.dropout2(self.cross_attn_norm(y))
        return vis + self.dropout3(self.ffn(self.norm3(vis)))


class TransformerDecoder(nn.Module):
    def __init__(self, num_layers: int, d_model: int, nhead: int, dim_ffn: int, dropout: float = 0.1):
        super().__init__()
        self.layers = nn.ModuleList([TransformerDecoderLayer(d_model, nhead, dim_ffn, dropout) for _ in range(num_layers)])
        self.norm = nn.LayerNorm(d_model)

    def forward(self, vis, txt, pad_mask):
        b, c, h, w = vis.shape
        vis_pos = sine_2d(c, h, w).to(vis)
        txt_pos = sine_1d(txt.shape[2], txt.shape[1]).to(txt)
        out = vis.reshape(b, c, h * w).permute(2, 0, 1)
        txt = txt.permute(1, 0, 2)
        for layer in self.layers:
            out = layer(out, txt, vis_pos, txt_pos, pad_mask)
        return self.norm(out).permute(1, 2, 0)  # b, c, hw


class Projector(nn.Module):
    def __init__(self, word_dim: int, in_dim: int, kernel_size: int = 3):
        super().__init__()
        self.in_dim, self.kernel_size = in_dim, kernel_size
        self.vis = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="bilinear"), conv_layer(in_dim * 2, in_dim * 2, 3, 1),
            nn.Upsample(scale_factor=2, mode="bilinear"), conv_layer(in_dim * 2, in_dim, 3, 1),
            nn.Conv2d(in_dim, in_dim, 1))
        self.txt = nn.Linear(word_dim, in_dim * kernel_size * kernel_size + 1)

    def forward(self, x, state):
        x = self.vis(x)
        b, c, h, w = x.shape
        k = self.txt(state)
        weight = k[:, :-1].reshape(b, c, self.kernel_size, self.kernel_size)
        # one kernel per sample: sample i's channels form group i
        out = F.conv2d(x.reshape(1, b * c, h, w), weight, bias=k[:, -1], padding=self.kernel_size // 2, groups=b)
        return out.transpose(0, 1)  # b, 1, h, w


class CRIS(nn.Module):
    def __init__(self, cfg: CrisConfig):
        super().__init__()
        self.config = cfg
        self.backbone = CLIPBackbone(cfg)
        self.neck = FPN(cfg.fpn_in, cfg.fpn_out)
        self.decoder = TransformerDecoder(cfg.num_layers, cfg.vis_dim, cfg.num_head, cfg.dim_ffn)
        self.proj = Projector(cfg.word_dim, cfg.vis_dim // 2, 3)

    def decode(self, feats, words, state, pad_mask):
        fq = self.neck(feats, state)
        b, c, h, w = fq.shape
        fq = self.decoder(fq, words, pad_mask).reshape(b, c, h, w)
        return self.proj(fq, state)

    def forward(self, img, word):
        """img [b,3,H,W] normalised with CLIP's mean/std; word [b, word_len] CLIP ids, 0-padded -> logits [b,1,H/4,W/4]."""
        pad_mask = word == 0
        feats = self.backbone.encode_image(img)
        words, state = self.backbone.encode_text(word)
        return self.decode(feats, words, state, pad_mask)

    @classmethod
    def from_state_dict(cls, state_dict: dict, word_len: int = 17, num_head: int = 8, input_size: int = 416,
                        text_heads: int | None = None) -> "CRIS":
        """Builds the model a CRIS checkpoint describes (sizes read from its tensors, as CLIP's build_model
        does; `num_head` and `word_len` are not in the weights, the text heads follow CLIP's width // 64 unless
        given) and loads it strictly. Raises ValueError listing the missing and unexpected keys."""
        sd = strip_prefix(state_dict)
        cfg = config_from_state_dict(sd, word_len=word_len, num_head=num_head, input_size=input_size)
        if text_heads:
            cfg.text_heads = text_heads
        model = cls(cfg)
        missing, unexpected = model.load_state_dict(sd, strict=False)
        if missing or unexpected:
            raise ValueError(key_report(missing, unexpected))
        return model.eval()


# --- checkpoints ---------------------------------------------------------------------------------------

# Keys of OpenAI's JIT CLIP state dict that are not parameters (build_model deletes them too).
NON_PARAMETER_KEYS = ("input_resolution", "context_length", "vocab_size")


def strip_prefix(state_dict: dict) -> dict:
    """A training checkpoint's weights: {'state_dict': ...} unwrapped, the DDP prefix 'module.' removed,
    CLIP's non-parameter entries dropped."""
    if "state_dict" in state_dict and isinstance(state_dict["state_dict"], dict):
        state_dict = state_dict["state_dict"]
    out = {}
    for k, v in state_dict.items():
        k = k[len("module."):] if k.startswith("module.") else k
        if k.split(".")[-1] in NON_PARAMETER_KEYS and k.count(".") <= 1:
            continue
        out[k] = v
    return out


def key_report(missing, unexpected, limit: int = 20) -> str:
    def show(keys):
        keys = list(keys)
        more = f" ... and {len(keys) - limit} more" if len(keys) > limit else ""
        return ", ".join(keys[:limit]) + more
    lines = ["the checkpoint does not match the CRIS architecture (strict load):"]
    if missing:
        lines.append(f"  missing keys ({len(missing)}): {show(missing)}")
    if unexpected:
        lines.append(f"  unexpected keys ({len(unexpected)}): {show(unexpected)}")
    return "\n".join(lines)


def _count(sd: dict, prefix: str) -> int:
    pat = re.compile(re.escape(prefix) + r"(\d+)\.")
    return len({m.group(1) for k in sd for m in [pat.match(k)] if m})


def config_from_state_dict(sd: dict, word_len: int = 17, num_head: int = 8, input_size: int = 416) -> CrisConfig:
    need = ["backbone.visual.layer1.0.conv1.weight", "backbone.visual.attnpool.positional_embedding",
            "backbone.visual.attnpool.c_proj.weight", "backbone.positional_embedding", "backbone.token_embedding.weight",
            "backbone.ln_final.weight", "neck.f1_v_proj.0.weight", "neck.f2_v_proj.0.weight", "neck.f3_v_proj.0.weight",
            "decoder.norm.weight", "decoder.layers.0.ffn.0.weight", "proj.txt.weight"]
    absent = [k for k in need if k not in sd]
    if absent:
        if any(k.startswith("visual.") for k in sd) and not any(k.startswith("backbone.") for k in sd):
            raise ValueError("this looks like a plain CLIP state dict, not a CRIS checkpoint (no backbone./neck./decoder. keys)")
        raise ValueError("not a CRIS (CLIP ResNet) checkpoint: missing " + ", ".join(absent))
    layers = tuple(_count(sd, f"backbone.visual.layer{i}.") for i in (1, 2, 3, 4))
    width = sd["backbone.visual.layer1.0.conv1.weight"].shape[0]
    grid = round((sd["backbone.visual.attnpool.positional_embedding"].shape[0] - 1) ** 0.5)
    text_width = sd["backbone.ln_final.weight"].shape[0]
    fpn = [sd[f"neck.{n}.0.weight"] for n in ("f3_v_proj", "f2_v_proj", "f1_v_proj")]
    return CrisConfig(
        vision_layers=layers, vision_width=width, pool_grid=grid,
        embed_dim=sd["backbone.visual.attnpool.c_proj.weight"].shape[0],
        context_length=sd["backbone.positional_embedding"].shape[0],
        vocab_size=sd["backbone.token_embedding.weight"].shape[0],
        text_width=text_width, text_heads=max(1, text_width // 64),
        text_layers=_count(sd, "backbone.transformer.resblocks."), word_len=word_len,
        fpn_in=[int(w.shape[1]) for w in fpn], fpn_out=[int(w.shape[0]) for w in fpn],
        vis_dim=sd["decoder.norm.weight"].shape[0], num_layers=_count(sd, "decoder.layers."), num_head=num_head,
        dim_ffn=sd["decoder.layers.0.ffn.0.weight"].shape[0], word_dim=sd["proj.txt.weight"].shape[1],
        input_size=input_size)


def random_cris(cfg: CrisConfig, seed: int = 0) -> CRIS:
    """Random weights with non-trivial BatchNorm statistics (eval mode), for tests and benchmarks."""
    torch.manual_seed(seed)
    model = CRIS(cfg)
    g = torch.Generator().manual_seed(seed + 1)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.weight.data = 0.5 + torch.rand(n, generator=g)
            m.bias.data = 0.2 * torch.randn(n, generator=g)
            m.running_mean.data = 0.2 * torch.randn(n, generator=g)
            m.running_var.data = 0.5 + torch.rand(n, generator=g)
    return model.eval()


# --- export wrappers -----------------------------------------------------------------------------------

class VisionGraph(nn.Module):
    """pixel_values -> c3, c4, c5 at a fixed input size (the attention pool's resized position embedding is
    computed once here, so the graph holds no bicubic resize)."""

    def __init__(self, model: CRIS, size: int):
        super().__init__()
        self.backbone = model.backbone
        cells = size // 32
        with torch.no_grad():
            pos = self.backbone.visual.attnpool.position(cells, cells)
        self.register_buffer("pool_pos", pos.detach().clone(), persistent=False)

    def forward(self, pixel_values):
        return self.backbone.encode_image(pixel_values, self.pool_pos)


class TextGraph(nn.Module):
    """input_ids [1, word_len] (CLIP ids, 0-padded) -> word_embeds [1, L, W], text_embeds [1, E],
    word_pad_mask int64 [1, L] (1 where the id is 0: CRIS's padding mask)."""

    def __init__(self, model: CRIS):
        super().__init__()
        self.backbone = model.backbone

    def forward(self, input_ids):
        words, state = self.backbone.encode_text(input_ids)
        return words, state, (input_ids == 0).to(torch.int64)


class DecoderGraph(nn.Module):
    """c3, c4, c5, word_embeds, text_embeds, word_pad_mask -> logits [1, 1, H/4, W/4]."""

    def __init__(self, model: CRIS):
        super().__init__()
        self.model = model

    def forward(self, c3, c4, c5, word_embeds, text_embeds, word_pad_mask):
        return self.model.decode((c3, c4, c5), word_embeds, text_embeds, word_pad_mask != 0)
