// Lasso tools: drag a freehand outline; on release the enclosed area is filled (value 1) or cut
// (value 0). The outline is exposed for the viewer's polygon preview; the mask changes only on release.
import type { ImagePoint, Tool } from '../state/tools';
import type { Point } from '../mask/types';
import { fillPolygon } from '../mask/polygon';
import type { CorrectionSession } from './session';

export interface LassoOptions {
  id: string;
  label: string;
  key?: string;
  value: 0 | 1;
  getSession(): CorrectionSession | null;
  /** Called with the outline so far (empty when the gesture ends), for a preview. */
  onPreview?(points: readonly Point[]): void;
}

export interface LassoTool extends Tool {
  readonly points: readonly Point[];
}

export function createLasso(o: LassoOptions): LassoTool {
  let points: Point[] = [];
  let active = false;
  const preview = (): void => o.onPreview?.(points);
  return {
    id: o.id,
    label: o.label,
    key: o.key,
    cursor: 'crosshair',
    get points() {
      return points;
    },
    onPointerDown(pt: ImagePoint) {
      if (pt.buttons !== 0 && (pt.buttons & 1) === 0) return;
      active = true;
      points = [{ x: pt.x, y: pt.y }];
      preview();
    },
    onPointerMove(pt: ImagePoint) {
      if (!active) return;
      const prev = points[points.length - 1];
      if (Math.hypot(pt.x - prev.x, pt.y - prev.y) < 0.5) return;
      points.push({ x: pt.x, y: pt.y });
      preview();
    },
    onPointerUp(pt: ImagePoint) {
      if (!active) return;
      active = false;
      points.push({ x: pt.x, y: pt.y });
      const s = o.getSession();
      if (s && points.length >= 3) {
        s.begin();
        s.stroke(fillPolygon(s.mask, points, o.value));
        s.commit();
      }
      points = [];
      preview();
    },
    onPointerCancel() {
      active = false;
      points = [];
      preview();
    },
    deactivate() {
      active = false;
      points = [];
      preview();
    },
  };
}
