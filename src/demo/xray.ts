// Chest X-ray-like demo: body silhouette, two dark lungs with vascular texture, ribs, spine, heart and
// diaphragm domes. The ground truth is both lungs (minus the heart shadow), as in lung-field masks.
import type { Generated } from './endoscopy';
import { blobDistance, randomBlob } from './shapes';
import { clamp01, fbm, rng, smoothstep, to255 } from './noise';

export function xray(seed: number, size: number): Generated {
  const rand = rng(seed);
  const tilt = (rand() - 0.5) * 0.04;
  const lungW = 0.15 + rand() * 0.03;
  const lungH = 0.27 + rand() * 0.04;
  const cy = 0.47 + (rand() - 0.5) * 0.04;
  const right = randomBlob(seed + 1, 0.3 + tilt, cy, 1, 0.08, 0);
  const left = randomBlob(seed + 2, 0.7 + tilt, cy + 0.01, 1, 0.08, 0);
  for (const [b, sx] of [[right, 1], [left, 0.95]] as const) {
    b.rx = lungW * sx;
    b.ry = lungH;
    b.angle = 0;
  }
  const heart = randomBlob(seed + 3, 0.56 + tilt, cy + 0.16, 0.14 + rand() * 0.02, 0.05, 0.15);
  const data = new Uint8Array(size * size);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const i = y * size + x;
      // Body: wide trunk with shoulders, fading to air at the sides.
      const halfWidth = 0.44 - 0.1 * smoothstep(0.25, 0.05, v);
      const body = smoothstep(halfWidth + 0.02, halfWidth - 0.03, Math.abs(u - 0.5 - tilt));
      let density = 0.08 + body * 0.62;
      // Lungs are rounded at the apex and cut by a diaphragm dome at the base.
      const dr = blobDistance(right, u, v);
      const dl = blobDistance(left, u, v);
      const dh = blobDistance(heart, u, v);
      const lung = Math.max(smoothstep(1.02, 0.94, dr), smoothstep(1.02, 0.94, dl));
      const vessels = fbm(u * 14, v * 14, seed, 4);
      density -= lung * (0.42 - vessels * 0.18 - Math.abs(u - 0.5) * 0.1);
      const heartShadow = smoothstep(1.03, 0.9, dh);
      density = Math.max(density, density * (1 - heartShadow) + heartShadow * 0.62);
      // Spine and mediastinum.
      density += smoothstep(0.05, 0.025, Math.abs(u - 0.5 - tilt)) * 0.15 * body;
      // Ribs: curved bands across each side.
      const side = u < 0.5 + tilt ? u - (0.5 + tilt) : (0.5 + tilt) - u;
      const ribPhase = (v - 0.18 + side * side * 1.6) * 58;
      const rib = Math.pow(Math.max(0, Math.sin(ribPhase)), 4) * smoothstep(0.75, 0.6, v) * body;
      density += rib * 0.09;
      const grain = (fbm(u * 90, v * 90, seed + 5, 2) - 0.5) * 0.04;
      data[i] = to255(clamp01(density + grain));
      if ((dr < 1 || dl < 1) && dh >= 1) mask[i] = 1;
    }
  }
  return { data, mask };
}
