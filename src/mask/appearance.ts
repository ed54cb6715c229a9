// Shape and colour words for prompts, in the medvlsm vocabulary ("round", "oval"; "white", "pink",
// "yellow", ...), computed from the mask (second moments of its largest component) and from the RGB
// pixels under it. Heuristics for suggestions, not measurements.
import type { Mask } from './types';
import { connectedComponents } from './components';
import { resizeNearest } from './resize';

export type ShapeWord = 'round' | 'oval' | 'elongated' | 'irregular';

/** Shape of the largest component: elongation from second moments, fill vs its moment ellipse. */
export function shapeWord(mask: Mask): ShapeWord | null {
  const { labels, components } = connectedComponents(mask, 8);
  if (components.length === 0) return null;
  const big = components.reduce((a, b) => (b.area > a.area ? b : a));
  if (big.area < 5) return null;
  let sxx = 0, syy = 0, sxy = 0;
  const { x0, y0, x1, y1 } = big.bbox;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (labels[y * mask.width + x] !== big.label) continue;
      const dx = x + 0.5 - big.cx;
      const dy = y + 0.5 - big.cy;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  }
  sxx /= big.area;
  syy /= big.area;
  sxy /= big.area;
  const tr = sxx + syy;
  const det = sxx * syy - sxy * sxy;
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const l1 = tr / 2 + disc;
  const l2 = Math.max(1e-9, tr / 2 - disc);
  const elongation = Math.sqrt(l1 / l2);
  const fill = big.area / (4 * Math.PI * Math.sqrt(l1 * l2)); // 1 for a filled ellipse
  if (fill < 0.8) return 'irregular';
  return elongation < 1.3 ? 'round' : elongation < 2.2 ? 'oval' : 'elongated';
}

export type ColourWord = 'white' | 'gray' | 'black' | 'red' | 'pink' | 'brown' | 'tan' | 'orange' | 'yellow' | 'green' | 'blue' | 'purple';

/** Name an sRGB colour (0..255) with the study's words. */
export function colourWord(r: number, g: number, b: number): ColourWord {
  const max = Math.max(r, g, b) / 255;
  const min = Math.min(r, g, b) / 255;
  const v = max;
  const s = max === 0 ? 0 : (max - min) / max;
  if (v < 0.2) return 'black';
  if (s < 0.15) return v > 0.75 ? 'white' : 'gray';
  const d = max - min || 1e-9;
  const R = r / 255, G = g / 255, B = b / 255;
  let h = max === R ? ((G - B) / d) % 6 : max === G ? (B - R) / d + 2 : (R - G) / d + 4;
  h = (h * 60 + 360) % 360;
  if (h < 15 || h >= 345) return s > 0.55 && v < 0.85 ? 'red' : v < 0.45 ? 'brown' : 'pink';
  if (h < 45) return v < 0.55 ? 'brown' : s < 0.45 ? 'tan' : 'orange';
  if (h < 70) return 'yellow';
  if (h < 170) return 'green';
  if (h < 260) return 'blue';
  return s < 0.5 ? 'pink' : 'purple';
}

/** Mean colour under the mask of an interleaved 8-bit RGB(A) frame; null when the mask is empty. */
export function meanColour(rgb: ArrayLike<number>, channels: 3 | 4, mask: Mask): [number, number, number] | null {
  let r = 0, g = 0, b = 0, n = 0;
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    const o = i * channels;
    r += rgb[o];
    g += rgb[o + 1];
    b += rgb[o + 2];
    n++;
  }
  return n === 0 ? null : [r / n, g / n, b / n];
}

/** Grid (longest side, pixels) on which prompt suggestions judge a mask's shape. */
export const SHAPE_GRID = 512;

/** shapeWord of `mask` sampled (nearest) onto a grid of at most `grid` pixels a side, as suggestions read it. */
export function gridShape(mask: Mask, grid = SHAPE_GRID): ShapeWord | null {
  const f = Math.min(1, grid / Math.max(mask.width, mask.height));
  const w = Math.max(1, Math.round(mask.width * f));
  const h = Math.max(1, Math.round(mask.height * f));
  return shapeWord(f < 1 ? { width: w, height: h, data: resizeNearest(mask.data, mask.width, mask.height, w, h) } : mask);
}
