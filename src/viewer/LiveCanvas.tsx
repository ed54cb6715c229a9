// The live canvas: one viewport-sized canvas over the Konva stage that shows the mask layers edited frame
// after frame (state/layers `live`, e.g. the correction being painted) and tool painters (liveCanvas.ts,
// e.g. the brush ring). Its drawing goes to an OffscreenCanvas (transferControlToOffscreen), whose frames
// reach the compositor without a main-thread commit: painting does not change the page's layer tree, so
// a frame never waits for a commit. Measured with `npm run bench:paint`: while a model loads and runs, the
// renderer's thread pool is busy compiling the runtime's WebAssembly, and every commit waits for it
// (hundreds of ms per frame); the Konva layer this replaces had to commit every frame.
import { useEffect, useRef } from 'react';
import { useLayers, type MaskLayer } from '../state/layers';
import { useView } from '../state/view';
import { livePainters, requestLiveDraw, setLiveDrawer } from './liveCanvas';

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

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

export function LiveCanvas({ width, height, imageWidth, imageHeight }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const surface = useRef<{ canvas: HTMLCanvasElement | OffscreenCanvas; ctx: Ctx } | null>(null);
  const size = useRef({ width, height, imageWidth, imageHeight });
  size.current = { width, height, imageWidth, imageHeight };

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // control can be transferred once per element (effects may run twice in development)
    let canvas: HTMLCanvasElement | OffscreenCanvas = el;
    if (typeof el.transferControlToOffscreen === 'function') {
      const known = offscreen.get(el) ?? el.transferControlToOffscreen();
      offscreen.set(el, known);
      canvas = known;
    }
    const ctx = canvas.getContext('2d') as Ctx | null;
    if (!ctx) return;
    surface.current = { canvas, ctx };
    const draw = () => {
      const s = surface.current;
      if (!s) return;
      const { width: w, height: h, imageWidth: iw, imageHeight: ih } = size.current;
      const dpr = globalThis.devicePixelRatio || 1;
      const pw = Math.max(1, Math.round(w * dpr));
      const ph = Math.max(1, Math.round(h * dpr));
      if (s.canvas.width !== pw || s.canvas.height !== ph) {
        s.canvas.width = pw;
        s.canvas.height = ph;
      }
      const t = useView.getState().transform;
      s.ctx.setTransform(1, 0, 0, 1, 0, 0);
      s.ctx.clearRect(0, 0, pw, ph);
      s.ctx.setTransform(t.scale * dpr, 0, 0, t.scale * dpr, t.x * dpr, t.y * dpr);
      s.ctx.imageSmoothingEnabled = false;
      for (const l of liveOf(useLayers.getState().layers)) {
        if (!l.visible || l.opacity <= 0) continue;
        s.ctx.globalAlpha = l.opacity;
        s.ctx.drawImage(l.canvas, 0, 0, iw, ih);
      }
      s.ctx.globalAlpha = 1;
      for (const p of livePainters()) {
        s.ctx.save();
        p(s.ctx, t);
        s.ctx.restore();
      }
    };
    setLiveDrawer(draw);
    draw();
    const offLayers = useLayers.subscribe((st, prev) => {
      if (st.layers !== prev.layers && (st.layers.some((l) => l.live) || prev.layers.some((l) => l.live))) requestLiveDraw();
    });
    const offView = useView.subscribe((st, prev) => {
      if (st.transform !== prev.transform) requestLiveDraw();
    });
    return () => {
      offLayers();
      offView();
      setLiveDrawer(null);
      surface.current = null;
    };
  }, []);

  useEffect(() => requestLiveDraw(), [width, height, imageWidth, imageHeight]);

  return <canvas ref={ref} className="viewer-live" data-testid="viewer-live" style={{ width, height }} aria-hidden="true" />;
}
