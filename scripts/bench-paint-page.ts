// In-browser part of `npm run bench:paint`: paints strokes on a 2048x2048 mask through the real brush
// tool and correction session, updating the mask canvas by dirty rectangle (as the app does) and, as a
// baseline, by full-canvas redraw; each frame also composites the mask canvas onto a display canvas
// like the viewer. Reports frames per second while painting and undo latency.
import { renderBinary } from '../src/mask/render';
import { fullRect, type Rect } from '../src/mask/types';
import { createBrush } from '../src/tools/brush';
import { PointerHarness, toolContext } from '../src/tools/harness';
import { CorrectionSession } from '../src/tools/session';

const N = 2048;
const RGB = [250, 219, 20] as const;

interface Mode {
  name: string;
  draw(session: CorrectionSession, ctx: CanvasRenderingContext2D, rect: Rect): void;
}

let scratch: Uint8ClampedArray<ArrayBuffer> = new Uint8ClampedArray(0);
const dirtyRect: Mode = {
  name: 'dirty-rect',
  draw(session, ctx, r) {
    const w = r.x1 - r.x0;
    const h = r.y1 - r.y0;
    if (w <= 0 || h <= 0) return;
    if (scratch.length < w * h * 4) scratch = new Uint8ClampedArray(w * h * 4);
    const px = renderBinary(session.mask, r, RGB, scratch.subarray(0, w * h * 4));
    ctx.putImageData(new ImageData(px, w, h), r.x0, r.y0);
  },
};
const fullRedraw: Mode = {
  name: 'full-redraw',
  draw(session, ctx) {
    const r = fullRect(session.mask);
    ctx.putImageData(new ImageData(renderBinary(session.mask, r, RGB), N, N), 0, 0);
  },
};

function canvases() {
  const mask = document.createElement('canvas');
  mask.width = N;
  mask.height = N;
  const view = document.createElement('canvas');
  view.width = 1024;
  view.height = 1024;
  document.body.appendChild(view);
  return { mask, maskCtx: mask.getContext('2d', { willReadFrequently: false }) as CanvasRenderingContext2D, viewCtx: view.getContext('2d') as CanvasRenderingContext2D };
}

const frame = (): Promise<number> => new Promise((res) => requestAnimationFrame(res));

/** Paint `frames` frames, each advancing the stroke by `step` pointer moves. */
async function paint(mode: Mode, frames: number, brush = 24) {
  const session = new CorrectionSession(N, N);
  const { mask, maskCtx, viewCtx } = canvases();
  let pending: Rect | null = null;
  session.onChange((r) => {
    pending = pending ? { x0: Math.min(pending.x0, r.x0), y0: Math.min(pending.y0, r.y0), x1: Math.max(pending.x1, r.x1), y1: Math.max(pending.y1, r.y1) } : r;
  });
  const tool = createBrush({ id: 'brush', label: 'Brush', value: 1, getSession: () => session, getSize: () => brush });
  const h = new PointerHarness(tool, toolContext(N, N));
  const work: number[] = [];
  let updatedPx = 0;
  let t = 0;
  h.down(100, 100);
  await frame();
  const start = performance.now();
  for (let f = 0; f < frames; f++) {
    const t0 = performance.now();
    for (let k = 0; k < 4; k++) {
      t += 1;
      const x = 1024 + 900 * Math.cos(t / 40);
      const y = 1024 + 900 * Math.sin(t / 23);
      h.move(x, y);
    }
    if (pending) {
      const r: Rect = mode === fullRedraw ? fullRect(session.mask) : pending;
      updatedPx += (r.x1 - r.x0) * (r.y1 - r.y0);
      mode.draw(session, maskCtx, pending);
    }
    pending = null;
    viewCtx.drawImage(mask, 0, 0, 1024, 1024);
    work.push(performance.now() - t0);
    await frame();
  }
  const elapsed = performance.now() - start;
  h.up(0, 0);
  const updatedFraction = +(updatedPx / frames / (N * N)).toFixed(5);
  return { session, maskCtx, mode, fps: frames / (elapsed / 1000), workMs: median(work), workP95Ms: pct(work, 95), updatedFraction };
}

function median(a: number[]): number {
  return pct(a, 50);
}
function pct(a: number[], p: number): number {
  const s = [...a].sort((x, y) => x - y);
  return +s[Math.min(s.length - 1, Math.floor((s.length - 1) * (p / 100)))].toFixed(2);
}

async function undoLatency(mode: Mode, strokes = 60) {
  const session = new CorrectionSession(N, N);
  const { maskCtx } = canvases();
  const tool = createBrush({ id: 'brush', label: 'Brush', value: 1, getSession: () => session, getSize: () => 24 });
  const h = new PointerHarness(tool, toolContext(N, N));
  for (let i = 0; i < strokes; i++) {
    const y = 40 + ((i * 31) % 1960);
    h.drag([[40, y], [600 + (i % 7) * 200, y + 30], [1900, y]]);
  }
  let rect: Rect | null = null;
  session.onChange((r) => (rect = r));
  const times: number[] = [];
  for (let i = 0; i < strokes; i++) {
    const t0 = performance.now();
    session.undo();
    if (rect) mode.draw(session, maskCtx, rect);
    maskCtx.getImageData(0, 0, 1, 1); // flush the canvas work into the measurement
    times.push(performance.now() - t0);
    await frame();
  }
  return { undoMs: median(times), undoP95Ms: pct(times, 95), steps: strokes };
}

async function run() {
  const frames = 240;
  const fast = await paint(dirtyRect, frames);
  const slow = await paint(fullRedraw, Math.round(frames / 3));
  const undoFast = await undoLatency(dirtyRect);
  const undoSlow = await undoLatency(fullRedraw, 20);
  return {
    scan: `${N}x${N}`,
    brushPx: 24,
    paint: { fps: +fast.fps.toFixed(1), frameWorkMs: fast.workMs, frameWorkP95Ms: fast.workP95Ms, canvasFractionPerFrame: fast.updatedFraction, mode: 'dirty-rect' },
    baseline: { fps: +slow.fps.toFixed(1), frameWorkMs: slow.workMs, frameWorkP95Ms: slow.workP95Ms, canvasFractionPerFrame: slow.updatedFraction, mode: 'full-redraw' },
    undo: { ...undoFast, mode: 'dirty-rect' },
    undoBaseline: { ...undoSlow, mode: 'full-redraw' },
    targets: { fps: 50, undoMs: 16 },
  };
}

(window as unknown as { benchPaint: typeof run }).benchPaint = run;
