// Endoscopy-like demo: pink mucosa with folds, specular glints and a dark circular aperture, plus one
// raised polyp (the ground truth) lit as a dome.
import { blobDistance, randomBlob } from './shapes';
import { clamp01, fbm, rng, smoothstep, to255, valueNoise } from './noise';

export interface Generated {
  data: Uint8Array;
  mask: Uint8Array;
}

export function endoscopy(seed: number, size: number): Generated {
  const rand = rng(seed);
  const r = 0.05 + rand() * 0.1;
  const polyp = randomBlob(seed + 1, 0.22 + rand() * 0.56, 0.22 + rand() * 0.56, r, 0.35);
  const glint = { u: polyp.cx - r * 0.3, v: polyp.cy - r * 0.35 };
  const data = new Uint8Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const i = y * size + x;
      const tex = fbm(u * 6, v * 6, seed, 4);
      const folds = 0.5 + 0.5 * Math.sin((v * 7 + u * 2 + tex * 2.5) * Math.PI);
      const centreDist = Math.hypot(u - 0.5, v - 0.5);
      let light = 1.15 - centreDist * 0.9 - folds * 0.22 + (tex - 0.5) * 0.3;
      let red = 0.8;
      let green = 0.33 + tex * 0.1;
      let blue = 0.3 + tex * 0.06;
      const d = blobDistance(polyp, u, v);
      if (d < 1) {
        mask[i] = 1;
        const dome = Math.sqrt(1 - d * d);
        light = 0.5 + dome * 0.55 + (valueNoise(u * 40, v * 40, seed + 7) - 0.5) * 0.12;
        red = 0.86;
        green = 0.45;
        blue = 0.4;
      } else if (d < 1.12) {
        light *= 0.7 + (d - 1) * 2.5; // shadow ring where the polyp meets the wall
      }
      // Specular glints: on the dome top and sparsely on wet mucosa.
      const g = Math.hypot(u - glint.u, v - glint.v) < r * 0.12 ? 1 : smoothstep(0.965, 0.995, valueNoise(u * 70, v * 70, seed + 3)) * 0.7;
      const aperture = smoothstep(0.53, 0.47, centreDist);
      light = clamp01(light) * aperture;
      data[i * 3] = to255(red * light + g * aperture);
      data[i * 3 + 1] = to255(green * light + g * aperture);
      data[i * 3 + 2] = to255(blue * light + g * aperture);
    }
  }
  return { data, mask };
}
