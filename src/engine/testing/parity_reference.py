"""Reference logits for the engine parity tests (src/worker/parity.node.test.ts), computed the Python way:
PIL BILINEAR resize of uint8 RGB (to the whole input, or for letterbox to the centred box, zeros around),
(v*scale - mean)/std, `tokenizers` on the bundle's tokenizer.json (padded when the manifest says so),
onnxruntime (Python) on the bundle's graphs.

    python3 src/engine/testing/parity_reference.py BUNDLE_DIR VARIANT OUT_DIR [WIDTHxHEIGHT]

Writes OUT_DIR/image.u8 (+ meta.json with size, prompts, ids) and, per prompt i, logits_i.f32 and
pixel_values.f32 (the preprocessed input), all git-ignored under models/build/.
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image
from tokenizers import Tokenizer

PROMPTS = ["", "polyp", "a photo of a cat", "one small pink round polyp, located in right of the image",
           "a large red ulcer on the left, near the centre of the image, with irregular borders"]


def test_image(w=200, h=150):
    y, x = np.mgrid[0:h, 0:w]
    rng = np.random.default_rng(7)
    img = np.stack([128 + 100 * np.sin(x / 17.0), 128 + 100 * np.cos(y / 11.0), (x + y) % 256], -1)
    img = img + rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def main(bundle: str, variant_name: str, out: str, size: str = "200x150") -> None:
    bdir, odir = Path(bundle), Path(out)
    odir.mkdir(parents=True, exist_ok=True)
    m = json.loads((bdir / "manifest.json").read_text())
    variant = next(v for v in m["variants"] if v["name"] == variant_name)
    H, W = m["input"]["size"]
    w, h = (int(v) for v in size.split("x"))
    img = test_image(w, h)
    img.tofile(odir / "image.u8")
    # stretch: the whole input; letterbox: the scaled image centred, the rest 0 after normalisation
    if m["input"]["resize"] == "letterbox":
        s = min(W / w, H / h)
        bw, bh = max(1, int(np.floor(w * s + 0.5))), max(1, int(np.floor(h * s + 0.5)))
        x0, y0 = (W - bw) // 2, (H - bh) // 2
    else:
        bw, bh, x0, y0 = W, H, 0, 0
    resized = np.asarray(Image.fromarray(img).resize((bw, bh), Image.BILINEAR), dtype=np.float32)
    scale = m["input"].get("scale", 1 / 255)
    inner = ((resized * scale - np.array(m["input"]["mean"], np.float32)) / np.array(m["input"]["std"], np.float32))
    px = np.zeros((H, W, 3), np.float32)
    px[y0:y0 + bh, x0:x0 + bw] = inner
    px = px.transpose(2, 0, 1)[None].copy()
    px.tofile(odir / "pixel_values.f32")
    tok = Tokenizer.from_file(str(bdir / m["text"]["tokenizer"]))
    max_len = m["text"]["maxLength"]
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = {g: ort.InferenceSession(str(bdir / spec["file"]), so, providers=["CPUExecutionProvider"])
            for g, spec in variant["graphs"].items()}
    all_ids = []
    for i, prompt in enumerate(PROMPTS):
        ids = tok.encode(prompt).ids
        if len(ids) > max_len:
            ids = ids[: max_len - 1] + [ids[-1]]
        mask = [1] * len(ids)
        if m["text"]["padding"] == "max_length":  # e.g. CRIS: 0-padded to its fixed text length
            mask += [0] * (max_len - len(ids))
            ids = ids + [m["text"].get("padTokenId", 0)] * (max_len - len(ids))
        all_ids.append(ids)
        ids_t = np.array([ids], np.int64)
        mask_t = np.array([mask], np.int64)
        text_feeds = {"input_ids": ids_t, "attention_mask": mask_t}
        if m["kind"] == "single":
            s = sess["model"]
            feeds = {"pixel_values": px, **text_feeds}
            logits = s.run(None, {k.name: feeds[k.name] for k in s.get_inputs()})[0]
        else:
            vis = sess["vision"].run(None, {"pixel_values": px})
            feats = {o.name: v for o, v in zip(sess["vision"].get_outputs(), vis)}
            t = sess["text"]
            txt = t.run(None, {k.name: text_feeds[k.name] for k in t.get_inputs()})
            feats.update({o.name: v for o, v in zip(t.get_outputs(), txt)})
            d = sess["decoder"]
            logits = d.run(None, {k.name: feats[k.name] for k in d.get_inputs()})[0]
        logits.astype(np.float32).tofile(odir / f"logits_{i}.f32")
        shape = list(logits.shape)
    meta = {"width": int(img.shape[1]), "height": int(img.shape[0]), "prompts": PROMPTS, "ids": all_ids,
            "logitsShape": shape, "variant": variant_name, "bundle": str(bdir)}
    (odir / "meta.json").write_text(json.dumps(meta))


if __name__ == "__main__":
    main(*sys.argv[1:5])
