"""BiomedCLIPSeg(-D): the published checkpoints' key names and shapes, the ViT against an independent
implementation (transformers' ViTModel), the split ONNX graphs against PyTorch on random weights (tiny sizes,
text padded to 256 with a mask in PyTorch as medvlsm feeds it, unpadded in ONNX), and the one-command
conversion of a Lightning checkpoint with its strict-load errors. Full size (ViT-B/16 224 px + PubMedBERT):
test_biomedclipseg_full.py."""

import json
import pickle
import sys
import types

import numpy as np
import pytest
import torch

from vlsm.biomedclipseg import BiomedCLIPSeg, BiomedCLIPSegConfig, random_model, tiny_config
from vlsm.biomedclipseg_export import infer_config, load_model, main, normalise_keys, write_bundle
from vlsm.bundle import load_bundle
from vlsm.parity import BundleRunner, tokenize

from tests.test_wordpiece_ids import PROMPTS, WORDS

TOL = 1e-3


def encode(tokenizer_json, text, max_length):
    return tokenize(text, tokenizer_json, max_length)[0][0].tolist()


def _vocab(tmp_path):
    p = tmp_path / "vocab.txt"
    p.write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    return p


def test_full_size_keys_match_the_published_checkpoints():
    with torch.device("meta"):
        sd = BiomedCLIPSeg().state_dict()
    shapes = {k: tuple(v.shape) for k, v in sd.items()}
    expect = {
        "biomedclip.logit_scale": (),
        "biomedclip.visual.trunk.cls_token": (1, 1, 768),
        "biomedclip.visual.trunk.pos_embed": (1, 197, 768),
        "biomedclip.visual.trunk.patch_embed.proj.weight": (768, 3, 16, 16),
        "biomedclip.visual.trunk.blocks.11.attn.qkv.weight": (2304, 768),
        "biomedclip.visual.trunk.blocks.0.attn.proj.bias": (768,),
        "biomedclip.visual.trunk.blocks.0.mlp.fc1.weight": (3072, 768),
        "biomedclip.visual.trunk.norm.weight": (768,),
        "biomedclip.visual.head.proj.weight": (512, 768),
        "biomedclip.text.transformer.embeddings.word_embeddings.weight": (30522, 768),
        "biomedclip.text.transformer.embeddings.position_embeddings.weight": (512, 768),
        "biomedclip.text.transformer.encoder.layer.11.attention.self.query.weight": (768, 768),
        "biomedclip.text.transformer.encoder.layer.0.output.LayerNorm.bias": (768,),
        "biomedclip.text.proj.0.weight": (640, 768),
        "biomedclip.text.proj.2.weight": (512, 640),
        "decoder.film_mul.weight": (64, 512),
        "decoder.reduces.2.weight": (64, 768),
        "decoder.layers.0.self_attn.q_proj.weight": (64, 64),
        "decoder.layers.2.mlp.fc1.weight": (2048, 64),
        "decoder.transposed_convolution.0.weight": (64, 64, 3, 3),
        "decoder.transposed_convolution.4.weight": (32, 1, 4, 4),
    }
    for k, s in expect.items():
        assert shapes.get(k) == s, k
    assert not any(".pooler." in k or "visual.trunk.head" in k or "fc_norm" in k for k in shapes)
    blocks = {k.split(".")[4] for k in shapes if k.startswith("biomedclip.visual.trunk.blocks.")}
    layers = {k.split(".")[5] for k in shapes if k.startswith("biomedclip.text.transformer.encoder.layer.")}
    assert len(blocks) == 12 and len(layers) == 12
    # every parameter of the 195.9M-parameter model (BiomedCLIP 195.4M + the 1.1M-parameter rd64 decoder)
    n = sum(v.numel() for k, v in sd.items() if not k.endswith(("position_ids", "token_type_ids")))
    assert 195e6 < n < 198e6, n
    assert BiomedCLIPSegConfig().vision_blocks == [4, 7, 10]


def test_vit_matches_transformers_vitmodel():
    """The timm-named ViT against transformers' ViTModel (another implementation) with the same weights."""
    from transformers import ViTConfig, ViTModel

    cfg = tiny_config()
    model = random_model(cfg, seed=1)
    trunk = model.biomedclip.visual.trunk
    vc = ViTConfig(hidden_size=cfg.vision_width, num_hidden_layers=cfg.vision_layers, num_attention_heads=cfg.vision_heads,
                   intermediate_size=cfg.vision_mlp, image_size=cfg.image_size, patch_size=cfg.patch_size,
                   layer_norm_eps=1e-6, hidden_act="gelu", qkv_bias=True)
    hf = ViTModel(vc, add_pooling_layer=False).eval()
    w = cfg.vision_width
    sd = {"embeddings.cls_token": trunk.cls_token, "embeddings.position_embeddings": trunk.pos_embed,
          "embeddings.patch_embeddings.projection.weight": trunk.patch_embed.proj.weight,
          "embeddings.patch_embeddings.projection.bias": trunk.patch_embed.proj.bias,
          "layernorm.weight": trunk.norm.weight, "layernorm.bias": trunk.norm.bias}
    for i, b in enumerate(trunk.blocks):
        p = f"layers.{i}."  # transformers 5 names
        for j, name in enumerate(("q_proj", "k_proj", "v_proj")):
            sd[p + f"attention.{name}.weight"] = b.attn.qkv.weight[j * w:(j + 1) * w]
            sd[p + f"attention.{name}.bias"] = b.attn.qkv.bias[j * w:(j + 1) * w]
        sd.update({p + "attention.o_proj.weight": b.attn.proj.weight, p + "attention.o_proj.bias": b.attn.proj.bias,
                   p + "layernorm_before.weight": b.norm1.weight, p + "layernorm_before.bias": b.norm1.bias,
                   p + "layernorm_after.weight": b.norm2.weight, p + "layernorm_after.bias": b.norm2.bias,
                   p + "mlp.fc1.weight": b.mlp.fc1.weight, p + "mlp.fc1.bias": b.mlp.fc1.bias,
                   p + "mlp.fc2.weight": b.mlp.fc2.weight, p + "mlp.fc2.bias": b.mlp.fc2.bias})
    hf.load_state_dict({k: v.detach() for k, v in sd.items()}, strict=True)
    px = torch.randn(2, 3, cfg.image_size, cfg.image_size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ours = trunk.block_outputs(px)
        theirs = hf(pixel_values=px, output_hidden_states=True).hidden_states[1:]
    for a, b in zip(ours, theirs):
        assert (a - b).abs().max() < 1e-5


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("biomed")
    model = random_model(tiny_config(), seed=0, init_scale=0.5)
    vocab = _vocab(root)
    m = write_bundle(model, root / "bundle", vocab, "biomedclipseg-d", precisions=("fp32", "int8"), bundle_id="tiny-biomed")
    return model, root, m


def _torch_logits(model, px, ids):
    """medvlsm's way: ids padded to the context length with [PAD] = 0 and an attention mask."""
    n = model.cfg.context_length
    padded = torch.zeros(1, n, dtype=torch.int64)
    padded[0, :len(ids)] = torch.tensor(ids)
    mask = (torch.arange(n) < len(ids)).long()[None]
    with torch.no_grad():
        return model(torch.from_numpy(px), padded, mask)[:, 0].numpy()


def test_manifest_and_tokenizer(tiny):
    model, root, m = tiny
    assert load_bundle(root / "bundle")["id"] == "tiny-biomed"
    assert m["architecture"] == "biomedclipseg-d" and m["name"] == "BiomedCLIPSeg-D"
    assert m["text"] == {"tokenizer": "tokenizer.json", "tokenizerType": "wordpiece", "maxLength": 64,
                         "padding": "none", "lowercase": True}
    assert m["input"]["size"] == [64, 64] and m["output"]["size"] == [64, 64] and m["input"]["resize"] == "stretch"
    assert [v["name"] for v in m["variants"]] == ["wasm-int8", "fp32"]
    dec = m["variants"][1]["graphs"]["decoder"]
    assert [t["name"] for t in dec["inputs"]] == ["activations_0", "activations_1", "activations_2", "text_embeds"]
    assert encode(root / "bundle" / "tokenizer.json", "Polyps", 64) == [WORDS.index(w) for w in ("[CLS]", "polyp", "##s", "[SEP]")]


def test_split_fp32_matches_pytorch(tiny):
    model, root, m = tiny
    runner = BundleRunner(root / "bundle", "fp32", threads=1)
    g = np.random.default_rng(3)
    worst, scale = 0.0, 0.0
    for i, prompt in enumerate(PROMPTS[:6] + [PROMPTS[-1]]):
        px = g.standard_normal((1, 3, 64, 64)).astype(np.float32) if i < 2 else px
        ids = encode(root / "bundle" / "tokenizer.json", prompt, m["text"]["maxLength"])
        assert len(ids) <= 64
        am = np.ones((1, len(ids)), np.int64)
        got = runner.segment(px, np.array([ids], np.int64), am)
        want = _torch_logits(model, px, ids)
        assert got.shape == want.shape == (1, 64, 64)
        worst = max(worst, float(np.abs(got - want).max()))
        scale = max(scale, float(np.abs(want).max()))
    print(f"tiny BiomedCLIPSeg fp32: max |Δlogit| {worst:.2e} (logits up to {scale:.1f})")
    assert worst <= TOL
    assert scale > 1.0  # not a dead model


def test_int8_masks_close(tiny):
    model, root, m = tiny
    px = np.random.default_rng(5).standard_normal((1, 3, 64, 64)).astype(np.float32)
    ids = encode(root / "bundle" / "tokenizer.json", "one small pink round polyp", 64)
    am = np.ones((1, len(ids)), np.int64)
    a = BundleRunner(root / "bundle", "fp32", threads=1).segment(px, np.array([ids]), am) > 0
    b = BundleRunner(root / "bundle", "wasm-int8", threads=1).segment(px, np.array([ids]), am) > 0
    assert (a == b).mean() > 0.95


def _lightning_checkpoint(model, path, extra_keys=None, drop=None):
    """Like medvlsm's: {'state_dict': {'net.' + key}, 'hyper_parameters': {pickled monai loss, ...}}, plus the
    BertEmbeddings position_ids buffer older transformers saved."""
    mod = types.ModuleType("fake_monai_losses")

    class DiceCELoss:
        def __init__(self):
            self.lambda_dice = 1.0

    DiceCELoss.__module__, DiceCELoss.__qualname__ = "fake_monai_losses", "DiceCELoss"
    mod.DiceCELoss = DiceCELoss
    sys.modules["fake_monai_losses"] = mod
    sd = {f"net.{k}": v for k, v in model.state_dict().items()}
    sd["net.biomedclip.text.transformer.embeddings.position_ids"] = torch.arange(model.cfg.text_positions)[None]
    sd.update(extra_keys or {})
    for k in drop or []:
        sd.pop(k)
    torch.save({"epoch": 3, "state_dict": sd, "hyper_parameters": {"loss_fn": DiceCELoss(), "threshold": 0.5}}, path)
    del sys.modules["fake_monai_losses"]  # as on a machine without monai: never imported when converting


def test_convert_lightning_checkpoint_one_command(tiny, tmp_path, capsys):
    model, root, _ = tiny
    ckpt = tmp_path / "epoch=3.ckpt"
    _lightning_checkpoint(model, ckpt)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(str(ckpt), weights_only=True)  # the pickled loss object is there
    out = tmp_path / "converted"
    main(["--checkpoint", str(ckpt), "--variant", "biomedclipseg", "--vocab", str(_vocab(tmp_path)), "--out", str(out),
          "--precisions", "fp32", "--extract-layers", "1,2,3", "--vision-heads", "2", "--text-heads", "2",
          "--decoder-heads", "2", "--context-length", "64"])
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["config"] == tiny_config().to_dict()
    m = load_bundle(out)
    assert m["architecture"] == "biomedclipseg" and m["name"] == "BiomedCLIPSeg"
    px = np.random.default_rng(9).standard_normal((1, 3, 64, 64)).astype(np.float32)
    ids = encode(out / "tokenizer.json", "left lung", 64)
    got = BundleRunner(out, "fp32", threads=1).segment(px, np.array([ids]), np.ones((1, len(ids)), np.int64))
    assert np.abs(got - _torch_logits(model, px, ids)).max() <= TOL


def test_strict_load_names_missing_and_unexpected_keys(tiny, tmp_path):
    model, _, _ = tiny
    ckpt = tmp_path / "bad.ckpt"
    _lightning_checkpoint(model, ckpt, extra_keys={"net.decoder.extra_head.weight": torch.zeros(2)},
                          drop=["net.biomedclip.text.proj.0.weight"])
    with pytest.raises(SystemExit, match=r"(?s)missing keys \(1\): biomedclip\.text\.proj\.0\.weight.*"
                                         r"unexpected keys \(1\): decoder\.extra_head\.weight"):
        main(["--checkpoint", str(ckpt), "--variant", "biomedclipseg", "--vocab", str(_vocab(tmp_path)),
              "--out", str(tmp_path / "x"), "--extract-layers", "1,2,3", "--vision-heads", "2", "--text-heads", "2",
              "--decoder-heads", "2", "--context-length", "64"])
    # a shape that does not fit (a vocabulary row short) is listed too
    sd = normalise_keys({f"net.{k}": v for k, v in model.state_dict().items()})
    cfg = infer_config(sd, vision_heads=2, text_heads=2, decoder_heads=2, extract_layers=(1, 2, 3), context_length=64)
    assert cfg == tiny_config()
    with pytest.raises(ValueError, match="--context-length 256 exceeds the text encoder's 64 positions"):
        infer_config(sd, extract_layers=(1, 2, 3))
    sd["decoder.film_add.bias"] = torch.zeros(3)
    from vlsm.biomedclipseg_export import load_strict

    with pytest.raises(ValueError, match=r"shape mismatches \(1\): decoder\.film_add\.bias: \(3,\)"):
        load_strict(BiomedCLIPSeg(cfg), sd)


def test_clear_errors_for_other_files(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        load_model(tmp_path / "none.ckpt")
    (tmp_path / "junk.ckpt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a PyTorch checkpoint"):
        load_model(tmp_path / "junk.ckpt")
    torch.save({"clip.text_model.embeddings.token_embedding.weight": torch.zeros(2, 2)}, tmp_path / "clipseg.bin")
    with pytest.raises(ValueError, match="looks like a Hugging Face CLIPSeg checkpoint"):
        load_model(tmp_path / "clipseg.bin")
