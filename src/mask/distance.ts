// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher) with anisotropic pixel spacing.
const INF = 1e20;

/** 1-D squared distance transform of f along a line of n samples spaced `s` apart. */
function dt1d(f: Float64Array, n: number, s: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  const s2 = s * s;
  const sep = (q: number, p: number): number => (f[q] + s2 * q * q - (f[p] + s2 * p * p)) / (2 * s2 * (q - p));
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let t = sep(q, v[k]);
    while (t <= z[k]) {
      k--;
      t = sep(q, v[k]);
    }
    k++;
    v[k] = q;
    z[k] = t;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[q] = s2 * dq * dq + f[v[k]];
  }
}

/**
 * Squared distance (in mm^2 when spacing is in mm) from every pixel to the nearest pixel where
 * `seed` is non-zero. All-INF-ish (1e20) when there is no seed.
 */
export function squaredDistanceToSeeds(seed: Uint8Array, width: number, height: number, sx = 1, sy = 1): Float64Array {
  const n = Math.max(width, height);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const out = new Float64Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = seed[i] ? 0 : INF;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = out[y * width + x];
    dt1d(f, height, sy, d, v, z);
    for (let y = 0; y < height; y++) out[y * width + x] = d[y];
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = out[row + x];
    dt1d(f, width, sx, d, v, z);
    for (let x = 0; x < width; x++) out[row + x] = d[x];
  }
  return out;
}
