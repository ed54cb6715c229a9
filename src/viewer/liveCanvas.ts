// What the viewer's live canvas (LiveCanvas.tsx) draws on top of the Konva stage, besides the `live` mask
// layers: painters registered by tool overlays (e.g. the brush ring), called in image coordinates with
// the view transform applied. requestLiveDraw() redraws once, in a microtask (pointer events and layer
// touches of one frame are coalesced into the frame they happen in).
import type { ViewTransform } from '../state/view';

export type LivePainter = (ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, t: ViewTransform) => void;

const painters = new Set<LivePainter>();
let drawer: (() => void) | null = null;
let queued = false;

/** Adds a painter (drawn above the live mask layers); returns its removal. */
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

/** The live canvas sets its draw function here (null when unmounted). */
export function setLiveDrawer(d: (() => void) | null): void {
  drawer = d;
}

export function requestLiveDraw(): void {
  if (queued || !drawer) return;
  queued = true;
  queueMicrotask(() => {
    queued = false;
    drawer?.();
  });
}
