// What the viewer's live painter canvas (LiveCanvas.tsx) draws on top of the Konva stage and the live mask
// layers: painters registered by tool overlays (e.g. the brush ring), called in image coordinates with the
// view transform applied. requestLiveDraw() redraws them once, in a microtask (the pointer moves of one
// frame are coalesced into the frame they happen in).
import type { ViewTransform } from '../state/view';

export type LivePainter = (ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, t: ViewTransform) => void;

const painters = new Set<LivePainter>();
let drawer: (() => void) | null = null;

/** Adds a painter; returns its removal. */
export function registerLivePainter(p: LivePainter): () => void {
  painters.add(p);
  requestLiveDraw();
  return () => {
    painters.delete(p);
    requestLiveDraw();
  };
}

export function livePainters(): Iterable<LivePainter> {
  return painters;
}

/** The live canvas sets its (coalescing) redraw of the painters here; null when unmounted. */
export function setLiveDrawer(d: (() => void) | null): void {
  drawer = d;
}

export function requestLiveDraw(): void {
  drawer?.();
}
