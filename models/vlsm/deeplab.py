"""Image-only DeepLabv3+ baseline (issue 17, item 3), beside the U-Net of vlsm.unet: same channels, data, splits,
loss, training loop, validation and export (python -m vlsm.unet train|export --arch deeplabv3plus ...).

Architecture (Chen et al., ECCV 2018, at the workbench's scale):
- Backbone: the compact VLSM's image encoder (vlsm.compact.ImageEncoder, v2_config() channels 24-48-96-160-256),
  its last stage turned to output stride 16 the DeepLab way (stride 1 in its first conv, dilation 2 after), and
  initialised from the shipped bundle models/compact-vlsm-v2's vision graph (vlsm.finetune maps the ONNX weights
  back onto vlsm.compact). That encoder was trained on the same train split (models/splits/); no ImageNet weights
  are reachable here. Its BatchNorms arrive folded (identity statistics + the folded bias), so they stay in eval
  mode while training (their affine parameters still learn); the new layers' BatchNorms train normally.
- ASPP on the stride-16 feature: a 1x1 branch, three atrous depthwise-separable 3x3 branches (rates 3/6/9 by
  default: at 192-256 px the stride-16 map is 12-16 cells wide) and image pooling, projected to `aspp` channels.
- Decoder: the stride-4 low-level feature projected to 48 channels, concatenated with the ASPP output upsampled
  x4, two separable 3x3 convs, a 1x1 to one logit per structure (vlsm.unet.CHANNELS), bilinear x4 to the input.
Separable convolutions (as the paper's Xception variant) keep the fp32 bundle under 10 MB.
"""
from __future__ import annotations

import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from .compact import ImageEncoder, v2_config

DEFAULT_BACKBONE_BUNDLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "compact-vlsm-v2")


def sep_conv(cin: int, cout: int, dilation: int = 1) -> nn.Sequential:
    """Depthwise 3x3 (atrous) + BN + ReLU, pointwise 1x1 + BN + ReLU."""
    return nn.Sequential(nn.Conv2d(cin, cin, 3, 1, dilation, dilation, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(inplace=True),
                         nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ASPP(nn.Module):
    def __init__(self, cin: int, cout: int, rates: tuple[int, ...]):
        super().__init__()
        self.b0 = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
        self.atrous = nn.ModuleList(sep_conv(cin, cout, r) for r in rates)
        # image pooling: no BatchNorm (one value per image and channel)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, cout, 1), nn.ReLU(inplace=True))
        self.project = nn.Sequential(nn.Conv2d(cout * (2 + len(rates)), cout, 1, bias=False), nn.BatchNorm2d(cout),
                                     nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ys = [self.b0(x)] + [b(x) for b in self.atrous]
        ys.append(self.pool(x).expand(-1, -1, x.shape[-2], x.shape[-1]))
        return self.project(torch.cat(ys, 1))


class DeepLabV3Plus(nn.Module):
    arch = "deeplabv3plus"

    def __init__(self, n_out: int, channels: tuple[int, ...] = v2_config().channels, rates: tuple[int, ...] = (3, 6, 9),
                 aspp: int = 128, low: int = 48, decoder: int = 128, frozen_backbone_bn: bool = False):
        super().__init__()
        self.channels, self.rates, self.aspp_channels, self.low_channels, self.decoder_channels = \
            tuple(channels), tuple(rates), aspp, low, decoder
        self.frozen_backbone_bn = frozen_backbone_bn
        cfg = v2_config()
        cfg.channels = tuple(channels)
        self.backbone = ImageEncoder(cfg)
        last = self.backbone.stages[4]  # output stride 16: no stride in stage 5, dilation 2 after its first conv
        last[0][0].stride = (1, 1)
        for blk in list(last)[1:]:
            blk[0].dilation, blk[0].padding = (2, 2), (2, 2)
        self.aspp = ASPP(channels[4], aspp, rates)
        self.low = nn.Sequential(nn.Conv2d(channels[1], low, 1, bias=False), nn.BatchNorm2d(low), nn.ReLU(inplace=True))
        self.dec = nn.Sequential(sep_conv(aspp + low, decoder), sep_conv(decoder, decoder))
        self.head = nn.Conv2d(decoder, n_out, 1)

    def config(self) -> dict:
        return {"arch": self.arch, "backbone_channels": list(self.channels), "rates": list(self.rates), "aspp": self.aspp_channels,
                "low": self.low_channels, "decoder": self.decoder_channels, "frozen_backbone_bn": self.frozen_backbone_bn}

    def describe(self) -> str:
        return (f"DeepLabv3+ (ASPP rates 1/{'/'.join(map(str, self.rates))} + image pooling at output stride 16, "
                f"stride-4 decoder with a {self.low_channels}-channel low-level projection) on the compact VLSM's "
                f"image encoder ({'-'.join(map(str, self.channels))} channels)")

    def train(self, mode: bool = True):
        super().train(mode)
        if mode and self.frozen_backbone_bn:  # folded statistics from the bundle: keep them (affine params still learn)
            for m in self.backbone.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        feats = []
        y = x
        for s in self.backbone.stages:
            y = s(y)
            feats.append(y)
        lowf = self.low(feats[1])  # stride 4
        a = F.interpolate(self.aspp(feats[4]), size=lowf.shape[-2:], mode="bilinear", align_corners=False)
        y = self.head(self.dec(torch.cat([a, lowf], 1)))
        return F.interpolate(y, size=(h, w), mode="bilinear", align_corners=False)


def load_backbone(model: DeepLabV3Plus, bundle: str = DEFAULT_BACKBONE_BUNDLE) -> dict:
    """Copies the compact bundle's image encoder (vision graph, mapped by vlsm.finetune.load_bundle_model, which
    checks the mapped PyTorch model reproduces the bundle's logits) into model.backbone; its BatchNorms then hold
    the folded statistics, so they are frozen from here on. Returns what was loaded (for the card)."""
    from .finetune import load_bundle_model, manifest_hash

    vlsm, _ = load_bundle_model(bundle)
    enc = vlsm.vision.enc if hasattr(vlsm.vision, "enc") else vlsm.vision
    if tuple(s[0][0].out_channels for s in enc.stages) != model.channels:
        raise ValueError(f"{bundle}: encoder channels {[s[0][0].out_channels for s in enc.stages]} != {list(model.channels)}")
    model.backbone.load_state_dict(enc.state_dict())
    model.frozen_backbone_bn = True
    return {"bundle": os.path.basename(os.path.normpath(bundle)), "manifest_sha256_16": manifest_hash(bundle),
            "tensors": len(enc.state_dict())}
