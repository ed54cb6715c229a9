// The live canvases: two viewport-sized canvases over the Konva stage, one for the mask layers edited frame
// after frame (state/layers `live`, e.g. the correction being painted), one above it for tool painters
// (liveCanvas.ts, e.g. the brush ring), so a pointer move redraws only the ring and a stroke only the
// masks. Both draw to OffscreenCanvases (transferControlToOffscreen), whose frames reach the compositor
// without a main-thread commit: painting does not change the page's layer tree, so a frame never waits
// for a commit. While a model loads and runs its first time, V8 compiles the runtime's WebAssembly on the
// renderer's thread pool and every commit waited for it (100-400 ms per frame in Chrome traces,
// `npm run bench:paint`); the Konva layer this replaces committed every frame.
import { useEffect, useRef } from 'react';
import { useLayers, type MaskLayer } from '../state/layers';
import { useView } from '../state/view';
import { screenMatrix } from './coords';
import { livePainters, setLiveDrawer } from './liveCanvas';

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
interface Surface {
  canvas: HTMLCanvasElement | OffscreenCanvas;
  ctx: Ctx;
}

interface Props {
  /** Viewport size in CSS pixels. */
  width: number;
  height: number;
  /** Image size: live layers are drawn at this size in image coordinates. */
  imageWidth: number;
  imageHeight: number;
}

const offscreen = new WeakMap<HTMLCanvasElement, OffscreenCanvas>();
const liveOf = (layers: readonly MaskLayer[]) => layers.filter((l) => l.live).sort((a, b) => (a.z ?? 0) - (b.z ?? 0));
const sameList = (a: readonly MaskLayer[], b: readonly MaskLayer[]) => a.length === b.length && a.every((l, i) => l === b[i]);

function surfaceOf(el: HTMLCanvasElement | null): Surface | null {
  if (!el) return null;
  // control can be transferred once per element (effects may run twice in development)
  let canvas: HTMLCanvasElement | OffscreenCanvas = el;
  if (typeof el.transferControlToOffscreen === 'function') {
    const known = offscreen.get(el) ?? el.transferControlToOffscreen();
    offscreen.set(el, known);
    canvas = known;
  }
  const ctx = canvas.getContext('2d') as Ctx | null;
  return ctx ? { canvas, ctx } : null;
}

export function LiveCanvas({ width, height, imageWidth, imageHeight }: Props) {
  const masksEl = useRef<HTMLCanvasElement>(null);
  const paintersEl = useRef<HTMLCanvasElement>(null);
  const size = useRef({ width, height, imageWidth, imageHeight });
  size.current = { width, height, imageWidth, imageHeight };
  const redraw = useRef<() => void>(() => undefined);

  // Started in a task of its own, not in the commit that mounts the viewer with a new scan (long enough
  // already): taking control of both canvases and their first draw (sizing them to the viewport). Until
  // then nothing is live on them; the first draw reads the layers, painters, view and size as they are then.
  useEffect(() => {
    let stop: (() => void) | undefined;
    const timer = globalThis.setTimeout(() => {
      stop = start();
    }, 0);
    return () => {
      clearTimeout(timer);
      stop?.();
    };
  }, []);

  const start = (): (() => void) | undefined => {
    const masks = surfaceOf(masksEl.current);
    const painters = surfaceOf(paintersEl.current);
    if (!masks || !painters) return undefined;
    let live = true;
    /** Clears the surface (resized to the viewport) and sets the view transform; false after unmount. */
    const begin = (s: Surface) => {
      if (!live) return false;
      const dpr = globalThis.devicePixelRatio || 1;
      const pw = Math.max(1, Math.round(size.current.width * dpr));
      const ph = Math.max(1, Math.round(size.current.height * dpr));
      if (s.canvas.width !== pw || s.canvas.height !== ph) {
        s.canvas.width = pw;
        s.canvas.height = ph;
      }
      const t = useView.getState().transform;
      s.ctx.setTransform(1, 0, 0, 1, 0, 0);
      s.ctx.clearRect(0, 0, pw, ph);
      const [a, b, c, d, e, f] = screenMatrix(t);
      s.ctx.setTransform(a * dpr, b * dpr, c * dpr, d * dpr, e * dpr, f * dpr);
      return true;
    };
    const drawMasks = () => {
      if (!begin(masks)) return;
      masks.ctx.imageSmoothingEnabled = false;
      for (const l of liveOf(useLayers.getState().layers)) {
        if (!l.visible || l.opacity <= 0) continue;
        masks.ctx.globalAlpha = l.opacity;
        masks.ctx.drawImage(l.canvas, 0, 0, size.current.imageWidth, size.current.imageHeight);
      }
      masks.ctx.globalAlpha = 1;
    };
    const drawPainters = () => {
      if (!begin(painters)) return;
      const t = useView.getState().transform;
      for (const p of livePainters()) {
        painters.ctx.save();
        p(painters.ctx, t);
        painters.ctx.restore();
      }
    };
    // one redraw of each per microtask: a layer touch and pointer moves of one frame land in that frame
    let queued = { masks: false, painters: false };
    let scheduled = false;
    const request = (which: 'masks' | 'painters' | 'both') => {
      if (which !== 'painters') queued.masks = true;
      if (which !== 'masks') queued.painters = true;
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        const q = queued;
        queued = { masks: false, painters: false };
        scheduled = false;
        if (q.masks) drawMasks();
        if (q.painters) drawPainters();
      });
    };
    redraw.current = () => request('both');
    setLiveDrawer(() => request('painters'));
    drawMasks();
    drawPainters();
    const offLayers = useLayers.subscribe((st, prev) => {
      if (st.layers === prev.layers) return;
      const a = liveOf(st.layers);
      const b = liveOf(prev.layers);
      if (a.length + b.length > 0 && !sameList(a, b)) request('masks');
    });
    const offView = useView.subscribe((st, prev) => {
      if (st.transform !== prev.transform) request('both');
    });
    return () => {
      live = false;
      offLayers();
      offView();
      setLiveDrawer(null);
      redraw.current = () => undefined;
    };
  };

  useEffect(() => redraw.current(), [width, height, imageWidth, imageHeight]);

  const style = { width, height };
  return (
    <>
      <canvas ref={masksEl} className="viewer-live" data-testid="viewer-live" style={style} aria-hidden="true" />
      <canvas ref={paintersEl} className="viewer-live" data-testid="viewer-live-tools" style={style} aria-hidden="true" />
    </>
  );
}
