"""The image-side context module of the v2 vision graph (CompactConfig.context = "aspp", vlsm.compact.ImageContext;
phase 8 of vlsm.release): zero-initialised, so weights trained without it give the same outputs; --init-from a
checkpoint without it loads every other weight and nothing else; the checkpoint stores the config, so the export
rebuilds the module, and the exported graphs run in onnxruntime with PyTorch's outputs and map back to PyTorch
(vlsm.finetune)."""
import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import torch

from vlsm.compact import CompactConfig, CompactVLSM
from vlsm.export_compact import PrunedText, export_fp32, randomise_film, run_split
from vlsm.textenc import Tokenizer
from vlsm.train import CONTEXT_PREFIXES, load_init

TINY2 = CompactConfig(image_size=64, channels=(8, 12, 16, 20, 24), text_dim=32, embed_dim=32, arch="fpn-film",
                      fpn_channels=(16, 8), head_channels=(12, 8, 8))
CTX = dataclasses.replace(TINY2, context="aspp")


def _randomise_bn(model: torch.nn.Module, seed: int) -> None:
    """BatchNorm statistics and affine weights away from their defaults, so eval-mode outputs depend on them."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.3)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.2)


def _ctx_model(seed: int = 0, live: bool = True) -> CompactVLSM:
    """A context model with random weights everywhere; live: its zero-initialised projections given random
    weights too (as after training), so the module changes the features."""
    torch.manual_seed(seed)
    m = CompactVLSM(CTX)
    randomise_film(m)
    _randomise_bn(m, seed)
    if live:
        for ctx in (m.vision.ctx5, m.vision.ctx4):
            torch.nn.init.normal_(ctx.proj.weight, std=0.3)
            torch.nn.init.normal_(ctx.proj.bias, std=0.3)
    return m.eval()


def test_default_is_no_context_and_old_configs_load_without_it():
    assert CompactConfig().context == "" and TINY2.context == ""
    d = CTX.to_dict()
    assert d["context"] == "aspp" and CompactConfig.from_dict(d) == CTX
    old = TINY2.to_dict()
    del old["context"]  # checkpoints of phases 1-7 were written before the field existed
    assert CompactConfig.from_dict(old).context == ""
    assert CompactVLSM(TINY2).vision.ctx5 is None and not any("ctx" in k for k in CompactVLSM(TINY2).state_dict())
    with pytest.raises(ValueError, match="unknown image context"):
        CompactVLSM(dataclasses.replace(TINY2, context="apsp"))


def test_zero_initialised_context_gives_the_outputs_of_the_model_without_it():
    torch.manual_seed(3)
    plain = CompactVLSM(TINY2)
    randomise_film(plain)
    _randomise_bn(plain, 3)
    plain.eval()
    ctx = CompactVLSM(CTX)
    _randomise_bn(ctx, 4)  # the module's own BatchNorms are not at their defaults either
    load_init(ctx, plain.state_dict())
    ctx.eval()
    tok = Tokenizer()
    ids, m = tok.batch(["left ventricle", "polyp"])
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        for a, b in zip(plain.vision(x), ctx.vision(x)):
            assert a.shape == b.shape and torch.equal(a, b)
        assert torch.equal(plain(x, ids, m), ctx(x, ids, m))
        # the module is in the path: once its projections are not zero, the features change
        for c in (ctx.vision.ctx5, ctx.vision.ctx4):
            torch.nn.init.normal_(c.proj.weight, std=0.3)
        moved = [float((a - b).abs().max()) for a, b in zip(plain.vision(x), ctx.vision(x))]
    assert min(moved) > 1e-3


def test_load_init_allows_only_the_context_keys_to_be_missing():
    src = CompactVLSM(TINY2).state_dict()
    model = CompactVLSM(CTX)
    load_init(model, src)  # fine: only the module is new
    for k, v in src.items():
        assert torch.equal(model.state_dict()[k], v), k
    assert all(float(model.state_dict()[k].abs().max()) == 0 for k in model.state_dict() if k.startswith(CONTEXT_PREFIXES) and ".proj." in k)
    broken = dict(src)
    del broken["vision.lat5.weight"]
    with pytest.raises(SystemExit, match="lacks.*vision.lat5.weight"):
        load_init(CompactVLSM(CTX), broken)
    with pytest.raises(SystemExit, match="keys the model does not have"):  # a context checkpoint into a plain model
        load_init(CompactVLSM(TINY2), CompactVLSM(CTX).state_dict())
    assert CONTEXT_PREFIXES == ("vision.ctx5.", "vision.ctx4.")


TRAIN = ["--limit", "1", "--samples", "4", "--batch", "2", "--prompts-per-image", "2", "--epochs", "0",
         "--hires-size", "64", "--hires-cache", "72", "--eval-every", "1", "--threads", "1", "--no-demos"]


def train(out, *extra: str, ok: bool = True) -> str:
    r = subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.train", "--out", str(out), *TRAIN, *extra],
                       capture_output=True, text=True)
    assert (r.returncode == 0) == ok, r.stderr[-2000:]
    return r.stdout + r.stderr


def test_init_from_a_checkpoint_without_context_trains_the_module_and_stores_the_config(tmp_path):
    """Phase 8 from a context-less phase: the checkpoint's weights are loaded, the module starts at zero and is
    trained (at --context-lr-mult times the rate), the config says "aspp" so export_compact rebuilds it; a
    context checkpoint given to a run without --context is refused with a message."""
    src_dir, dst_dir = tmp_path / "plain", tmp_path / "ctx"
    train(src_dir, "--hires-epochs", "1")
    src = torch.load(src_dir / "final.pt", weights_only=False)
    assert src["config"]["context"] == "" and not any(k.startswith(CONTEXT_PREFIXES) for k in src["model"])
    out = train(dst_dir, "--init-from", str(src_dir / "final.pt"), "--context", "aspp", "--context-lr-mult", "10",
                "--hires-epochs", "1", "--hires-lr", "1e-3")
    assert "initialised from" in out
    st = torch.load(dst_dir / "last.pt", weights_only=False)
    assert st["config"]["context"] == "aspp" and torch.load(dst_dir / "best.pt", weights_only=False)["config"]["context"] == "aspp"
    groups = st["opt"]["param_groups"]
    assert [g["lr_mult"] for g in groups] == [1.0, 10.0]
    n_ctx = sum(1 for k in st["model"] if k.startswith(CONTEXT_PREFIXES) and k.endswith(("weight", "bias")))
    assert len(groups[1]["params"]) == n_ctx
    assert float(st["model"]["vision.ctx5.proj.weight"].abs().max()) > 0  # trained away from zero
    k = "vision.enc.stages.0.0.0.weight"  # the rest started from the checkpoint: moved by two steps only
    assert (st["model"][k] - src["model"][k]).abs().max() < 0.05 * src["model"][k].abs().max() + 1e-2
    model = CompactVLSM(CompactConfig.from_dict(st["config"]))
    model.load_state_dict(st["model"])  # strict: the stored config rebuilds the same architecture
    # resumable: a rerun of the finished phase loads last.pt (two param groups) and does nothing
    assert "resumed at epoch 1" in train(dst_dir, "--init-from", str(src_dir / "final.pt"), "--context", "aspp",
                                         "--context-lr-mult", "10", "--hires-epochs", "1")
    refused = train(tmp_path / "refused", "--init-from", str(dst_dir / "final.pt"), "--hires-epochs", "1", ok=False)
    assert "keys the model does not have" in refused


def test_context_model_exports_to_onnx_with_pytorch_outputs_and_maps_back(tmp_path):
    """export_fp32 of a context model (random weights, live projections): the vision graph holds the module and
    vision -> decoder in onnxruntime gives PyTorch's logits; a bundle exported from its checkpoint is read back
    into PyTorch by vlsm.finetune (config_of sees the module; load_bundle_model checks the logits)."""
    import onnx

    from vlsm import finetune

    model = _ctx_model(5)
    tok = Tokenizer()
    keep = sorted(set(tok.ids("left ventricle right ventricle polyp lungs")))
    paths = export_fp32(model, keep, str(tmp_path / "work"))
    vis = onnx.load(paths["vision"])
    assert any("ctx5" in n.name for n in vis.graph.node) and any("ctx4" in n.name for n in vis.graph.node)
    plain = CompactVLSM(TINY2)
    plain.load_state_dict({k: v for k, v in model.state_dict().items() if not k.startswith(("vision.ctx5.", "vision.ctx4."))})
    plain.eval()
    x = torch.randn(1, 3, 64, 64)
    for prompt in ["left ventricle", "polyp", ""]:
        ids = tok.ids(prompt)
        t = torch.tensor([ids])
        with torch.no_grad():
            emb = PrunedText(model, keep)(t, torch.ones_like(t))
            ref = model.decoder(*model.vision(x), emb).numpy()
            without = plain.decoder(*plain.vision(x), emb).numpy()
        got = run_split(paths, x.numpy(), ids)
        assert got.shape == ref.shape == (1, 1, 64, 64)
        assert np.abs(got - ref).max() < 1e-4, prompt
        assert np.abs(got - without).max() > 1e-3, prompt  # the graph computes the module, not the plain pyramid
    ck = tmp_path / "ctx.pt"
    torch.save({"model": model.state_dict(), "config": model.cfg.to_dict()}, ck)
    bundle = tmp_path / "bundle"
    subprocess.run([sys.executable, "-W", "ignore", "-m", "vlsm.export_compact", "--checkpoint", str(ck), "--out", str(bundle),
                    "--work", str(tmp_path / "work2"), "--threads", "1", "--force-wasm", "vision=fp32,text=fp32,decoder=fp32"],
                   check=True, capture_output=True)
    assert finetune.config_of(str(bundle)).context == "aspp"
    back, _ = finetune.load_bundle_model(str(bundle))  # raises when its logits differ from the bundle's by > 1e-3
    assert back.vision.ctx5 is not None and back.vision.ctx4 is not None
