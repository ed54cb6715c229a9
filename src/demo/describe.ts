// Prompt attributes computed from a mask, following the medvlsm study's prompt scheme:
// size by area fraction, location on a 3x3 grid of the centroid.

export type SizeWord = 'tiny' | 'small' | 'medium' | 'large';

export function sizeWord(areaFraction: number): SizeWord {
  if (areaFraction > 0.3) return 'large';
  if (areaFraction > 0.08) return 'medium';
  if (areaFraction < 0.001) return 'tiny';
  return 'small';
}

const ROWS = ['top', '', 'bottom'];
const COLS = ['left', 'center', 'right'];

/** 'top left', 'top', 'center', 'right', ... for a centroid in relative coordinates. */
export function locationWord(u: number, v: number): string {
  const col = Math.min(2, Math.max(0, Math.floor(u * 3)));
  const row = Math.min(2, Math.max(0, Math.floor(v * 3)));
  if (row === 1) return COLS[col];
  return col === 1 ? ROWS[row] : `${ROWS[row]} ${COLS[col]}`;
}

export interface MaskStats {
  area: number;
  areaFraction: number;
  /** Centroid, relative 0..1. */
  cu: number;
  cv: number;
  bbox: [number, number, number, number];
}

export function maskStats(mask: Uint8Array, w: number, h: number): MaskStats {
  let area = 0;
  let sx = 0;
  let sy = 0;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      area++;
      sx += x;
      sy += y;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const n = Math.max(1, area);
  return { area, areaFraction: area / (w * h), cu: (sx / n + 0.5) / w, cv: (sy / n + 0.5) / h, bbox: [x0, y0, x1, y1] };
}
