"""BiomedCLIPSeg and BiomedCLIPSeg-D (medvlsm study, arXiv 2308.07706) in PyTorch, with the module names of
the published checkpoints, plus the three exportable graphs (vision, text, decoder).

The model is BiomedCLIP's two encoders with CLIPSeg's decoder:
- `biomedclip.visual`: open_clip's TimmModel around timm's `vit_base_patch16_224` (`trunk`: patch_embed.proj,
  cls_token, pos_embed, blocks.N.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}, norm; LayerNorm eps 1e-6,
  exact GELU) and its projection `head.proj` (768 -> 512, no bias; unused by the decoder);
- `biomedclip.text`: open_clip's HFTextEncoder around PubMedBERT (`transformer`, a transformers BertModel,
  pooled at the [CLS] token of the last hidden state) and its MLP projection `proj` (768 -> 640 -> 512, GELU,
  no biases); `biomedclip.logit_scale`;
- `decoder`: transformers' CLIPSegDecoder with the CIDAS/clipseg-rd64-refined configuration (reduce dim 64,
  three extract layers, FiLM on the projected text embedding, complex transposed-convolution head).

BiomedCLIPSeg and BiomedCLIPSeg-D share this architecture and its state_dict keys: the "-D" model's decoder
was initialised from CLIPSeg's pretrained decoder before fine-tuning (medvlsm's `rand_init_decoder: false`),
BiomedCLIPSeg's from random weights. The published Lightning checkpoints hold these keys under `net.`.

The decoder reads the hidden states after ViT blocks 4, 7 and 10 (0-based) for extract layers [3, 6, 9]: the
reference indexes a list of block outputs that, unlike transformers' hidden_states, has no embedding entry
at 0, with `i + 1` (`vision_blocks`). Here, as there, the text runs unpadded or padded with an attention mask
(the [CLS] state does not depend on padding after the prompt).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace

import torch
from torch import nn
from transformers import BertConfig, BertModel, CLIPSegConfig
from transformers.models.clipseg.modeling_clipseg import CLIPSegDecoder

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
VARIANTS = ("biomedclipseg", "biomedclipseg-d")


@dataclass(frozen=True)
class BiomedCLIPSegConfig:
    """Defaults: the published models (ViT-B/16 at 224 px, PubMedBERT-base, context 256, CLIPSeg rd64 decoder)."""

    image_size: int = 224
    patch_size: int = 16
    vision_width: int = 768
    vision_layers: int = 12
    vision_heads: int = 12
    vision_mlp: int = 3072
    embed_dim: int = 512
    text_vocab: int = 30522
    text_width: int = 768
    text_layers: int = 12
    text_heads: int = 12
    text_mlp: int = 3072
    text_positions: int = 512
    text_pooler_layer: bool = False  # BertModel.pooler.dense, in some exports; unused ([CLS] of the last state)
    context_length: int = 256
    pad_token_id: int = 0
    extract_layers: tuple[int, ...] = (3, 6, 9)
    reduce_dim: int = 64
    decoder_heads: int = 4
    decoder_mlp: int = 2048
    complex_transposed_conv: bool = True
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def vision_blocks(self) -> list[int]:
        """0-based ViT blocks whose outputs the decoder reads (extract layer i -> block i + 1, as medvlsm)."""
        return [i + 1 for i in self.extract_layers]

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        d["extract_layers"] = list(self.extract_layers)
        return d


def tiny_config(**overrides) -> BiomedCLIPSegConfig:
    """The same structure at toy width for fast tests (64 px, 4x4 patches of 16 px)."""
    cfg = BiomedCLIPSegConfig(image_size=64, vision_width=32, vision_layers=5, vision_heads=2, vision_mlp=64,
                              embed_dim=24, text_width=32, text_layers=2, text_heads=2, text_mlp=64, text_positions=64,
                              context_length=64, reduce_dim=16, decoder_heads=2, decoder_mlp=32, extract_layers=(1, 2, 3))
    return replace(cfg, **overrides)


def clipseg_config(cfg: BiomedCLIPSegConfig) -> CLIPSegConfig:
    """The CLIPSegConfig whose decoder fits the BiomedCLIP encoders (the rd64-refined decoder at full size)."""
    c = CLIPSegConfig(
        vision_config={"hidden_size": cfg.vision_width, "patch_size": cfg.patch_size, "image_size": cfg.image_size,
                       "num_attention_heads": cfg.vision_heads, "intermediate_size": cfg.vision_mlp},
        text_config={"hidden_size": cfg.text_width, "num_attention_heads": cfg.text_heads, "intermediate_size": cfg.text_mlp},
        projection_dim=cfg.embed_dim, reduce_dim=cfg.reduce_dim, extract_layers=list(cfg.extract_layers),
        decoder_num_attention_heads=cfg.decoder_heads, decoder_intermediate_size=cfg.decoder_mlp,
        use_complex_transposed_convolution=cfg.complex_transposed_conv, conditional_layer=0,
    )
    return _eager(c)


def _eager(config):
    """Plain MatMul + Softmax attention (exports cleanly, int8 quantises well), set on every (sub)config."""
    for c in (config, getattr(config, "text_config", None), getattr(config, "vision_config", None)):
        if c is not None:
            c._attn_implementation = "eager"
    return config


# --- vision: timm VisionTransformer names -------------------------------------------------------------------

class PatchEmbed(nn.Module):
    def __init__(self, patch: int, width: int):
        super().__init__()
        self.proj = nn.Conv2d(3, width, patch, patch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        if width % heads:
            raise ValueError(f"vision width {width} is not a multiple of {heads} heads")
        self.num_heads = heads
        self.scale = (width // heads) ** -0.5
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, width: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, width: int, heads: int, mlp: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.attn = Attention(width, heads)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.mlp = Mlp(width, mlp)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    """timm's ViT with a class token, learnt absolute positions, no pre-norm and no classifier."""

    def __init__(self, cfg: BiomedCLIPSegConfig):
        super().__init__()
        if cfg.image_size % cfg.patch_size:
            raise ValueError(f"image size {cfg.image_size} is not a multiple of the patch size {cfg.patch_size}")
        tokens = (cfg.image_size // cfg.patch_size) ** 2 + 1
        self.patch_embed = PatchEmbed(cfg.patch_size, cfg.vision_width)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.vision_width))
        self.pos_embed = nn.Parameter(torch.randn(1, tokens, cfg.vision_width) * 0.02)
        self.blocks = nn.ModuleList(Block(cfg.vision_width, cfg.vision_heads, cfg.vision_mlp) for _ in range(cfg.vision_layers))
        self.norm = nn.LayerNorm(cfg.vision_width, eps=1e-6)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x)
        return torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed

    def block_outputs(self, x: torch.Tensor, upto: int | None = None) -> list[torch.Tensor]:
        """Hidden state after each block (0-based), up to and including block `upto`."""
        h = self.embed(x)
        outs = []
        for blk in self.blocks[: None if upto is None else upto + 1]:
            h = blk(h)
            outs.append(h)
        return outs


class TimmVisual(nn.Module):
    """open_clip's TimmModel: `trunk` plus `head` (drop, proj)."""

    def __init__(self, cfg: BiomedCLIPSegConfig):
        super().__init__()
        self.trunk = VisionTransformer(cfg)
        self.head = nn.Sequential(OrderedDict(drop=nn.Dropout(0.0), proj=nn.Linear(cfg.vision_width, cfg.embed_dim, bias=False)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.trunk.norm(self.trunk.block_outputs(x)[-1])
        return self.head(h[:, 0])


# --- text: open_clip HFTextEncoder around transformers' BertModel -----------------------------------------

def bert_config(cfg: BiomedCLIPSegConfig) -> BertConfig:
    return _eager(BertConfig(vocab_size=cfg.text_vocab, hidden_size=cfg.text_width, num_hidden_layers=cfg.text_layers,
                      num_attention_heads=cfg.text_heads, intermediate_size=cfg.text_mlp,
                      max_position_embeddings=cfg.text_positions, pad_token_id=cfg.pad_token_id,
                      hidden_act="gelu", layer_norm_eps=1e-12,
                              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0))  # inference only


class HFText(nn.Module):
    def __init__(self, cfg: BiomedCLIPSegConfig):
        super().__init__()
        self.transformer = BertModel(bert_config(cfg), add_pooling_layer=cfg.text_pooler_layer)
        hidden = (cfg.text_width + cfg.embed_dim) // 2
        self.proj = nn.Sequential(nn.Linear(cfg.text_width, hidden, bias=False), nn.GELU(),
                                  nn.Linear(hidden, cfg.embed_dim, bias=False))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids))
        return self.proj(out.last_hidden_state[:, 0])


class BiomedCLIP(nn.Module):
    def __init__(self, cfg: BiomedCLIPSegConfig):
        super().__init__()
        self.visual = TimmVisual(cfg)
        self.text = HFText(cfg)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))


class BiomedCLIPSeg(nn.Module):
    """forward(pixel_values [B,3,S,S], input_ids, attention_mask [B,L]) -> logits [B,1,S,S] (medvlsm's output)."""

    def __init__(self, cfg: BiomedCLIPSegConfig | None = None):
        super().__init__()
        self.cfg = cfg or BiomedCLIPSegConfig()
        if max(self.cfg.vision_blocks) >= self.cfg.vision_layers:
            raise ValueError(f"extract layers {list(self.cfg.extract_layers)} read ViT blocks {self.cfg.vision_blocks}, "
                             f"but the ViT has {self.cfg.vision_layers}")
        self.biomedclip = BiomedCLIP(self.cfg)
        self.decoder = CLIPSegDecoder(clipseg_config(self.cfg))

    def activations(self, pixel_values: torch.Tensor) -> list[torch.Tensor]:
        blocks = self.cfg.vision_blocks
        outs = self.biomedclip.visual.trunk.block_outputs(pixel_values, upto=max(blocks))
        return [outs[b] for b in blocks]

    def text_embeds(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.biomedclip.text(input_ids, attention_mask)

    def forward(self, pixel_values, input_ids, attention_mask) -> torch.Tensor:
        logits = self.decoder(self.activations(pixel_values), self.text_embeds(input_ids, attention_mask)).logits
        if logits.dim() == 2:  # the decoder squeezes a batch of one
            logits = logits[None]
        return logits[:, None]


def random_model(cfg: BiomedCLIPSegConfig | None = None, seed: int = 0, init_scale: float = 1.0) -> BiomedCLIPSeg:
    """Randomly initialised, eval mode. init_scale < 1 shrinks every weight matrix (keeps random logits sane)."""
    torch.manual_seed(seed)
    model = BiomedCLIPSeg(cfg)
    if init_scale != 1.0:
        with torch.no_grad():
            for name, p in model.named_parameters():
                if p.dim() >= 2 and "norm" not in name.lower():
                    p.mul_(init_scale)
    return model.eval()


# --- exportable graphs ---------------------------------------------------------------------------------------

def activation_names(cfg: BiomedCLIPSegConfig) -> list[str]:
    return [f"activations_{i}" for i in range(len(cfg.extract_layers))]


class VisionGraph(nn.Module):
    """pixel_values -> activations_0..n-1 (only the blocks the decoder reads run)."""

    def __init__(self, model: BiomedCLIPSeg):
        super().__init__()
        self.model = model
        self.eval()  # torch.onnx.export restores the wrapper's mode afterwards, recursively: keep it eval

    def forward(self, pixel_values: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(self.model.activations(pixel_values))


class TextGraph(nn.Module):
    """input_ids, attention_mask [B,L] int64 -> text_embeds [B, embed_dim]."""

    def __init__(self, model: BiomedCLIPSeg):
        super().__init__()
        self.model = model
        self.eval()

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model.text_embeds(input_ids, attention_mask)
