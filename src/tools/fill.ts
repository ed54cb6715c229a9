// Fill tool. Two modes:
//  - intensity (default, a region-growing "magic wand"): adds the pixels connected to the click whose
//    displayed intensity is within a tolerance of the clicked pixel's; bounded by a pixel budget;
//  - outline: fills the 4-connected region of the mask under the pointer (inside a drawn outline). A
//    fill that hits the budget is rolled back, so a click outside a closed outline never floods the scan.
// Either way a fill that covers most of the image is reported, with how to undo it.
import type { ImagePoint, Tool } from '../state/tools';
import { floodFill, growRegion } from '../mask/flood';
import type { CorrectionSession } from './session';

export interface FillOptions {
  getSession(): CorrectionSession | null;
  getLimit(): number;
  value?: 0 | 1;
  /** Told when a fill was rolled back because it reached the limit. */
  onTooLarge?(): void;
  getMode?(): 'intensity' | 'outline';
  getTolerance?(): number;
  /** The displayed image of the open frame, one grey byte per pixel (null: not available, outline mode used). */
  getImage?(): Uint8Array | null;
  /** Told when one fill added more than LARGE_FILL of the image. */
  onLargeFill?(fraction: number): void;
}

/** A fill adding more than this fraction of the image is reported (with the undo key). */
export const LARGE_FILL = 0.5;

export function createFloodFill(o: FillOptions): Tool {
  return {
    id: 'fill',
    label: 'Fill',
    key: 'k',
    cursor: 'cell',
    onPointerDown(pt: ImagePoint) {
      if (pt.buttons !== 0 && (pt.buttons & 1) === 0) return;
      const s = o.getSession();
      if (!s) return;
      const { width, height } = s.mask;
      const before = countOnes(s.mask.data);
      const grey = o.getMode?.() === 'outline' ? null : (o.getImage?.() ?? null);
      s.begin();
      if (grey && grey.length === width * height) {
        const res = growRegion(s.mask, grey, pt.x, pt.y, o.getTolerance?.() ?? 24, o.getLimit());
        s.stroke(res.rect);
        s.commit();
      } else {
        const res = floodFill(s.mask, pt.x, pt.y, o.value ?? 1, o.getLimit());
        s.stroke(res.rect);
        if (res.truncated) {
          s.cancel();
          o.onTooLarge?.();
          return;
        }
        s.commit();
      }
      const added = (countOnes(s.mask.data) - before) / (width * height);
      if (added > LARGE_FILL) o.onLargeFill?.(added);
    },
  };
}

function countOnes(d: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < d.length; i++) n += d[i] ? 1 : 0;
  return n;
}
