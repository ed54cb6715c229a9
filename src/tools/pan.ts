// Pan tool: drag moves the view. Works in screen pixels so it is independent of zoom.
import type { ImagePoint, Tool } from '../state/tools';

export interface PanView {
  get(): { x: number; y: number; scale: number; o?: [number, number, number, number, number, number] };
  set(t: { x: number; y: number; scale: number; o?: [number, number, number, number, number, number] }): void;
}

export function createPan(view: PanView): Tool {
  let start: { sx: number; sy: number; x: number; y: number } | null = null;
  return {
    id: 'pan',
    label: 'Pan',
    key: 'h',
    cursor: 'grab',
    onPointerDown(pt: ImagePoint) {
      const t = view.get();
      start = { sx: pt.screenX, sy: pt.screenY, x: t.x, y: t.y };
    },
    onPointerMove(pt: ImagePoint) {
      if (!start) return;
      const t = view.get();
      view.set({ ...t, x: start.x + pt.screenX - start.sx, y: start.y + pt.screenY - start.sy });
    },
    onPointerUp() {
      start = null;
    },
    onPointerCancel() {
      start = null;
    },
    deactivate() {
      start = null;
    },
  };
}
