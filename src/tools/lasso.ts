// Lasso / polygon tools. Drag: a freehand outline, filled (value 1) or cut (value 0) on release. Click
// without dragging: polygon mode, each click adds a vertex; clicking the first vertex (or the last one
// again, i.e. a double-click) closes it and fills or cuts. The outline is exposed for the viewer's
// preview; the mask changes only when the shape closes, as one undo step.
import type { ComponentType } from 'react';
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
  /** Viewer overlay that draws the preview (see Tool.Overlay). */
  Overlay?: ComponentType<{ scale: number }>;
}

export interface LassoTool extends Tool {
  readonly points: readonly Point[];
  readonly mode: 'idle' | 'drag' | 'polygon';
}

/** Screen distance (px) under which a press-release is a click, and a click closes the polygon. */
const CLICK_PX = 4;
const CLOSE_PX = 8;

export function createLasso(o: LassoOptions): LassoTool {
  let points: Point[] = [];
  let screens: Point[] = [];
  let mode: 'idle' | 'drag' | 'polygon' = 'idle';
  const preview = (extra?: Point): void => o.onPreview?.(extra ? [...points, extra] : points);
  const reset = (): void => {
    mode = 'idle';
    points = [];
    screens = [];
    preview();
  };
  const close = (): void => {
    const s = o.getSession();
    if (s && points.length >= 3) {
      s.begin();
      s.stroke(fillPolygon(s.mask, points, o.value));
      s.commit();
    }
    reset();
  };
  const dist = (a: Point, b: { screenX: number; screenY: number }): number => Math.hypot(a.x - b.screenX, a.y - b.screenY);
  return {
    id: o.id,
    label: o.label,
    key: o.key,
    cursor: 'crosshair',
    Overlay: o.Overlay,
    get points() {
      return points;
    },
    get mode() {
      return mode;
    },
    onPointerDown(pt: ImagePoint) {
      if (pt.buttons !== 0 && (pt.buttons & 1) === 0) return;
      if (mode === 'polygon') return; // the vertex is placed on release
      mode = 'drag';
      points = [{ x: pt.x, y: pt.y }];
      screens = [{ x: pt.screenX, y: pt.screenY }];
      preview();
    },
    onPointerMove(pt: ImagePoint) {
      if (mode === 'polygon') return preview({ x: pt.x, y: pt.y });
      if (mode !== 'drag') return;
      const prev = points[points.length - 1];
      if (Math.hypot(pt.x - prev.x, pt.y - prev.y) < 0.5) return;
      points.push({ x: pt.x, y: pt.y });
      screens.push({ x: pt.screenX, y: pt.screenY });
      preview();
    },
    onPointerUp(pt: ImagePoint) {
      if (mode === 'drag') {
        const moved = Math.max(...screens.map((s) => dist(s, pt)));
        if (moved < CLICK_PX) {
          mode = 'polygon';
          points = [{ x: pt.x, y: pt.y }];
          screens = [{ x: pt.screenX, y: pt.screenY }];
          return preview();
        }
        points.push({ x: pt.x, y: pt.y });
        return close();
      }
      if (mode !== 'polygon') return;
      const nearFirst = dist(screens[0], pt) < CLOSE_PX;
      const nearLast = dist(screens[screens.length - 1], pt) < CLICK_PX;
      if (points.length >= 3 && (nearFirst || nearLast)) return close();
      if (nearLast) return;
      points.push({ x: pt.x, y: pt.y });
      screens.push({ x: pt.screenX, y: pt.screenY });
      preview();
    },
    onPointerCancel() {
      reset();
    },
    deactivate() {
      reset();
    },
  };
}
