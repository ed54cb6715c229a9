// Dermoscopy-like demo: skin with pores and a few hairs, one irregular pigmented lesion (ground truth)
// with a darker centre and mottled network, under a round dermoscope field.
import type { Generated } from './endoscopy';
import { blobDistance, randomBlob } from './shapes';
import { clamp01, fbm, rng, smoothstep, to255 } from './noise';

export function dermoscopy(seed: number, size: number): Generated {
  const rand = rng(seed);
  const lesion = randomBlob(seed + 1, 0.38 + rand() * 0.24, 0.38 + rand() * 0.24, 0.12 + rand() * 0.12, 0.6, 0.3);
  const hairs = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => ({
    u: rand(), v: rand(), a: rand() * Math.PI, bend: (rand() - 0.5) * 4, w: 0.0025 + rand() * 0.002,
  }));
  const data = new Uint8Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const i = y * size + x;
      const t = fbm(u * 10, v * 10, seed, 4);
      let rgb = [0.88 + t * 0.08, 0.68 + t * 0.1, 0.6 + t * 0.1];
      const d = blobDistance(lesion, u, v);
      if (d < 1) mask[i] = 1;
      const inLesion = smoothstep(1.04, 0.96, d);
      if (inLesion > 0) {
        const net = fbm(u * 38, v * 38, seed + 4, 3);
        const core = smoothstep(0.9, 0.2, d);
        const brown = [0.55 - core * 0.25 - net * 0.12, 0.33 - core * 0.15 - net * 0.08, 0.24 - core * 0.1 - net * 0.05];
        rgb = rgb.map((c, k) => c * (1 - inLesion) + brown[k] * inLesion);
      }
      for (const h of hairs) {
        const du = u - h.u;
        const dv = v - h.v;
        const along = du * Math.cos(h.a) + dv * Math.sin(h.a);
        const across = -du * Math.sin(h.a) + dv * Math.cos(h.a) - h.bend * along * along;
        if (Math.abs(along) < 0.35 && Math.abs(across) < h.w) rgb = [0.2, 0.14, 0.1];
      }
      const field = smoothstep(0.56, 0.5, Math.hypot(u - 0.5, v - 0.5));
      for (let k = 0; k < 3; k++) data[i * 3 + k] = to255(clamp01(rgb[k] * field));
    }
  }
  return { data, mask };
}
