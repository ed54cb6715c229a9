// Flood-fill tool: click fills the 4-connected region under the pointer with 1 (bounded). A fill that
// hits the bound is rolled back, so a click outside a closed outline never floods the whole scan.
import type { ImagePoint, Tool } from '../state/tools';
import { floodFill } from '../mask/flood';
import type { CorrectionSession } from './session';

export interface FillOptions {
  getSession(): CorrectionSession | null;
  getLimit(): number;
  value?: 0 | 1;
  /** Told when a fill was rolled back because it reached the limit. */
  onTooLarge?(): void;
}

export function createFloodFill(o: FillOptions): Tool {
  return {
    id: 'fill',
    label: 'Flood fill',
    key: 'k',
    cursor: 'cell',
    onPointerDown(pt: ImagePoint) {
      if (pt.buttons !== 0 && (pt.buttons & 1) === 0) return;
      const s = o.getSession();
      if (!s) return;
      s.begin();
      const res = floodFill(s.mask, pt.x, pt.y, o.value ?? 1, o.getLimit());
      s.stroke(res.rect);
      if (res.truncated) {
        s.cancel();
        o.onTooLarge?.();
      } else s.commit();
    },
  };
}
