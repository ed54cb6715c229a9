// Round brush tool: a stroke is one undo step. The eraser is the same tool writing 0 (composition).
import type { ComponentType } from 'react';
import type { ImagePoint, Tool } from '../state/tools';
import type { Point } from '../mask/types';
import { paintCapsule, type PixelSize } from '../mask/paint';
import type { CorrectionSession } from './session';

export interface BrushOptions {
  id: string;
  label: string;
  key?: string;
  value: 0 | 1;
  getSession(): CorrectionSession | null;
  /** Brush diameter: in image pixels, or in mm when getPixelSize gives the pixel size. */
  getSize(): number;
  /** Millimetres per pixel across and down on a scan with spacing (the brush is then round in mm), else null. */
  getPixelSize?(): PixelSize | null;
  /** CSS cursor (e.g. a ring of the brush's size on screen); default crosshair. */
  getCursor?(): string;
  /** Viewer overlay, e.g. a ring of the brush's size (see Tool.Overlay). */
  Overlay?: ComponentType<{ scale: number }>;
}

export interface BrushTool extends Tool {
  readonly painting: boolean;
}

export function createBrush(o: BrushOptions): BrushTool {
  let last: Point | null = null;
  let session: CorrectionSession | null = null;
  const radius = (): number => Math.max(0.5, o.getSize() / 2);
  const px = (): PixelSize | undefined => o.getPixelSize?.() ?? undefined;
  const end = (commit: boolean): void => {
    if (!session) return;
    if (commit) session.commit();
    else session.cancel();
    session = null;
    last = null;
  };
  return {
    id: o.id,
    label: o.label,
    key: o.key,
    get cursor() {
      return o.getCursor?.() ?? 'crosshair';
    },
    Overlay: o.Overlay,
    get painting() {
      return session !== null;
    },
    onPointerDown(pt: ImagePoint) {
      if (pt.buttons !== 0 && (pt.buttons & 1) === 0) return; // left button or pen only
      end(true);
      session = o.getSession();
      if (!session) return;
      session.begin();
      last = { x: pt.x, y: pt.y };
      session.stroke(paintCapsule(session.mask, last, last, radius(), o.value, px()));
    },
    onPointerMove(pt: ImagePoint) {
      if (!session || !last) return;
      const p = { x: pt.x, y: pt.y };
      session.stroke(paintCapsule(session.mask, last, p, radius(), o.value, px()));
      last = p;
    },
    onPointerUp() {
      end(true);
    },
    onPointerCancel() {
      end(false);
    },
    deactivate() {
      end(true);
    },
  };
}

export const createEraser = (o: Omit<BrushOptions, 'value' | 'id' | 'label'> & Partial<Pick<BrushOptions, 'id' | 'label'>>): BrushTool =>
  createBrush({ id: 'eraser', label: 'Eraser', key: 'e', ...o, value: 0 });
