"""CLIPSeg as three exportable graphs (vision, text, decoder) plus the single-graph baseline.

Each wrapper re-states the Hugging Face forward pass with export in mind:
- vision runs only the encoder layers the decoder reads (up to max(extract_layers)), with the
  position embeddings of the fixed input size precomputed (no bicubic interpolation in the graph);
- text takes unpadded ids of any length with an explicit causal + padding mask and pools at the EOS
  token the same way transformers does (argmax of ids for old configs with eos_token_id == 2, else
  the first EOS), comparing int64 ids so the fp16 graph pools at the same token;
- decoder is transformers' own CLIPSegDecoder.
Parity with CLIPSegForImageSegmentation is tested in tests/test_clipseg_export.py.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import CLIPSegConfig, CLIPSegForImageSegmentation


def rd64_config(**overrides) -> CLIPSegConfig:
    """The CIDAS/clipseg-rd64 architecture (ViT-B/16 at 352 px, reduce_dim 64). CLIPSegConfig() alone
    would be ViT-B/32 at 224 px."""
    cfg = dict(
        text_config={"vocab_size": 49408, "max_position_embeddings": 77, "eos_token_id": 49407},
        vision_config={"patch_size": 16, "image_size": 352},
        projection_dim=512,
        reduce_dim=64,
        extract_layers=[3, 6, 9],
        use_complex_transposed_convolution=True,
    )
    cfg.update(overrides)
    return CLIPSegConfig(**cfg)


def tiny_config(**overrides) -> CLIPSegConfig:
    """Same structure as rd64 at toy width, for fast tests. Keeps the full CLIP vocabulary so real
    tokenizer ids are valid."""
    cfg = dict(
        text_config={"vocab_size": 49408, "max_position_embeddings": 77, "eos_token_id": 49407,
                     "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2},
        vision_config={"patch_size": 16, "image_size": 64, "hidden_size": 32, "intermediate_size": 64,
                       "num_hidden_layers": 4, "num_attention_heads": 2},
        projection_dim=16,
        reduce_dim=16,
        decoder_num_attention_heads=2,
        decoder_intermediate_size=32,
        extract_layers=[1, 2, 3],
        use_complex_transposed_convolution=True,
    )
    cfg.update(overrides)
    return CLIPSegConfig(**cfg)


def random_model(config: CLIPSegConfig, seed: int = 0, init_scale: float = 1.0) -> CLIPSegForImageSegmentation:
    """A randomly initialised model in eval mode. init_scale < 1 shrinks every weight matrix after the
    standard init, which keeps random-weight logits in a sane range (full-size ones reach ±3000)."""
    torch.manual_seed(seed)
    model = CLIPSegForImageSegmentation(config)
    if init_scale != 1.0:
        with torch.no_grad():
            for name, p in model.named_parameters():
                if p.dim() >= 2 and "norm" not in name:
                    p.mul_(init_scale)
    return prepare(model)


def prepare(model: CLIPSegForImageSegmentation) -> CLIPSegForImageSegmentation:
    """eval mode, eager attention (plain MatMul + Softmax in the graph, which int8 quantises well)."""
    model.eval()
    try:
        model.set_attn_implementation("eager")
    except (AttributeError, ValueError):
        model.config._attn_implementation = "eager"
    return model


def activation_names(config: CLIPSegConfig) -> list[str]:
    return [f"activations_{i}" for i in range(len(config.extract_layers))]


class VisionGraph(nn.Module):
    """pixel_values [B,3,S,S] -> hidden states after each of config.extract_layers.

    image_size S defaults to config.vision_config.image_size. Checkpoints trained at 224 and run at 352
    (CIDAS/clipseg-rd64-refined) get their position embeddings resized here, once, with transformers'
    own bicubic interpolation, and stored as a constant: no Resize op in the graph, same numbers."""

    def __init__(self, model: CLIPSegForImageSegmentation, image_size: int | None = None):
        super().__init__()
        vm = model.clip.vision_model
        emb = vm.embeddings
        size = image_size or emb.image_size
        if size % emb.patch_size:
            raise ValueError(f"image size {size} is not a multiple of the patch size {emb.patch_size}")
        self.patch_embedding = emb.patch_embedding
        self.class_embedding = emb.class_embedding
        with torch.no_grad():
            tokens = torch.zeros(1, (size // emb.patch_size) ** 2 + 1, emb.embed_dim)
            pos = emb.interpolate_pos_encoding(tokens, size, size)
        self.register_buffer("position_embeds", pos.detach().clone(), persistent=False)
        self.pre_layrnorm = vm.pre_layrnorm
        self.extract = list(model.config.extract_layers)
        self.layers = nn.ModuleList(vm.encoder.layers[: max(self.extract) + 1])

    def forward(self, pixel_values: torch.Tensor) -> tuple[torch.Tensor, ...]:
        patches = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(pixel_values.shape[0], 1, -1)
        h = torch.cat([cls, patches], dim=1) + self.position_embeds
        h = self.pre_layrnorm(h)
        outs = []
        for i, layer in enumerate(self.layers):
            h = layer(h, None)
            if i in self.extract:
                outs.append(h)
        return tuple(outs)


class TextGraph(nn.Module):
    """input_ids, attention_mask [B,L] int64 (unpadded, any L <= 77) -> text_embeds [B, projection_dim]."""

    def __init__(self, model: CLIPSegForImageSegmentation):
        super().__init__()
        tm = model.clip.text_model
        self.embeddings = tm.embeddings
        self.layers = tm.encoder.layers
        self.final_layer_norm = tm.final_layer_norm
        self.text_projection = model.clip.text_projection
        self.eos_token_id = tm.config.eos_token_id

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        h = self.embeddings(input_ids=input_ids)
        length = input_ids.shape[1]
        pos = torch.arange(length, device=input_ids.device)
        causal = pos[None, :] <= pos[:, None]  # [L, L]: query i sees keys j <= i
        allowed = causal[None, None, :, :] & (attention_mask[:, None, None, :] > 0)
        mask = torch.where(allowed, torch.zeros((), dtype=h.dtype), torch.full((), -1e9, dtype=h.dtype))
        for layer in self.layers:
            h = layer(h, mask)
        h = self.final_layer_norm(h)
        # Pool at the first EOS (or, for old configs, the first maximal id) comparing ids as int64:
        # ids cast to float would not survive fp16 conversion (49406 and 49407 round to the same half).
        if self.eos_token_id == 2:
            target = input_ids.max(dim=-1, keepdim=True).values
        else:
            target = torch.full((), self.eos_token_id, dtype=input_ids.dtype)
        idx = (input_ids == target).to(torch.float32).argmax(dim=-1)
        pooled = torch.gather(h, 1, idx[:, None, None].expand(-1, 1, h.shape[-1]))[:, 0]  # squeeze() exports an If
        return self.text_projection(pooled)


class DecoderGraph(nn.Module):
    """activations_0..n-1 + text_embeds -> logits [B, H, W]."""

    def __init__(self, model: CLIPSegForImageSegmentation):
        super().__init__()
        self.decoder = model.decoder

    def forward(self, *args: torch.Tensor) -> torch.Tensor:
        *activations, text_embeds = args
        return self.decoder(list(activations), text_embeds, return_dict=True).logits


class SingleGraph(nn.Module):
    """pixel_values, input_ids, attention_mask -> logits: the whole model, same weights."""

    def __init__(self, model: CLIPSegForImageSegmentation, image_size: int | None = None):
        super().__init__()
        self.vision = VisionGraph(model, image_size)
        self.text = TextGraph(model)
        self.decoder = DecoderGraph(model)

    def forward(self, pixel_values, input_ids, attention_mask):
        acts = self.vision(pixel_values)
        return self.decoder(*acts, self.text(input_ids, attention_mask))
