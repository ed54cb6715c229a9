// Resampling between the model's output grid and the scan's grid: nearest for masks (labels stay
// labels), bilinear for probabilities (half-pixel centres, like torch align_corners=False).
export function resizeNearest(src: Uint8Array, w: number, h: number, nw: number, nh: number): Uint8Array {
  if (w === nw && h === nh) return src.slice();
  const out = new Uint8Array(nw * nh);
  const xs = new Int32Array(nw);
  for (let x = 0; x < nw; x++) xs[x] = Math.min(w - 1, Math.floor(((x + 0.5) * w) / nw));
  for (let y = 0; y < nh; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / nh)) * w;
    const row = y * nw;
    for (let x = 0; x < nw; x++) out[row + x] = src[sy + xs[x]];
  }
  return out;
}

export function resizeBilinear(src: Float32Array, w: number, h: number, nw: number, nh: number): Float32Array {
  if (w === nw && h === nh) return src.slice();
  const out = new Float32Array(nw * nh);
  const x0s = new Int32Array(nw);
  const x1s = new Int32Array(nw);
  const fx = new Float32Array(nw);
  for (let x = 0; x < nw; x++) {
    const sx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / nw - 0.5));
    x0s[x] = Math.floor(sx);
    x1s[x] = Math.min(w - 1, x0s[x] + 1);
    fx[x] = sx - x0s[x];
  }
  for (let y = 0; y < nh; y++) {
    const sy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / nh - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = sy - y0;
    const r0 = y0 * w;
    const r1 = y1 * w;
    const row = y * nw;
    for (let x = 0; x < nw; x++) {
      const a = src[r0 + x0s[x]] + (src[r0 + x1s[x]] - src[r0 + x0s[x]]) * fx[x];
      const b = src[r1 + x0s[x]] + (src[r1 + x1s[x]] - src[r1 + x0s[x]]) * fx[x];
      out[row + x] = a + (b - a) * fy;
    }
  }
  return out;
}
