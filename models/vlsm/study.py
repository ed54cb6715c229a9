"""Prompt studies at dataset scale: models x datasets x prompt types, one row per image, on Ray Data.

    python -m vlsm.study --bundle compact-vlsm --shared all --split test --out build/study/test
    python -m vlsm.study --bundle A --bundle B --medvlsm data/kvasir_polyp --split test --out build/study/kv
    python -m vlsm.study --bundle A --folder scans/ --class polyp --prompts class,ladder --out build/study/f
    python -m vlsm.study --bundle A --nifti acdc/ --labels "1=right ventricle,2=myocardium,3=left ventricle" ...
    ... --address 10.0.0.5:6379      # run on an existing Ray cluster (default: a local one, all cores)

Inputs (any mix, each may be given several times):
  --shared NAMES|all    the shared datasets (../shared/data, VLSM_DATA) with the committed splits (--split)
  --folder DIR          DIR/images + DIR/masks (same name, or NAME_mask.EXT, or a .png of the same stem)
  --medvlsm DIR         the medvlsm layout: DIR/anns/{train,val,test}.json (img_name, mask_name, prompts p0..p9)
                        with DIR/images and DIR/masks
  --nifti DIR           DIR/volumes + DIR/labels (same file names), scored slice by slice, --labels names them
Prompt sets (--prompts, comma-separated):
  medvlsm  the published p0..p9 (first alternative of a list), where an item has them
  ladder   g0..g7 built from each structure's mask by the workbench's suggestion rules (vlsm.prompts)
  auto     medvlsm where an item has it, else ladder (default)
  class    the class word alone ("class") and the empty prompt ("empty")
  FILE     a JSON object {type: text}; "{class}" in a text is replaced by the structure's class word

Every bundle the workbench runs works (split compact or CLIPSeg, single-graph CLIPSeg): graphs run in
onnxruntime through vlsm.parity.BundleRunner, and pre/post-processing is the engine's (vlsm.engine_ops: the
TypeScript resize, normalisation, logit resize, sigmoid and `p >= threshold`), so a mask here is the mask the
browser shows for the same pixels and prompt.

Outputs in --out: rows/part-*.parquet (the per-image rows as they finish; a re-run skips every
(model, item) already there), rows.parquet + rows.csv (all rows: Dice, IoU, HD95, areas, timings, model
hash), table.csv + table.md (per model x dataset x structure x prompt type: mean and bootstrap 95 %
interval over images, over patients where a dataset names them), plots/dice-by-prompt-<dataset>.{png,svg}
and plots/dice-by-prompt.{png,svg}, study.json (inputs, models, counts, wall time).

Execution: Ray Data. The items (paths and prompts, a few hundred bytes each) are a dataset; map_batches runs
StudyWorker, a callable class holding one onnxruntime session set per actor, one actor per CPU (or
--workers). The bundles travel through the object store (workers need no copy; each actor verifies every
file's sha256); the vlsm package travels as a runtime_env py_module; images are read by the workers from
their paths (a shared filesystem on a cluster). The driver streams result blocks to Parquet parts, so memory
holds a few blocks, never the dataset. docs/STUDY.md has the measured throughput and the cost model.
"""
from __future__ import annotations

import argparse
import csv
import glob
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from . import engine_ops
from .bundle import load_bundle

ROW_FLUSH = 2000
BOOT = 2000
ACDC_LABELS = {1: "right ventricle", 2: "myocardium", 3: "left ventricle"}
SHARED = ("kvasir", "busi", "fuseg", "cxr", "ph2", "acdc")
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


# ---------------------------------------------------------------- items (what to score; small and JSON-able)

def item_key(it: dict) -> str:
    return f"{it['source']}:{it['dataset']}:{it['name']}"


def shared_items(names: list[str], split: str | None, root: str | None = None) -> list[dict]:
    """The shared datasets with their committed splits (vlsm.data._pairs), optionally one split."""
    from .data import DATA_ROOT, _pairs
    from .evaluate import CLASS

    out = []
    for p in _pairs(root or DATA_ROOT):
        if p["dataset"] not in names or (split and p["split"] != split):
            continue
        it = {"source": "shared", "dataset": p["dataset"], "name": p["name"], "image": p["image"], "mask": p["mask"],
              "split": p["split"], "patient": p.get("patient"), "subtype": p.get("subtype"), "prompts": p.get("prompts")}
        if p["dataset"] == "acdc":
            it.update(kind="nifti-slice", slice=p["slice"], labels={str(k): v for k, v in ACDC_LABELS.items()}, window="unit")
        elif p["dataset"] == "cxr":
            it.update(kind="cxr", classes={"lungs": "lungs", "left lung": "left lung", "right lung": "right lung"})
        else:
            it.update(kind="image", classes={"target": CLASS[p["dataset"]]})
        out.append(it)
    return out


def _find_mask(masks_dir: str, name: str) -> str | None:
    stem, ext = os.path.splitext(name)
    for cand in (name, f"{stem}_mask{ext}", f"{stem}.png", f"{stem}_mask.png"):
        if os.path.exists(os.path.join(masks_dir, cand)):
            return os.path.join(masks_dir, cand)
    return None


def folder_items(root: str, cls: str, dataset: str | None = None) -> list[dict]:
    img_dir, mask_dir = os.path.join(root, "images"), os.path.join(root, "masks")
    if not os.path.isdir(img_dir) or not os.path.isdir(mask_dir):
        raise SystemExit(f"--folder {root}: expected {root}/images and {root}/masks")
    ds = dataset or os.path.basename(os.path.normpath(root))
    out = []
    for n in sorted(os.listdir(img_dir)):
        if not n.lower().endswith(IMAGE_EXT):
            continue
        m = _find_mask(mask_dir, n)
        if m is None:
            print(f"study: {root}: no mask for {n}; skipped", file=sys.stderr)
            continue
        out.append({"source": f"folder:{root}", "dataset": ds, "name": n, "image": os.path.join(img_dir, n), "mask": m,
                    "split": None, "kind": "image", "classes": {"target": cls}})
    return out


def medvlsm_items(root: str, split: str | None, cls: str | None, dataset: str | None = None) -> list[dict]:
    """medvlsm layout: root/anns/<split>.json entries {img_name, mask_name, prompts: {p0..p9}}."""
    ds = dataset or os.path.basename(os.path.normpath(root))
    splits = [split] if split else [s for s in ("train", "val", "test") if os.path.exists(os.path.join(root, "anns", f"{s}.json"))]
    out = []
    for s in splits:
        path = os.path.join(root, "anns", f"{s}.json")
        if not os.path.exists(path):
            raise SystemExit(f"--medvlsm {root}: {path} does not exist")
        for e in json.load(open(path)):
            word = cls or (e.get("prompts", {}).get("p1") or ds)
            word = word[0] if isinstance(word, list) else word
            out.append({"source": f"medvlsm:{root}", "dataset": ds, "name": e["img_name"],
                        "image": os.path.join(root, "images", e["img_name"]), "mask": os.path.join(root, "masks", e["mask_name"]),
                        "split": s, "kind": "image", "classes": {"target": word}, "prompts": e.get("prompts")})
    return out


def nifti_items(root: str, labels: dict[int, str], dataset: str | None = None) -> list[dict]:
    from .nifti import read_nifti

    ds = dataset or os.path.basename(os.path.normpath(root))
    vols = sorted(glob.glob(os.path.join(root, "volumes", "*.nii*")))
    if not vols:
        raise SystemExit(f"--nifti {root}: no .nii/.nii.gz files in {root}/volumes")
    out = []
    for v in vols:
        lab = os.path.join(root, "labels", os.path.basename(v))
        if not os.path.exists(lab):
            print(f"study: {root}: no label volume for {os.path.basename(v)}; skipped", file=sys.stderr)
            continue
        nz = read_nifti(v).shape[2]
        for k in range(nz):
            out.append({"source": f"nifti:{root}", "dataset": ds, "name": f"{os.path.basename(v)}#{k}", "image": v, "mask": lab,
                        "split": None, "kind": "nifti-slice", "slice": k, "labels": {str(a): b for a, b in labels.items()},
                        "window": "auto", "patient": os.path.basename(v).split("_")[0]})
    return out


# ---------------------------------------------------------------- loading one item (inside a worker)

class _Volumes:
    """The last few decoded NIfTI volumes (items of a volume arrive together)."""

    def __init__(self, keep: int = 2):
        self.keep, self.cache = keep, OrderedDict()

    def get(self, path: str) -> np.ndarray:
        from .nifti import read_nifti

        if path in self.cache:
            self.cache.move_to_end(path)
            return self.cache[path]
        v = read_nifti(path)
        self.cache[path] = v
        while len(self.cache) > self.keep:
            self.cache.popitem(last=False)
        return v


def load_item(it: dict, volumes: _Volumes | None = None) -> tuple[np.ndarray, int, dict[str, tuple[str, np.ndarray]], np.ndarray | None]:
    """(uint8 RGB [H,W,3], the scan's channel count, {structure: (class word, bool mask)}, ignore mask or None)."""
    from PIL import Image

    from .data import _mask, _rgb, lung_halves

    if it["kind"] == "nifti-slice":
        vols = volumes or _Volumes()
        v = vols.get(it["image"])[:, :, it["slice"]].T.astype(np.float64)
        lab = np.asarray(vols.get(it["mask"])[:, :, it["slice"]].T)
        if it.get("window") == "unit" or (v.min() >= 0 and v.max() <= 1):
            g = (np.clip(v, 0, 1) * 255).round().astype(np.uint8)  # vlsm.data's conversion of the ACDC volumes
        else:
            lo, hi = np.percentile(vols.get(it["image"]), [0.5, 99.5])
            g = (np.clip((v - lo) / max(hi - lo, 1e-6), 0, 1) * 255).round().astype(np.uint8)
        structs = {name: (name, lab == int(k)) for k, name in it["labels"].items()}
        return np.repeat(g[..., None], 3, -1), 1, structs, None
    img = Image.open(it["image"])
    channels = 1 if img.mode in ("L", "1", "I", "I;16", "I;16B", "F") else 3
    rgb = np.asarray(_rgb(it["image"]), dtype=np.uint8)
    raw = _mask(it["mask"])
    if raw.shape != rgb.shape[:2]:
        raw = np.asarray(Image.fromarray(raw).resize((rgb.shape[1], rgb.shape[0]), Image.NEAREST))
    if it["kind"] == "cxr":
        fg = raw > 191
        img_left, img_right = lung_halves(fg)
        c = it["classes"]
        return rgb, channels, {"lungs": (c["lungs"], fg), "left lung": (c["left lung"], img_right),
                               "right lung": (c["right lung"], img_left)}, raw == 127
    return rgb, channels, {"target": (it["classes"]["target"], raw > 127)}, None


# ---------------------------------------------------------------- prompts

def prompt_set(it: dict, structure: str, cls: str, gt: np.ndarray, sets: list[str], files: dict[str, dict]) -> dict[str, str]:
    from .prompts import attributes, build_prompt
    from .sampling import DESCRIPTIONS, GROUP

    out: dict[str, str] = {}
    for s in sets:
        if s in ("medvlsm", "auto") and it.get("prompts") and structure == "target":
            out.update({k: (v[0] if isinstance(v, list) else v) for k, v in it["prompts"].items()})
            continue
        if s in ("ladder", "auto"):
            attrs = attributes(gt)
            group = GROUP.get(it["dataset"])
            desc = DESCRIPTIONS[group][0] if group else None
            rng = random.Random(0)
            out.update({f"g{lvl}": build_prompt(cls, attrs, lvl, rng, description=desc) for lvl in range(8 if desc else 7)})
        elif s == "class":
            out.update({"class": cls, "empty": ""})
        elif s in files:
            out.update({k: v.replace("{class}", cls) for k, v in files[s].items()})
    return out


# ---------------------------------------------------------------- metrics

def hd95(pred: np.ndarray, gt: np.ndarray) -> float:
    """95th percentile of the symmetric boundary distances in pixels (NaN when either mask is empty).
    Computed inside the two masks' joint bounding box, which holds every boundary point (exact)."""
    from scipy import ndimage

    if not pred.any() or not gt.any():
        return float("nan")
    ys, xs = np.nonzero(pred | gt)
    y0, y1, x0, x1 = max(ys.min() - 1, 0), ys.max() + 2, max(xs.min() - 1, 0), xs.max() + 2
    p, g = pred[y0:y1, x0:x1], gt[y0:y1, x0:x1]
    bp = p & ~ndimage.binary_erosion(p, border_value=0)
    bg = g & ~ndimage.binary_erosion(g, border_value=0)
    dg = ndimage.distance_transform_edt(~bg)
    dp = ndimage.distance_transform_edt(~bp)
    return float(np.percentile(np.concatenate([dg[bp], dp[bg]]), 95))


def scores(pred: np.ndarray, gt: np.ndarray, valid: np.ndarray | None) -> dict:
    if valid is not None:
        pred, gt = pred & valid, gt & valid
    inter = int((pred & gt).sum())
    a, b = int(pred.sum()), int(gt.sum())
    union = a + b - inter
    return {"dice": 1.0 if a + b == 0 else 2 * inter / (a + b), "iou": 1.0 if union == 0 else inter / union,
            "hd95": hd95(pred, gt), "pred_area": a, "gt_area": b, "pred_frac": a / pred.size, "gt_frac": b / gt.size,
            "gt_empty": b == 0}


# ---------------------------------------------------------------- the worker (one per Ray actor)

def pack_bundle(bundle_dir: str) -> dict:
    """A bundle's manifest and file bytes (what travels to the workers), its id and hash."""
    m = load_bundle(bundle_dir, verify_hashes=True)
    raw = open(os.path.join(bundle_dir, "manifest.json"), "rb").read()
    return {"dir": os.path.abspath(bundle_dir), "id": m["id"], "hash": hashlib.sha256(raw).hexdigest()[:16],
            "files": {"manifest.json": raw, **{f["path"]: open(os.path.join(bundle_dir, f["path"]), "rb").read() for f in m["files"]}}}


def engine_variant(manifest: dict, name: str | None) -> str:
    """The variant the workbench's WebAssembly engine picks (the first listing 'wasm'), or the one named."""
    names = [v["name"] for v in manifest["variants"]]
    if name:
        if name not in names:
            raise ValueError(f"no variant '{name}' (have {names})")
        return name
    return next((v["name"] for v in manifest["variants"] if "wasm" in v["backends"]), names[0])


class _Model:
    def __init__(self, packed: dict, variant: str | None, threads: int, workdir: str):
        from .parity import BundleRunner

        d = os.path.join(workdir, packed["hash"])
        for rel, data in packed["files"].items():
            p = os.path.join(d, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        self.id, self.hash = packed["id"], packed["hash"]
        manifest = load_bundle(d, verify_hashes=True)  # sha256 of every file, on the worker
        self.runner = BundleRunner(d, engine_variant(manifest, variant), threads=threads)
        self.m = self.runner.manifest
        self.variant = self.runner.variant["name"]
        self.text_cache: OrderedDict[str, dict] = OrderedDict()

    def tokens(self, prompt: str) -> tuple[np.ndarray, np.ndarray]:
        ids, am = self.runner.tokenize(prompt)
        t = self.m["text"]
        if t.get("padding") == "max_length":  # as src/engine/tokenizer.ts
            pad = t.get("padTokenId", int(ids[0, -1]))
            n = t["maxLength"] - ids.shape[1]
            if n > 0:
                ids = np.concatenate([ids, np.full((1, n), pad, np.int64)], 1)
                am = np.concatenate([am, np.zeros((1, n), np.int64)], 1)
        return ids, am

    def text(self, prompt: str) -> tuple[dict, float]:
        if prompt in self.text_cache:
            self.text_cache.move_to_end(prompt)
            return self.text_cache[prompt], 0.0
        t0 = time.perf_counter()
        feats = self.runner.encode_text(*self.tokens(prompt))
        self.text_cache[prompt] = feats
        if len(self.text_cache) > 4096:
            self.text_cache.popitem(last=False)
        return feats, (time.perf_counter() - t0) * 1000


class StudyWorker:
    """Callable class for Ray Data map_batches: one onnxruntime session set per bundle, per actor.
    A batch is {"item": JSON strings}; the result is one row per (model, item, structure, prompt type)."""

    def __init__(self, bundles, prompt_sets: list[str], prompt_files: dict | None = None, threshold: float | None = None,
                 threads: int = 1, variant: str | None = None):
        try:
            import ray

            if isinstance(bundles, ray.ObjectRef):
                bundles = ray.get(bundles)
        except ImportError:
            pass
        self.workdir = tempfile.mkdtemp(prefix="vlsm-study-")
        self.models = [_Model(b, variant, threads, self.workdir) for b in bundles]
        self.sets, self.files, self.threshold = prompt_sets, prompt_files or {}, threshold
        self.volumes = _Volumes()
        self.where = f"{os.uname().nodename}:{os.getpid()}"
        try:  # the Ray node this actor runs on (two nodes may share a host)
            import ray

            if ray.is_initialized():
                self.where += ":" + ray.get_runtime_context().get_node_id()[:12]
        except ImportError:
            pass

    def segment_item(self, it: dict, keep_probs: bool = False):
        """Yields (row, probabilities or None) for every model still to run on the item."""
        t0, c0 = time.perf_counter(), time.process_time()
        rgb, channels, structs, ignore = load_item(it, self.volumes)
        load_ms = (time.perf_counter() - t0) * 1000
        valid = ~ignore if ignore is not None and ignore.any() else None
        h, w = rgb.shape[:2]
        todo = set(it.get("models") or [m.hash for m in self.models])
        for m in self.models:
            if m.hash not in todo:
                continue
            spec = m.m["input"]
            t = time.perf_counter()
            px, box = engine_ops.preprocess(rgb, spec, channels)
            pre_ms = (time.perf_counter() - t) * 1000
            vision_ms, feats = 0.0, None
            if m.runner.kind == "split":
                t = time.perf_counter()
                feats = m.runner.encode_image(px)
                vision_ms = (time.perf_counter() - t) * 1000
            thr = self.threshold if self.threshold is not None else float(m.m["output"]["threshold"])
            act = m.m["output"]["activation"]
            for structure, (cls, gt) in structs.items():
                for ptype, prompt in prompt_set(it, structure, cls, gt, self.sets, self.files).items():
                    t = time.perf_counter()
                    if feats is not None:
                        temb, text_ms = m.text(prompt)
                        t = time.perf_counter()
                        logits = m.runner.decode({**feats, **temb})
                    else:
                        text_ms = 0.0
                        logits = m.runner.segment(px, *m.tokens(prompt))
                    decode_ms = (time.perf_counter() - t) * 1000
                    t = time.perf_counter()
                    prob = engine_ops.postprocess(logits.reshape(logits.shape[-2:]), spec, box, (h, w), act)
                    pred = engine_ops.threshold(prob, thr)
                    post_ms = (time.perf_counter() - t) * 1000
                    row = {"model_id": m.id, "model_hash": m.hash, "variant": m.variant, "key": item_key(it),
                           "source": it["source"], "dataset": it["dataset"], "split": it.get("split"), "name": it["name"],
                           "patient": it.get("patient"), "subtype": it.get("subtype"), "structure": structure,
                           "prompt_type": ptype, "prompt": prompt, "threshold": thr, "width": w, "height": h,
                           **scores(pred, gt, valid), "load_ms": load_ms, "pre_ms": pre_ms, "vision_ms": vision_ms,
                           "text_ms": text_ms, "decode_ms": decode_ms, "post_ms": post_ms,
                           "cpu_ms": (time.process_time() - c0) * 1000, "worker": self.where}
                    c0 = time.process_time()
                    yield row, (prob if keep_probs else None)
                    load_ms = pre_ms = vision_ms = 0.0  # per-image costs sit on the first row (sums stay true)

    def __call__(self, batch):
        import pandas as pd

        rows = []
        for s in batch["item"]:
            rows.extend(r for r, _ in self.segment_item(json.loads(s)))
        return pd.DataFrame(rows, columns=COLUMNS)


COLUMNS = ["model_id", "model_hash", "variant", "key", "source", "dataset", "split", "name", "patient", "subtype",
           "structure", "prompt_type", "prompt", "threshold", "width", "height", "dice", "iou", "hd95", "pred_area",
           "gt_area", "pred_frac", "gt_frac", "gt_empty", "load_ms", "pre_ms", "vision_ms", "text_ms", "decode_ms",
           "post_ms", "cpu_ms", "worker"]


# ---------------------------------------------------------------- the driver

def _schema():
    import pyarrow as pa

    s, f, i, b = pa.string(), pa.float64(), pa.int64(), pa.bool_()
    types = {"threshold": f, "width": i, "height": i, "dice": f, "iou": f, "hd95": f, "pred_area": i, "gt_area": i,
             "pred_frac": f, "gt_frac": f, "gt_empty": b, "load_ms": f, "pre_ms": f, "vision_ms": f, "text_ms": f,
             "decode_ms": f, "post_ms": f, "cpu_ms": f}
    return pa.schema([(c, types.get(c, s)) for c in COLUMNS])


class PartWriter:
    """Buffers result rows and writes them as atomic Parquet parts (rows of one item are never split)."""

    def __init__(self, out: str):
        self.dir = os.path.join(out, "rows")
        os.makedirs(self.dir, exist_ok=True)
        self.n = len(glob.glob(os.path.join(self.dir, "part-*.parquet")))
        self.buf: list = []
        self.rows = 0

    def add(self, table) -> None:
        self.buf.append(table)
        self.rows += table.num_rows
        if self.rows >= ROW_FLUSH:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.buf:
            return
        t = pa.concat_tables([b.select(COLUMNS).cast(_schema()) for b in self.buf])
        path = os.path.join(self.dir, f"part-{self.n:05d}-{os.getpid()}.parquet")
        pq.write_table(t, path + ".tmp")
        os.replace(path + ".tmp", path)
        self.n += 1
        self.buf, self.rows = [], 0


def done_pairs(out: str) -> set[tuple[str, str]]:
    import pyarrow.parquet as pq

    done = set()
    for p in sorted(glob.glob(os.path.join(out, "rows", "part-*.parquet"))):
        t = pq.read_table(p, columns=["model_hash", "key"])
        done.update(zip(t.column("model_hash").to_pylist(), t.column("key").to_pylist()))
    return done


def _ray_init(address: str | None, workers: int | None, object_store_mb: int):
    import logging
    import warnings

    import ray

    warnings.filterwarnings("ignore", module="ray")
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    here = os.path.dirname(os.path.abspath(__file__))
    env = {"py_modules": [here], "excludes": ["__pycache__"]}
    if address:
        ray.init(address=address, runtime_env=env, log_to_driver=False, logging_level="ERROR")
    else:
        # Ray lowers its workers' priority (niceness 15 over the driver's); on a machine shared with other work
        # that starves the actors, so a local instance runs them at the driver's own priority.
        os.environ.setdefault("RAY_worker_niceness", "0")
        ray.init(num_cpus=max(workers or 0, os.cpu_count() or 1), object_store_memory=object_store_mb * 2**20, include_dashboard=False,
                 runtime_env=env, log_to_driver=False, logging_level="ERROR")
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = False
    try:
        ctx.print_on_execution_start = False
    except AttributeError:
        pass
    return ray


def run(items: list[dict], bundles: list[str], out: str, prompt_sets: list[str], prompt_files: dict | None = None,
        threshold: float | None = None, workers: int | None = None, address: str | None = None, batch_size: int = 4,
        threads: int = 1, variant: str | None = None, use_ray: bool = True, object_store_mb: int = 256,
        progress: bool = True) -> dict:
    """Scores every item not yet in out/rows with every bundle; then writes the summary files. Returns study.json."""
    import pyarrow as pa
    from tqdm import tqdm

    os.makedirs(out, exist_ok=True)
    packed = [pack_bundle(b) for b in bundles]
    hashes = [p["hash"] for p in packed]
    done = done_pairs(out)
    todo = []
    for it in items:
        missing = [h for h in hashes if (h, item_key(it)) not in done]
        if missing:
            todo.append({**it, "models": missing})
    info = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "items": len(items), "skipped_done": len(items) - len(todo),
            "models": [{"id": p["id"], "hash": p["hash"], "dir": p["dir"]} for p in packed], "prompt_sets": prompt_sets}
    t0 = time.perf_counter()
    writer = PartWriter(out)
    bar = tqdm(total=len(todo), unit="img", desc="study", disable=not progress, file=sys.stderr)
    seen: set[str] = set()
    kwargs = dict(prompt_sets=prompt_sets, prompt_files=prompt_files, threshold=threshold, threads=threads, variant=variant)
    if todo and use_ray:
        ray = _ray_init(address, workers, object_store_mb)
        info["ray_init_s"] = round(time.perf_counter() - t0, 2)
        try:
            n_workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
            ref = ray.put(packed)
            # blocks of ~16 items (an actor task is a block: the progress bar and the parts advance per block,
            # and a crash loses at most the blocks in flight), at least 8 per worker for small studies
            blocks = min(len(todo), max(n_workers * 8, -(-len(todo) // 16)))
            ds = ray.data.from_items([{"item": json.dumps(it)} for it in todo], override_num_blocks=blocks)
            res = ds.map_batches(StudyWorker, fn_constructor_kwargs={"bundles": ref, **kwargs}, batch_size=batch_size,
                                 batch_format="pandas", compute=ray.data.ActorPoolStrategy(size=n_workers), num_cpus=1)
            for batch in res.iter_batches(batch_size=None, batch_format="pyarrow"):
                if "first_result_s" not in info:
                    info["first_result_s"] = round(time.perf_counter() - t0, 2)
                    first_n = len(set(batch.column("key").to_pylist()))
                writer.add(batch)
                new = set(batch.column("key").to_pylist()) - seen
                seen |= new
                bar.update(len(new))
            info["workers"] = n_workers
            info["cluster"] = {"address": address or "local", "nodes": len([n for n in ray.nodes() if n["Alive"]]),
                               "cpus": ray.cluster_resources().get("CPU")}
        finally:
            ray.shutdown()  # a local instance stops; on a cluster the driver disconnects
    elif todo:
        w = StudyWorker(packed, **kwargs)
        for it in todo:
            rows = [r for r, _ in w.segment_item(it)]
            writer.add(pa.Table.from_pylist(rows, schema=_schema()))
            bar.update(1)
        info["workers"] = 0
    writer.flush()
    bar.close()
    info["wall_s"] = round(time.perf_counter() - t0, 2)
    info["scored_now"] = len(todo)
    info["images_per_s"] = round(len(todo) / info["wall_s"], 3) if todo else None
    if "first_result_s" in info and len(todo) >= 2 * first_n and info["wall_s"] > info["first_result_s"]:
        # after the first result: actors started, sessions loaded (the rate a long study runs at)
        info["images_per_s_steady"] = round((len(todo) - first_n) / (info["wall_s"] - info["first_result_s"]), 3)
    info.update(summarise(out))
    prev_path = os.path.join(out, "study.json")
    if os.path.exists(prev_path):  # earlier runs into the same folder (a resumed study) stay on record
        prev = json.load(open(prev_path))
        info["earlier_runs"] = prev.pop("earlier_runs", []) + [prev]
    with open(os.path.join(out, "study.json"), "w") as f:
        json.dump(info, f, indent=1)
    return info


# ---------------------------------------------------------------- summary: rows files, tables, plots

def boot_ci(values: np.ndarray, clusters: np.ndarray | None, n: int = BOOT, seed: int = 0) -> tuple[float, float, float]:
    """Mean and percentile bootstrap 95 % interval, resampling clusters (patients) when given, else rows.
    Works on per-cluster sums, in chunks of resamples: memory stays O(clusters)."""
    v = np.asarray(values, np.float64)
    if len(v) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(v.mean())
    if len(v) < 2:
        return mean, mean, mean
    if clusters is not None:
        _, inv = np.unique(clusters, return_inverse=True)
        sums, counts = np.bincount(inv, weights=v), np.bincount(inv).astype(np.float64)
    else:
        sums, counts = v, np.ones_like(v)
    k = len(sums)
    rng = np.random.default_rng(seed)
    means = []
    chunk = max(1, min(n, 2_000_000 // k))
    for s in range(0, n, chunk):
        pick = rng.integers(0, k, (min(chunk, n - s), k))
        means.append(sums[pick].sum(1) / counts[pick].sum(1))
    lo, hi = np.percentile(np.concatenate(means), [2.5, 97.5])
    return mean, float(lo), float(hi)


def _ptype_order(types) -> list[str]:
    def key(t: str):
        if t[:1] in "pg" and t[1:].isdigit():
            return (0 if t[0] == "p" else 1, int(t[1:]), t)
        return (2, 0, t)

    return sorted(set(types), key=key)


def summarise(out: str) -> dict:
    """rows.parquet/rows.csv from the parts (streamed), table.csv/table.md and the plots."""
    import pyarrow.csv as pcsv
    import pyarrow.dataset as pads
    import pyarrow.parquet as pq

    parts = sorted(glob.glob(os.path.join(out, "rows", "part-*.parquet")))
    if not parts:
        return {"rows": 0}
    dset = pads.dataset(parts, format="parquet", schema=_schema())
    n = 0
    with pq.ParquetWriter(os.path.join(out, "rows.parquet.tmp"), _schema()) as pw, \
            pcsv.CSVWriter(os.path.join(out, "rows.csv.tmp"), _schema()) as cw:
        for b in dset.to_batches():
            pw.write_batch(b)
            cw.write_batch(b)
            n += b.num_rows
    os.replace(os.path.join(out, "rows.parquet.tmp"), os.path.join(out, "rows.parquet"))
    os.replace(os.path.join(out, "rows.csv.tmp"), os.path.join(out, "rows.csv"))
    cols = ["model_id", "model_hash", "dataset", "structure", "prompt_type", "dice", "iou", "hd95", "gt_empty", "patient", "name"]
    df = dset.to_table(columns=cols, filter=~pads.field("gt_empty")).to_pandas()
    table = []
    for (mid, mh, ds, st, pt), g in df.groupby(["model_id", "model_hash", "dataset", "structure", "prompt_type"], sort=False):
        pat = g["patient"]
        clusters = pat.fillna(g["name"]).to_numpy() if pat.notna().any() and pat.duplicated().any() else None
        mean, lo, hi = boot_ci(g["dice"].to_numpy(), clusters)
        hd = g["hd95"].dropna()
        table.append({"model_id": mid, "model_hash": mh, "dataset": ds, "structure": st, "prompt_type": pt, "n": len(g),
                      "clusters": int(len(set(clusters))) if clusters is not None else len(g), "dice": round(mean, 4),
                      "dice_lo": round(lo, 4), "dice_hi": round(hi, 4), "iou": round(float(g["iou"].mean()), 4),
                      "hd95_median": round(float(hd.median()), 2) if len(hd) else None})
    order = {t: i for i, t in enumerate(_ptype_order(r["prompt_type"] for r in table))}
    table.sort(key=lambda r: (r["dataset"], r["structure"], r["model_id"], r["model_hash"], order[r["prompt_type"]]))
    with open(os.path.join(out, "table.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(markdown_table(table))
    plot(table, os.path.join(out, "plots"))
    return {"rows": n, "table_cells": len(table)}


def markdown_table(table: list[dict]) -> str:
    """The seed's layout: one table per dataset (and structure), a row per model, a column per prompt type;
    a cell is the mean Dice with its bootstrap 95 % interval."""
    lines = ["Dice per prompt type: mean [bootstrap 95 % interval]; images whose structure is absent are left out "
             "(their rows stay in rows.parquet). n = images (clusters = patients, resampled together).", ""]
    groups: dict[tuple, list[dict]] = {}
    for r in table:
        groups.setdefault((r["dataset"], r["structure"]), []).append(r)
    for (ds, st), rows in groups.items():
        types = _ptype_order(r["prompt_type"] for r in rows)
        title = ds if st == "target" else f"{ds}: {st}"
        ns = sorted({(r["n"], r["clusters"]) for r in rows})
        nt = ", ".join(f"n={a}" + (f" ({b} patients)" if b != a else "") for a, b in ns)
        lines += [f"### {title} ({nt})", "", "| model | " + " | ".join(types) + " |", "|---|" + "---|" * len(types)]
        models: dict[tuple, dict] = {}
        for r in rows:
            models.setdefault((r["model_id"], r["model_hash"]), {})[r["prompt_type"]] = r
        for (mid, mh), cells in models.items():
            vals = [f"{c['dice']:.3f} [{c['dice_lo']:.3f}, {c['dice_hi']:.3f}]" if (c := cells.get(t)) else "–" for t in types]
            lines.append(f"| {mid} `{mh[:8]}` | " + " | ".join(vals) + " |")
        lines.append("")
    return "\n".join(lines)


def plot(table: list[dict], out: str) -> None:
    """Dice by prompt type with 95 % intervals: one figure per dataset (a line per model and structure) and
    one overview (a panel per dataset). PNG + SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "vlsm-study"
    os.makedirs(out, exist_ok=True)
    by_ds: dict[str, list[dict]] = {}
    for r in table:
        by_ds.setdefault(r["dataset"], []).append(r)

    def draw(ax, rows, title):
        types = _ptype_order(r["prompt_type"] for r in rows)
        series: dict[str, dict] = {}
        for r in rows:
            label = r["model_id"] + ("" if r["structure"] == "target" else f" · {r['structure']}")
            series.setdefault(label, {})[r["prompt_type"]] = r
        for k, (label, cells) in enumerate(series.items()):
            xs = [i + (k - (len(series) - 1) / 2) * 0.08 for i, t in enumerate(types) if t in cells]
            c = [cells[t] for t in types if t in cells]
            y = np.array([r["dice"] for r in c])
            err = np.array([[r["dice"] - r["dice_lo"] for r in c], [r["dice_hi"] - r["dice"] for r in c]])
            ax.errorbar(xs, y, yerr=err, marker="o", ms=4, capsize=2, lw=1, label=label)
        ax.set_xticks(range(len(types)), types, rotation=45 if len(types) > 8 else 0)
        ax.set_ylim(0, 1)
        ax.set_ylabel("Dice (mean, 95 % CI)")
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7, loc="best")

    meta = {"Date": None}
    for ds, rows in by_ds.items():
        fig, ax = plt.subplots(figsize=(7, 4))
        draw(ax, rows, ds)
        fig.tight_layout()
        for ext in ("png", "svg"):
            fig.savefig(os.path.join(out, f"dice-by-prompt-{ds}.{ext}"), dpi=120, metadata=meta if ext == "svg" else None)
        plt.close(fig)
    k = len(by_ds)
    cols = min(3, k)
    rows_n = (k + cols - 1) // cols
    fig, axes = plt.subplots(rows_n, cols, figsize=(5 * cols, 3.6 * rows_n), squeeze=False)
    for ax, (ds, rows) in zip(axes.flat, by_ds.items()):
        draw(ax, rows, ds)
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"dice-by-prompt.{ext}"), dpi=110, metadata=meta if ext == "svg" else None)
    plt.close(fig)


# ---------------------------------------------------------------- command line

def _labels(s: str) -> dict[int, str]:
    out = {}
    for part in s.split(","):
        k, _, v = part.partition("=")
        if not v or not k.strip().isdigit():
            raise SystemExit(f"--labels: expected '1=name,2=name', got '{part}'")
        out[int(k)] = v.strip()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m vlsm.study", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", action="append", required=True, help="bundle folder (repeat for several models)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--shared", help=f"comma-separated shared datasets ({','.join(SHARED)}) or 'all'")
    ap.add_argument("--folder", action="append", default=[])
    ap.add_argument("--medvlsm", action="append", default=[])
    ap.add_argument("--nifti", action="append", default=[])
    ap.add_argument("--labels", default="1=right ventricle,2=myocardium,3=left ventricle", help="NIfTI label names")
    ap.add_argument("--class", dest="cls", default=None, help="class word for --folder / --medvlsm items")
    ap.add_argument("--split", default=None, help="train, val or test (shared and medvlsm inputs)")
    ap.add_argument("--prompts", default="auto", help="comma-separated: auto, medvlsm, ladder, class, or a JSON file")
    ap.add_argument("--limit", type=int, default=None, help="at most N items per dataset (the first N)")
    ap.add_argument("--threshold", type=float, default=None, help="default: each manifest's output.threshold")
    ap.add_argument("--variant", default=None, help="bundle variant (default: the engine's WebAssembly choice)")
    ap.add_argument("--workers", type=int, default=None, help="actors (default: every CPU of the cluster)")
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads per actor")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--address", default=None, help="an existing Ray cluster (host:port); default: start a local one")
    ap.add_argument("--object-store-mb", type=int, default=256, help="object store of the local Ray instance")
    ap.add_argument("--no-ray", action="store_true", help="run in this process (debugging)")
    ap.add_argument("--no-progress", action="store_true")
    a = ap.parse_args(argv)

    items: list[dict] = []
    if a.shared:
        names = list(SHARED) if a.shared == "all" else [s.strip() for s in a.shared.split(",")]
        bad = [n for n in names if n not in SHARED]
        if bad:
            raise SystemExit(f"--shared: unknown dataset(s) {bad}; choose from {list(SHARED)}")
        items += shared_items(names, a.split)
    for d in a.folder:
        if not a.cls:
            raise SystemExit("--folder needs --class (the structure's class word)")
        items += folder_items(d, a.cls)
    for d in a.medvlsm:
        items += medvlsm_items(d, a.split, a.cls)
    for d in a.nifti:
        items += nifti_items(d, _labels(a.labels))
    if not items:
        raise SystemExit("no items: give --shared, --folder, --medvlsm or --nifti")
    if a.limit:
        seen: dict[str, int] = {}
        kept = []
        for it in items:
            seen[it["dataset"]] = seen.get(it["dataset"], 0) + 1
            if seen[it["dataset"]] <= a.limit:
                kept.append(it)
        items = kept
    sets, files = [], {}
    for s in a.prompts.split(","):
        s = s.strip()
        if s in ("auto", "medvlsm", "ladder", "class"):
            sets.append(s)
        elif os.path.isfile(s):
            try:
                files[s] = json.load(open(s))
            except json.JSONDecodeError as e:
                raise SystemExit(f"--prompts {s}: not valid JSON ({e})")
            if not isinstance(files[s], dict) or not all(isinstance(v, str) for v in files[s].values()):
                raise SystemExit(f"--prompts {s}: expected a JSON object {{type: prompt text}}")
            sets.append(s)
        else:
            raise SystemExit(f"--prompts: '{s}' is neither auto/medvlsm/ladder/class nor a file")
    for b in a.bundle:
        try:
            load_bundle(b, verify_hashes=False)
        except ValueError as e:
            raise SystemExit(f"--bundle {b}: {e}")
    info = run(items, a.bundle, a.out, sets, files, a.threshold, a.workers, a.address, a.batch_size, a.threads, a.variant,
               use_ray=not a.no_ray, object_store_mb=a.object_store_mb, progress=not a.no_progress)
    print(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
