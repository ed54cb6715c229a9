// Prompt attributes computed from a mask, following the medvlsm study's scheme: size by area
// fraction, number of components, and location of each component on a 3x3 grid.
import type { Mask } from './types';
import { countForeground } from './types';
import { connectedComponents } from './components';
import { resizeNearest } from './resize';

export type SizeWord = 'large' | 'medium' | 'small' | 'tiny';
export type NumberWord = 'one' | 'two' | 'three' | 'many';
export type LocationWord =
  | 'top left' | 'top' | 'top right'
  | 'left' | 'center' | 'right'
  | 'bottom left' | 'bottom' | 'bottom right';

const GRID: LocationWord[][] = [
  ['top left', 'top', 'top right'],
  ['left', 'center', 'right'],
  ['bottom left', 'bottom', 'bottom right'],
];

export function sizeWord(fraction: number): SizeWord {
  if (fraction > 0.3) return 'large';
  if (fraction > 0.08) return 'medium';
  if (fraction < 0.001) return 'tiny';
  return 'small';
}

export function numberWord(count: number): NumberWord {
  return count <= 1 ? 'one' : count === 2 ? 'two' : count === 3 ? 'three' : 'many';
}

export function locationOf(cx: number, cy: number, width: number, height: number): LocationWord {
  const col = Math.min(2, Math.max(0, Math.floor((cx / width) * 3)));
  const row = Math.min(2, Math.max(0, Math.floor((cy / height) * 3)));
  return GRID[row][col];
}

export interface MaskAttributes {
  empty: boolean;
  fraction: number;
  size: SizeWord;
  count: number;
  number: NumberWord;
  /** One location per component, in labelling (raster) order. */
  locations: LocationWord[];
}

/**
 * Attributes of a mask. `maxSide` bounds the grid used for components and locations (nearest
 * downsampling), so suggestions stay cheap on large scans; the size always uses every pixel.
 */
/** Grid (longest side) on which prompt suggestions place a mask's components. */
export const SUGGESTION_GRID = 512;

/** Masks up to this many pixels are counted exactly; larger ones (an 8000² result: 64 M) from a grid. */
const EXACT_PIXELS = 1 << 22;
const COUNT_GRID = 1024;

/** Whether any byte is non-zero, read four bytes at a time (an empty 64 Mpx mask: ~16 M reads, not 64 M). */
export function anySet(data: Uint8Array): boolean {
  const head = Math.min(data.length, (4 - (data.byteOffset % 4)) % 4);
  for (let i = 0; i < head; i++) if (data[i]) return true;
  const words = new Uint32Array(data.buffer, data.byteOffset + head, (data.length - head) >> 2);
  for (let i = 0; i < words.length; i++) if (words[i]) return true;
  for (let i = head + words.length * 4; i < data.length; i++) if (data[i]) return true;
  return false;
}

/** Foreground pixels: exact up to EXACT_PIXELS, else estimated from a COUNT_GRID² nearest sampling (a
 *  million reads instead of all; the page's thread stays free: the suggestions read it when a run of an
 *  8000² scan arrives). Never 0 when any pixel is set. */
function foreground(mask: Mask): number {
  const n = mask.data.length;
  if (n <= EXACT_PIXELS) return countForeground(mask.data);
  const f = COUNT_GRID / Math.max(mask.width, mask.height);
  const w = Math.max(1, Math.round(mask.width * f));
  const h = Math.max(1, Math.round(mask.height * f));
  const est = Math.round((countForeground(resizeNearest(mask.data, mask.width, mask.height, w, h)) / (w * h)) * n);
  return est > 0 ? est : anySet(mask.data) ? 1 : 0;
}

export function maskAttributes(mask: Mask, maxSide = Infinity): MaskAttributes {
  const fg = foreground(mask);
  const fraction = fg / mask.data.length;
  const f = Math.min(1, maxSide / Math.max(mask.width, mask.height));
  const grid: Mask =
    f < 1
      ? (() => {
          const w = Math.max(1, Math.round(mask.width * f));
          const h = Math.max(1, Math.round(mask.height * f));
          return { width: w, height: h, data: resizeNearest(mask.data, mask.width, mask.height, w, h) };
        })()
      : mask;
  const { components } = connectedComponents(grid, 8);
  return {
    empty: fg === 0,
    fraction,
    size: sizeWord(fraction),
    count: components.length,
    number: numberWord(components.length),
    locations: components.map((c) => locationOf(c.cx, c.cy, grid.width, grid.height)),
  };
}

/** The study's phrasing, e.g. "located in top left, right of the image". */
export function locationPhrase(locations: readonly LocationWord[]): string {
  return locations.length === 0 ? '' : `located in ${locations.join(', ')} of the image`;
}
