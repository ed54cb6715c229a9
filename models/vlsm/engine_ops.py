"""The browser engine's pre- and post-processing in numpy, operation for operation (src/engine/preprocess.ts,
resize.ts, postprocess.ts), so a study run in Python produces the masks the workbench shows.

- `resize_u8`: resize.ts `resizeBilinearPil` (Pillow's bilinear filter with 22-bit fixed-point weights,
  horizontal pass first, clipped to uint8 between passes). Pillow itself is bit-identical to it for
  landscape -> square and within one grey level otherwise (its SIMD build sometimes runs the vertical pass
  first); this port follows the engine, not Pillow.
- `preprocess`: 8-bit RGB -> (luma for 'grey-to-rgb') -> stretch or letterbox -> (v * scale - mean) / std
  into planar float32 [1,3,H,W]; letterbox padding stays 0.
- `resize_float`: resize.ts `resizeBilinearFloat` (torch bilinear, align_corners=False, float32 coordinates).
- `postprocess`: crop the letterbox box, resize the logits to the scan's size, then the activation.
- `threshold`: `p >= t` (postprocess.ts `threshold`).

The weights are computed in Python floats (IEEE doubles, as JavaScript numbers) in the same order as the
TypeScript, so the integer weights and therefore the resized pixels are identical.
"""
from __future__ import annotations

import math

import numpy as np

PRECISION_BITS = 32 - 8 - 2


def _coeffs(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(index [out, ksize] clamped into the input, int64 weights [out, ksize], precision) as resize.ts precompute."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 1.0 * filterscale
    ksize = int(math.ceil(support)) * 2 + 1
    one = 2.0 ** PRECISION_BITS
    idx = np.zeros((out_size, ksize), np.int64)
    kk = np.zeros((out_size, ksize), np.int64)
    ss = 1.0 / filterscale
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = max(0, math.trunc(center - support + 0.5))
        xmax = min(in_size, math.trunc(center + support + 0.5)) - xmin
        k = []
        ww = 0.0
        for x in range(xmax):
            t = abs((x + xmin - center + 0.5) * ss)
            w = 1 - t if t < 1 else 0.0
            k.append(w)
            ww += w
        for x in range(ksize):
            if x < xmax:
                v = k[x] / ww if ww != 0 else k[x]
                kk[xx, x] = math.trunc(-0.5 + v * one) if v < 0 else math.trunc(0.5 + v * one)
                idx[xx, x] = x + xmin
            else:
                idx[xx, x] = xmin
    return idx, kk, PRECISION_BITS


def _pass(src: np.ndarray, out_size: int, axis: int) -> np.ndarray:
    idx, kk, prec = _coeffs(src.shape[axis], out_size)
    half = 1 << (prec - 1)
    # The resampled axis goes first so each tap is a gather of whole contiguous rows. int32 holds every sum
    # (weights add up to 2**22, times 255, plus half: < 2**31).
    s = np.ascontiguousarray(np.moveaxis(src, axis, 0)).astype(np.int32)
    acc = np.full((out_size,) + s.shape[1:], half, np.int32)
    for j in range(idx.shape[1]):  # one tap at a time keeps memory at one output-sized buffer
        acc += s[idx[:, j]] * kk[:, j].astype(np.int32).reshape((-1,) + (1,) * (s.ndim - 1))
    acc = np.moveaxis(acc, 0, axis)
    return np.clip(acc >> prec, 0, 255).astype(np.uint8)


def resize_u8(rgb: np.ndarray, out_w: int, out_h: int) -> np.ndarray:
    """uint8 [H, W, C] -> [out_h, out_w, C], as resizeBilinearPil (a dimension that does not change is not resampled)."""
    cur = rgb
    if out_w != rgb.shape[1]:
        cur = _pass(cur, out_w, 1)
    if out_h != rgb.shape[0]:
        cur = _pass(cur, out_h, 0)
    return np.array(cur, copy=True) if cur is rgb else cur


def luma_rgb(rgb: np.ndarray) -> np.ndarray:
    """PIL's RGB -> L (ITU-R 601-2, 16-bit fixed point), replicated to three channels (preprocess.ts lumaToRgb)."""
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    lum = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(np.uint8)
    return np.repeat(lum[..., None], 3, -1)


def preprocess(rgb: np.ndarray, spec: dict, channels: int = 3) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """uint8 RGB [h, w, 3] -> (pixel_values float32 [1,3,H,W], box (x, y, width, height) in input pixels).
    `channels`: the scan's own channel count (a 1-channel scan is not re-lumaed, as in the engine)."""
    if spec.get("colour") == "grey-to-rgb" and channels != 1:
        rgb = luma_rgb(rgb)
    H, W = spec["size"]
    h, w = rgb.shape[:2]
    if spec["resize"] == "stretch":
        resized, box = resize_u8(rgb, W, H), (0, 0, W, H)
    else:
        s = min(W / w, H / h)
        bw, bh = max(1, _round(w * s)), max(1, _round(h * s))
        resized, box = resize_u8(rgb, bw, bh), ((W - bw) // 2, (H - bh) // 2, bw, bh)
    scale = float(spec.get("scale", 1 / 255))
    out = np.zeros((3, H, W), np.float32)
    x, y, bw, bh = box
    for c in range(3):
        v = resized[..., c].astype(np.float64)
        out[c, y:y + bh, x:x + bw] = ((v * scale - float(spec["mean"][c])) / float(spec["std"][c])).astype(np.float32)
    return out[None], box


def _round(v: float) -> int:
    """JavaScript Math.round (halves up)."""
    return int(math.floor(v + 0.5))


def resize_float(src: np.ndarray, out_w: int, out_h: int) -> np.ndarray:
    """float32 [h, w] -> [out_h, out_w] as resizeBilinearFloat (float32 coordinates, double interpolation, float32 out)."""
    h, w = src.shape
    if out_w == w and out_h == h:
        return src.astype(np.float32, copy=True)
    f = np.float32

    def axis(n_in: int, n_out: int):
        s = f(n_in / n_out)
        pos = np.maximum(f(0), ((np.arange(n_out, dtype=np.float32) + f(0.5)) * s).astype(np.float32) - f(0.5)).astype(np.float32)
        i0 = np.minimum(np.floor(pos).astype(np.int64), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        frac = (pos - i0.astype(np.float32)).astype(np.float32)
        return i0, i1, frac.astype(np.float64)

    x0, x1, fx = axis(w, out_w)
    y0, y1, fy = axis(h, out_h)
    s = src.astype(np.float64)
    r0, r1 = s[y0], s[y1]
    a = r0[:, x0] + (r0[:, x1] - r0[:, x0]) * fx[None, :]
    b = r1[:, x0] + (r1[:, x1] - r1[:, x0]) * fx[None, :]
    return (a + (b - a) * fy[:, None]).astype(np.float32)


def postprocess(logits: np.ndarray, spec_input: dict, box: tuple[int, int, int, int], scan_hw: tuple[int, int],
                activation: str) -> np.ndarray:
    """logits [h, w] at the model's output grid -> probabilities float32 [scan_h, scan_w]."""
    oh, ow = logits.shape
    H, W = spec_input["size"]
    x, y, bw, bh = box
    plane = logits.astype(np.float32)
    if not (x == 0 and y == 0 and bw == W and bh == H):
        sx, sy = ow / W, oh / H
        cx, cy = _round(x * sx), _round(y * sy)
        cw, ch = max(1, _round(bw * sx)), max(1, _round(bh * sy))
        plane = plane[cy:cy + ch, cx:cx + cw]
    out = resize_float(plane, scan_hw[1], scan_hw[0])
    if activation == "sigmoid":
        out = (1.0 / (1.0 + np.exp(-out.astype(np.float64)))).astype(np.float32)
    return out


def threshold(prob: np.ndarray, t: float) -> np.ndarray:
    return prob >= t
