"""Procedural synthetic scans with known masks (the project's own, not copies of any dataset):
endoscopy-like (pink mucosa + a polyp), ultrasound-like (speckle + a dark lesion), X-ray-like (chest with
two lungs). Used as a small extra training source so the shipped model also works on the demo gallery."""
from __future__ import annotations

import numpy as np

KINDS = ("endoscopy", "ultrasound", "xray")


def _ellipse(h: int, w: int, cy: float, cx: float, ry: float, rx: float, ang: float = 0.0) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    y, x = yy - cy, xx - cx
    c, s = np.cos(ang), np.sin(ang)
    u, v = x * c + y * s, -x * s + y * c
    return (u / rx) ** 2 + (v / ry) ** 2 <= 1.0


def _smooth_noise(rng: np.random.Generator, h: int, w: int, scale: int) -> np.ndarray:
    small = rng.random((h // scale + 2, w // scale + 2)).astype(np.float32)
    ys = np.linspace(0, small.shape[0] - 2, h)
    xs = np.linspace(0, small.shape[1] - 2, w)
    y0, x0 = ys.astype(int), xs.astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    a = small[y0][:, x0]
    b = small[y0][:, x0 + 1]
    c = small[y0 + 1][:, x0]
    d = small[y0 + 1][:, x0 + 1]
    return a * (1 - fy) * (1 - fx) + b * (1 - fy) * fx + c * fy * (1 - fx) + d * fy * fx


def make(kind: str, seed: int, size: int = 224) -> dict:
    """Returns {'image': uint8 [S,S,3], 'mask': bool [S,S], 'cls': str, 'patient_left'/'patient_right' (xray)}."""
    rng = np.random.default_rng(seed)
    h = w = size
    out: dict = {"kind": kind}
    if kind == "endoscopy":
        base = np.stack([0.85, 0.45, 0.45]) * 255
        tex = _smooth_noise(rng, h, w, 24)[..., None]
        img = base * (0.7 + 0.5 * tex)
        vign = 1 - 0.6 * (((np.mgrid[0:h, 0:w] - size / 2) ** 2).sum(0) / (size / 1.3) ** 2)
        img *= np.clip(vign, 0.2, 1)[..., None]
        r = rng.uniform(0.08, 0.22) * size
        cy, cx = rng.uniform(r, size - r, 2)
        m = _ellipse(h, w, cy, cx, r * rng.uniform(0.7, 1.0), r, rng.uniform(0, np.pi))
        polyp = np.array([0.95, 0.6, 0.55]) * 255 * (0.8 + 0.4 * _smooth_noise(rng, h, w, 8)[..., None])
        img = np.where(m[..., None], polyp, img)
        out.update(cls="polyp")
    elif kind == "ultrasound":
        speck = rng.gamma(2.0, 0.5, (h, w)).astype(np.float32)
        img = 90 * _smooth_noise(rng, h, w, 32) * speck + 20
        r = rng.uniform(0.08, 0.2) * size
        cy, cx = rng.uniform(size * 0.3, size * 0.7), rng.uniform(r, size - r)
        m = _ellipse(h, w, cy, cx, r * rng.uniform(0.5, 0.9), r, rng.uniform(-0.3, 0.3))
        img = np.where(m, 15 + 10 * speck, img)
        img = np.repeat(img[..., None], 3, -1)
        out.update(cls="tumor")
    else:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        body = _ellipse(h, w, size * 0.55, size * 0.5, size * 0.5, size * 0.42)
        img = np.where(body, 170.0, 25.0) + 30 * _smooth_noise(rng, h, w, 16)
        ry, rx = size * rng.uniform(0.25, 0.32), size * rng.uniform(0.11, 0.15)
        gap = size * rng.uniform(0.06, 0.1)
        cy = size * rng.uniform(0.45, 0.52)
        lung_img_left = _ellipse(h, w, cy, size / 2 - gap - rx, ry, rx, 0.1)
        lung_img_right = _ellipse(h, w, cy, size / 2 + gap + rx, ry * 0.92, rx, -0.1)
        heart = _ellipse(h, w, cy + ry * 0.5, size / 2 + gap, ry * 0.4, rx * 0.9)
        lung_img_right &= ~heart
        img = np.where(lung_img_left | lung_img_right, 60.0 + 20 * _smooth_noise(rng, h, w, 6), img)
        img = np.repeat(img[..., None], 3, -1)
        m = lung_img_left | lung_img_right
        out.update(cls="lungs", patient_right=lung_img_left, patient_left=lung_img_right)
    img = np.clip(img + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)
    out.update(image=img, mask=m)
    return out
