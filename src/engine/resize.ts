// Image resizing that matches the Python toolchain: PIL `Image.resize(size, BILINEAR)` on uint8
// (a separable triangle filter whose support widens when downscaling, 22-bit fixed-point weights,
// horizontal pass first, clipped to uint8 between passes; bit-exact for landscape->square, else within one
// grey level, as Pillow 13 sometimes runs the vertical pass first), and a float bilinear resize for model outputs
// (torch `interpolate(mode='bilinear', align_corners=False)`, no antialias).

const PRECISION_BITS = 32 - 8 - 2;

interface Coeffs {
  ksize: number;
  /** Fixed-point fractional bits of the weights. */
  precision: number;
  bounds: Int32Array; // [xmin, count] per output index
  kk: Int32Array; // ksize fixed-point weights per output index
}

/** Port of Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter (support 1). */
function precompute(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const pre = new Float64Array(outSize * ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < ksize; x++) pre[xx * ksize + x] = x < xmax && ww !== 0 ? k[x] / ww : x < xmax ? k[x] : 0;
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  // Pillow's C resampler uses 22 fractional bits; its SIMD build picks fewer bits for int16 weights and
  // sometimes resamples vertically first, which moves a few pixels by one grey level (see resize.test.ts).
  const precision = PRECISION_BITS;
  const one = 2 ** precision;
  pre.forEach((v, i) => (kk[i] = v < 0 ? Math.trunc(-0.5 + v * one) : Math.trunc(0.5 + v * one)));
  return { ksize, precision, bounds, kk };
}

function clip8(v: number, one: number): number {
  const q = Math.floor(v / one);
  return q < 0 ? 0 : q > 255 ? 255 : q;
}

/**
 * Resize interleaved uint8 pixels (`channels` per pixel) like PIL BILINEAR. Returns a new array of
 * outW*outH*channels. A dimension that does not change is not resampled (as in Pillow).
 */
export function resizeBilinearPil(
  src: Uint8Array,
  width: number,
  height: number,
  channels: number,
  outW: number,
  outH: number,
): Uint8Array {
  let cur = src;
  let curW = width;
  if (outW !== width) {
    const { ksize, precision, bounds, kk } = precompute(width, outW);
    const one = 2 ** precision;
    const half = one / 2;
    const tmp = new Uint8Array(outW * height * channels);
    for (let y = 0; y < height; y++) {
      const row = y * width * channels;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[xx * 2];
        const n = bounds[xx * 2 + 1];
        const kb = xx * ksize;
        const o = (y * outW + xx) * channels;
        if (channels === 3) {
          // RGB unrolled: one pass over the taps for all three channels.
          let s0 = half;
          let s1 = half;
          let s2 = half;
          for (let x = 0; x < n; x++) {
            const k = kk[kb + x];
            const i = row + (x + xmin) * 3;
            s0 += src[i] * k;
            s1 += src[i + 1] * k;
            s2 += src[i + 2] * k;
          }
          tmp[o] = clip8(s0, one);
          tmp[o + 1] = clip8(s1, one);
          tmp[o + 2] = clip8(s2, one);
          continue;
        }
        for (let c = 0; c < channels; c++) {
          let ss = half;
          for (let x = 0; x < n; x++) ss += src[row + (x + xmin) * channels + c] * kk[kb + x];
          tmp[o + c] = clip8(ss, one);
        }
      }
    }
    cur = tmp;
    curW = outW;
  }
  if (outH !== height) {
    const { ksize, precision, bounds, kk } = precompute(height, outH);
    const one = 2 ** precision;
    const half = one / 2;
    const out = new Uint8Array(curW * outH * channels);
    const stride = curW * channels;
    for (let yy = 0; yy < outH; yy++) {
      const ymin = bounds[yy * 2];
      const n = bounds[yy * 2 + 1];
      const kb = yy * ksize;
      for (let i = 0; i < stride; i++) {
        let ss = half;
        for (let y = 0; y < n; y++) ss += cur[(y + ymin) * stride + i] * kk[kb + y];
        out[yy * stride + i] = clip8(ss, one);
      }
    }
    cur = out;
  }
  return cur === src ? src.slice() : cur;
}

/** Half-pixel bilinear resize of one float plane (align_corners=False, edge-clamped, no antialias). */
export function resizeBilinearFloat(
  src: Float32Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Float32Array {
  if (outW === width && outH === height) return src.slice();
  const out = new Float32Array(outW * outH);
  // float32 coordinate arithmetic, as torch does for float tensors
  const f = Math.fround;
  const sx = f(width / outW);
  const sy = f(height / outH);
  const x0s = new Int32Array(outW);
  const x1s = new Int32Array(outW);
  const fxs = new Float32Array(outW);
  for (let x = 0; x < outW; x++) {
    const fx = Math.max(0, f(f(f(x + 0.5) * sx) - 0.5));
    const x0 = Math.min(Math.floor(fx), width - 1);
    x0s[x] = x0;
    x1s[x] = Math.min(x0 + 1, width - 1);
    fxs[x] = f(fx - x0);
  }
  for (let y = 0; y < outH; y++) {
    const fy = Math.max(0, f(f(f(y + 0.5) * sy) - 0.5));
    const y0 = Math.min(Math.floor(fy), height - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = f(fy - y0);
    const r0 = y0 * width;
    const r1 = y1 * width;
    const o = y * outW;
    for (let x = 0; x < outW; x++) {
      const a = src[r0 + x0s[x]] + (src[r0 + x1s[x]] - src[r0 + x0s[x]]) * fxs[x];
      const b = src[r1 + x0s[x]] + (src[r1 + x1s[x]] - src[r1 + x0s[x]]) * fxs[x];
      out[o + x] = a + (b - a) * wy;
    }
  }
  return out;
}
