// Ultrasound-like demo: a convex-probe sector of speckle with depth attenuation and tissue layers, and
// one dark (hypoechoic) lesion with posterior acoustic enhancement; the lesion is the ground truth.
import type { Generated } from './endoscopy';
import { blobDistance, randomBlob } from './shapes';
import { fbm, rng, smoothstep, to255 } from './noise';

const APEX = { u: 0.5, v: -0.15 };
const HALF_ANGLE = 0.62;
const R0 = 0.2;
const R1 = 1.12;

export function ultrasound(seed: number, size: number): Generated {
  const rand = rng(seed);
  const speckle = rng(seed ^ 0x5bd1e995);
  const r = 0.05 + rand() * 0.08;
  const lesion = randomBlob(seed + 1, 0.35 + rand() * 0.3, 0.35 + rand() * 0.35, r, 0.3, 0.4);
  const data = new Uint8Array(size * size);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const i = y * size + x;
      const dx = u - APEX.u;
      const dy = v - APEX.v;
      const rad = Math.hypot(dx, dy);
      const ang = Math.atan2(dx, dy);
      const inFan = Math.abs(ang) < HALF_ANGLE && rad > R0 && rad < R1;
      const d = blobDistance(lesion, u, v);
      if (d < 1) mask[i] = 1;
      if (!inFan) continue;
      const depth = (rad - R0) / (R1 - R0);
      // Layers: bright skin line, darker fat, textured gland.
      const layer = rad < R0 + 0.03 ? 1.3 : depth < 0.2 ? 0.55 + fbm(u * 8, v * 8, seed, 3) * 0.3 : 0.6 + fbm(u * 5, v * 9, seed + 9, 4) * 0.6;
      let echo = layer * (1 - 0.45 * depth);
      if (d < 1) echo *= 0.12 + 0.1 * smoothstep(0.7, 1, d);
      // Posterior enhancement: below the lesion along the beam.
      if (d >= 1 && v > lesion.cy && blobDistance(lesion, u, lesion.cy) < 0.9) echo *= 1.35;
      const rayleigh = Math.sqrt(-2 * Math.log(1 - speckle() * 0.999));
      data[i] = to255(echo * rayleigh * 0.42);
    }
  }
  return { data, mask };
}
