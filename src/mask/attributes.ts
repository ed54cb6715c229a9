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
/** Masks up to this many pixels are counted exactly; larger ones (an 8000² result: 64 M) from a grid. */
const EXACT_PIXELS = 1 << 22;
const COUNT_GRID = 2048;

/** Foreground pixels: exact up to EXACT_PIXELS, else estimated from a COUNT_GRID² nearest sampling (a few
 *  million reads instead of all; the page's thread stays free). Never 0 when any pixel is set. */
function foreground(mask: Mask): number {
  const n = mask.data.length;
  if (n <= EXACT_PIXELS) return countForeground(mask.data);
  const f = COUNT_GRID / Math.max(mask.width, mask.height);
  const w = Math.max(1, Math.round(mask.width * f));
  const h = Math.max(1, Math.round(mask.height * f));
  const est = Math.round((countForeground(resizeNearest(mask.data, mask.width, mask.height, w, h)) / (w * h)) * n);
  return est > 0 ? est : mask.data.indexOf(1) >= 0 ? 1 : 0;
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
