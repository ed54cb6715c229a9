"""Reference outputs for src/engine/resize.test.ts: PIL BILINEAR on uint8 RGB and torch bilinear on floats.
Usage: python3 src/engine/testing/resize_reference.py  (writes models/build/resize/, git-ignored)"""
import json
import os

import numpy as np
from PIL import Image

OUT = "models/build/resize"


def torch_bilinear(f, oh, ow):
    import torch
    import torch.nn.functional as F

    return F.interpolate(torch.from_numpy(f)[None, None], size=(oh, ow), mode="bilinear", align_corners=False)[0, 0].numpy()


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(0)
    cases = [(97, 61, 352, 352), (640, 480, 352, 352), (1920, 1072, 352, 352), (352, 352, 352, 352), (300, 200, 352, 100), (13, 7, 40, 3)]
    for i, (w, h, ow, oh) in enumerate(cases):
        a = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        a[: h // 2] = (np.linspace(0, 255, w)[None, :, None] * np.ones((h // 2, 1, 3))).astype(np.uint8)
        b = np.asarray(Image.fromarray(a).resize((ow, oh), Image.BILINEAR))
        a.tofile(f"{OUT}/in{i}.u8")
        b.tofile(f"{OUT}/out{i}.u8")
        f = rng.standard_normal((h, w)).astype(np.float32)
        f.tofile(f"{OUT}/fin{i}.f32")
        torch_bilinear(f, oh, ow).astype(np.float32).tofile(f"{OUT}/fout{i}.f32")
    with open(f"{OUT}/meta.json", "w") as fh:
        json.dump([list(c) for c in cases], fh)


if __name__ == "__main__":
    main()
