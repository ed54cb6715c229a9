"""Run bundles with onnxruntime (Python) the way the browser engine does, and compare them.

Used by the parity tests and the benchmark command: preprocessing from the manifest, tokenisation
with tokenizer.json (unpadded unless the manifest pads), a runner for split and single bundles, Dice, and per-graph timing.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from .bundle import load_bundle


def preprocess(image, manifest: dict) -> np.ndarray:
    """PIL image or path -> pixel_values [1,3,H,W] float32 per the manifest's input block."""
    from PIL import Image

    spec = manifest["input"]
    img = Image.open(image) if isinstance(image, (str, Path)) else image
    if spec["colour"] == "grey-to-rgb":
        img = img.convert("L")
    img = img.convert("RGB")
    h, w = spec["size"]
    if spec["resize"] != "stretch":
        raise NotImplementedError("only resize 'stretch' is implemented here")
    img = img.resize((w, h), Image.BILINEAR)
    x = np.asarray(img, dtype=np.float32) * float(spec.get("scale", 1 / 255))
    x = (x - np.asarray(spec["mean"], np.float32)) / np.asarray(spec["std"], np.float32)
    return x.transpose(2, 0, 1)[None].astype(np.float32)


def tokenize(text: str, tokenizer_path: str | Path, max_length: int = 77, padding: str = "none",
             pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """input_ids and attention_mask [1, L] int64 (truncated to max_length, keeping EOS); unpadded, or with
    padding "max_length" filled to max_length with pad_id (mask 0 there), as the engine does."""
    ids = _tokenizer(str(tokenizer_path)).encode(text).ids
    if len(ids) > max_length:
        ids = ids[: max_length - 1] + [ids[-1]]
    mask = [1] * len(ids)
    if padding == "max_length":
        mask += [0] * (max_length - len(ids))
        ids = ids + [pad_id] * (max_length - len(ids))
    return np.asarray([ids], dtype=np.int64), np.asarray([mask], dtype=np.int64)


@lru_cache(maxsize=4)
def _tokenizer(path: str):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(path)


def session(path: str | Path, threads: int = 2):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


class BundleRunner:
    """One variant of a bundle in onnxruntime: encode_image / encode_text / decode, or segment()."""

    def __init__(self, bundle_dir: str | Path, variant: str | None = None, threads: int = 2, verify: bool = False):
        self.dir = Path(bundle_dir)
        self.manifest = load_bundle(self.dir, verify_hashes=verify)
        variants = {v["name"]: v for v in self.manifest["variants"]}
        self.variant = variants[variant] if variant else self.manifest["variants"][0]
        self.kind = self.manifest["kind"]
        self.sessions = {g: session(self.dir / spec["file"], threads) for g, spec in self.variant["graphs"].items()}

    def tokenize(self, text: str):
        t = self.manifest["text"]
        return tokenize(text, self.dir / t["tokenizer"], t["maxLength"], t["padding"], t.get("padTokenId", 0))

    def encode_image(self, pixel_values: np.ndarray) -> dict[str, np.ndarray]:
        sess = self.sessions["vision"]
        return dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"pixel_values": pixel_values})))

    def encode_text(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> dict[str, np.ndarray]:
        sess = self.sessions["text"]
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        return dict(zip([o.name for o in sess.get_outputs()], sess.run(None, _only(sess, feeds))))

    def decode(self, features: dict[str, np.ndarray]) -> np.ndarray:
        sess = self.sessions["decoder"]
        return sess.run(["logits"], {i.name: features[i.name] for i in sess.get_inputs()})[0]

    def segment(self, pixel_values: np.ndarray, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """logits [1,H,W]."""
        if self.kind == "single":
            sess = self.sessions["model"]
            feeds = {"pixel_values": pixel_values, "input_ids": input_ids, "attention_mask": attention_mask}
            return sess.run(["logits"], _only(sess, feeds))[0]
        return self.decode({**self.encode_image(pixel_values), **self.encode_text(input_ids, attention_mask)})


def _only(sess, feeds: dict) -> dict:
    names = {i.name for i in sess.get_inputs()}
    return {k: v for k, v in feeds.items() if k in names}


def dice(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(bool), b.astype(bool)
    total = a.sum() + b.sum()
    return 1.0 if total == 0 else float(2 * np.logical_and(a, b).sum() / total)


def median_ms(fn, runs: int = 5, warmup: int = 1, stat: str = "median") -> float:
    """Median (or with stat="min" the best) wall-clock ms of fn() over runs; stat="cpu": median process
    CPU ms, which a busy machine does not inflate (meaningful for 1-thread sessions)."""
    clock = time.process_time if stat == "cpu" else time.perf_counter
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = clock()
        fn()
        times.append((clock() - t) * 1000)
    return float(np.min(times) if stat == "min" else np.median(times))


def example_feeds(sess, seq_len: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
    """Inputs for timing any bundle graph: normal noise for float tensors, a CLIP-like prompt of
    seq_len tokens (BOS, 'a'..., EOS) for input_ids, ones for attention_mask."""
    g = np.random.default_rng(seed)
    feeds = {}
    for i in sess.get_inputs():
        shape = [d if isinstance(d, int) else seq_len for d in i.shape]
        if i.name == "input_ids":
            feeds[i.name] = np.asarray([[49406] + [320] * (seq_len - 2) + [49407]], np.int64)
        elif i.name == "attention_mask":
            feeds[i.name] = np.ones(shape, np.int64)
        else:
            feeds[i.name] = g.standard_normal(shape).astype(np.float32)
    return feeds


def time_graph(path: str | Path, threads: int = 2, runs: int = 5, seq_len: int = 10, stat: str = "median") -> float:
    """Median (or min) ms of one run of an ONNX graph in onnxruntime (CPU, `threads` intra-op threads)."""
    sess = session(path, threads)
    feeds = example_feeds(sess, seq_len)
    return median_ms(lambda: sess.run(None, feeds), runs=runs, stat=stat)


def check_against_pytorch(model, bundle_dir: str | Path, image=None,
                          prompts=("polyp", "one small pink round polyp, located in right of the image"),
                          threads: int = 2) -> dict:
    """Every variant of a bundle vs the PyTorch CLIPSegForImageSegmentation it came from: max |Δlogit|,
    the logit range, and Dice of the thresholded masks. image: a path or PIL image (default: noise)."""
    import torch

    manifest = load_bundle(bundle_dir)
    if image is not None:
        px = preprocess(image, manifest)
    else:
        h, w = manifest["input"]["size"]
        px = np.random.default_rng(0).standard_normal((1, 3, h, w)).astype(np.float32)
    t = manifest["output"]["threshold"]
    cut = float(np.log(t / (1 - t))) if manifest["output"]["activation"] == "sigmoid" and 0 < t < 1 else t
    report: dict = {}
    runners = {v["name"]: BundleRunner(bundle_dir, v["name"], threads) for v in manifest["variants"]}
    for prompt in prompts:
        ids, am = tokenize(prompt, Path(bundle_dir) / manifest["text"]["tokenizer"], manifest["text"]["maxLength"])
        with torch.no_grad():
            ref = model(pixel_values=torch.from_numpy(px), input_ids=torch.from_numpy(ids),
                        attention_mask=torch.from_numpy(am)).logits.numpy()
        for name, runner in runners.items():
            got = runner.segment(px, ids, am)
            row = report.setdefault(name, {"maxAbsDiff": 0.0, "minDice": 1.0})
            row["maxAbsDiff"] = max(row["maxAbsDiff"], float(np.abs(got - ref).max()))
            row["minDice"] = min(row["minDice"], dice(got > cut, ref > cut))
            row["logitRange"] = max(row.get("logitRange", 0.0), float(np.abs(ref).max()))
            row["foreground"] = float((ref > cut).mean())
    return report
