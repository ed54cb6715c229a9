"""The image-only DeepLabv3+ baseline (vlsm.deeplab, trained and exported by vlsm.unet's shared code): random-init
shapes, the backbone really carries the compact-vlsm-v2 bundle's image encoder, the exported graph against PyTorch,
and the bundle (image-only, no text graph, <= 10 MB)."""
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from vlsm.deeplab import DEFAULT_BACKBONE_BUNDLE, DeepLabV3Plus, load_backbone
from vlsm.unet import CHANNELS, build_model


def test_random_init_gives_one_logit_plane_per_structure_at_the_input_size():
    torch.manual_seed(0)
    m = DeepLabV3Plus(len(CHANNELS)).eval()
    with torch.no_grad():
        y = m(torch.randn(2, 3, 192, 192))
        z = m(torch.randn(1, 3, 96, 128))
    assert y.shape == (2, 10, 192, 192) and z.shape == (1, 10, 96, 128)
    assert torch.isfinite(y).all() and y.std() > 0
    assert (y[:, 0] - y[:, 1]).abs().max() > 1e-5
    # output stride 16 on the ASPP input (last stage dilated, not strided), the low-level feature at stride 4
    feats = []
    x = torch.randn(1, 3, 192, 192)
    for s in m.backbone.stages:
        x = s(x)
        feats.append(x.shape[-1])
    assert feats == [96, 48, 24, 12, 12]
    # the config round-trips through build_model (what export reads from a checkpoint)
    m2 = build_model(m.config())
    assert isinstance(m2, DeepLabV3Plus) and m2.config() == m.config()
    m2.load_state_dict(m.state_dict())


def test_backbone_is_the_compact_v2_bundles_image_encoder():
    bundle = DEFAULT_BACKBONE_BUNDLE
    m = DeepLabV3Plus(len(CHANNELS))
    before = m.backbone.stages[3][1][0].weight.detach().clone()
    info = load_backbone(m, bundle)
    assert info["bundle"] == "compact-vlsm-v2" and info["tensors"] > 0 and m.frozen_backbone_bn
    # one tensor straight from the bundle's vision graph: the (BatchNorm-folded) weight of enc stage 4, conv 2
    g = onnx.load(os.path.join(bundle, "vision.fp32.onnx"))
    inits = {i.name: numpy_helper.to_array(i) for i in g.graph.initializer}
    node = next(n for n in g.graph.node if n.op_type == "Conv" and "/enc/stages.3/stages.3.1/" in n.name)
    w = inits[node.input[1]]
    got = m.backbone.stages[3][1][0].weight.detach().numpy()
    assert np.array_equal(got, w) and not np.array_equal(before.numpy(), w)
    # the folded statistics stay put while training (BatchNorms of the backbone in eval, the new layers' in train)
    m.train()
    assert not m.backbone.stages[0][0][1].training and m.aspp.b0[1].training


def test_export_matches_pytorch_and_is_a_small_image_only_bundle(tmp_path):
    from vlsm.bundle import load_bundle
    from vlsm.export_unet import onnx_vs_torch, write_bundle

    torch.manual_seed(1)
    model = DeepLabV3Plus(len(CHANNELS))
    for p in model.modules():  # non-trivial batch-norm statistics, so the export must carry them
        if isinstance(p, torch.nn.BatchNorm2d):
            p.running_mean.uniform_(-0.2, 0.2)
            p.running_var.uniform_(0.5, 2.0)
    out = tmp_path / "b"
    m = write_bundle(model, str(out), 192, "deeplab-test", "DeepLabv3+ test")
    assert onnx_vs_torch(model, str(out), 192) <= 1e-3
    loaded = load_bundle(str(out))
    assert loaded["kind"] == "image-only" and "text" not in loaded and loaded["architecture"] == "deeplabv3plus-image-only"
    assert [f["path"] for f in loaded["files"]] == ["vision.fp32.onnx"]
    assert not any("text" in g for v in loaded["variants"] for g in v["graphs"])
    assert [c["name"] for c in loaded["output"]["channels"]] == CHANNELS
    assert loaded["variants"][0]["graphs"]["vision"]["outputs"][0]["shape"] == [1, 10, 192, 192]
    total = sum(f["bytes"] for f in m["files"])
    assert total <= 10_000_000, total
    # random weights here: the card must not claim the v2 backbone (load_backbone sets frozen_backbone_bn)
    assert "from scratch" in loaded["modelCard"]["summary"] and "compact VLSM v2" not in loaded["modelCard"]["summary"]
    model.frozen_backbone_bn = True
    assert "backbone initialised from the compact VLSM v2 image encoder" in write_bundle(
        model, str(tmp_path / "c"), 64, "d", "d")["modelCard"]["summary"]
