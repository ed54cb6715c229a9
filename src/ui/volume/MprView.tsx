// Three views of the open volume (axial, coronal, sagittal) with a synced crosshair, each in radiological
// orientation with its own A/P/R/L/S/I markers and voxel aspect, or one of them large. Each view is a
// plain canvas: its slice is read from the scan's pixel array with strides (scan/volume/mpr.ts) into a
// slice-sized buffer only when the slice, window or inversion changes; the 3-D mask's slice likewise when
// the slice or the mask changes; zoom, pan and the crosshair only recomposite. Clicking (crosshair tool)
// moves the other two views to that point; wheel steps the view's slices, Ctrl/Cmd+wheel zooms, middle
// drag pans, right drag sets window/level. Brush, eraser, polygon, keep/remove component and fill between
// slices edit the 3-D mask (mprEdit.ts).
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { Point } from '../../mask/types';
import { PLANES, resliceMaskRGBA, resliceRGBA, toPlane, type MprGeometry, type Voxel } from '../../scan/volume/mpr';
import type { Plane } from '../../scan/volume/orientation';
import { useScans } from '../../state/scans';
import { useView, type ViewTransform } from '../../state/view';
import { fitTransform, imageToScreen, screenMatrix, screenToImage, wheelFactor, zoomAbout } from '../../viewer/coords';
import { dragWindow } from '../../viewer/windowing';
import {
  brushPixelSize, cancelJob, component, fillBetween, fillRange, flushVolumeEdits, keepUnsavedVolumeEdits, openGeometry, polygon, redo3d, resetHistory, setMpr, setPoint, stepSlice,
  strokeEnd, strokeMove, strokeStart, undo3d, useMpr, type MprTool,
} from './mprEdit';
import { currentVolumeMask, useVolumeRun } from './volumeRun';
import { openReferences, useVolumeReference } from './volumeSeg';
import { useRuns } from '../../state/runs';

const MASK_RGB: [number, number, number] = [0, 220, 255];
const LINE: Record<Plane, string> = { axial: '#ffd84d', coronal: '#7dff7d', sagittal: '#ff8a8a' };
const TOOLS: { id: MprTool; label: string; title: string }[] = [
  { id: 'crosshair', label: 'Crosshair', title: 'Click or drag to move the crosshair (the other views follow)' },
  { id: 'brush', label: 'Brush', title: 'Paint the 3-D mask on this slice' },
  { id: 'eraser', label: 'Eraser', title: 'Erase the 3-D mask on this slice' },
  { id: 'polygon', label: 'Polygon', title: 'Click points, double-click (or click the first point) to fill; Alt to cut' },
  { id: 'keep', label: 'Keep part', title: 'Click a part of the mask: keep only it (6-connected in 3-D)' },
  { id: 'remove', label: 'Remove part', title: 'Click a part of the mask: remove it (6-connected in 3-D)' },
];

/** Redraw timings of the views (ms), for the test hook and the benchmark. */
const timings: { plane: Plane; ms: number; resliced: boolean }[] = [];
const panes = new Map<Plane, { el: HTMLCanvasElement; t: () => ViewTransform }>();
/** What each view last drew over the image: set voxels of the 3-D mask and of the 3-D reference (0 when hidden). */
const drawn = new Map<Plane, { mask: number; reference: number; slice: number; running: boolean }>();
const maskRedraws: { plane: Plane; running: boolean; voxels: number }[] = [];
const countSet = (px: Uint8ClampedArray): number => {
  let n = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
  return n;
};

function recordTiming(plane: Plane, ms: number, resliced: boolean): void {
  timings.push({ plane, ms, resliced });
  if (timings.length > 200) timings.shift();
}

function Pane({ plane, g }: { plane: Plane; g: MprGeometry }) {
  const pg = g.planes[plane];
  const scan = useScans((s) => s.scan)!;
  const point = useMpr((s) => s.point);
  const large = useMpr((s) => s.large);
  const tool = useMpr((s) => s.tool);
  const radius = useMpr((s) => s.radius);
  const maskVersion = useMpr((s) => s.maskVersion);
  const maskInfo = useVolumeRun((s) => s.info);
  const maskTick = useVolumeRun((s) => s.maskTick);
  const reference = useVolumeReference((s) => s.reference);
  const showReference = useRuns((s) => s.showReference);
  const win = useView((s) => s.window);
  const invert = useView((s) => s.invert);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const [t, setT] = useState<ViewTransform | null>(null);
  const zoomed = useRef(false);
  const hover = useRef<Point | null>(null);
  const poly = useRef<Point[]>([]);
  const [, setPolyN] = useState(0);
  const [drawTick, setDrawTick] = useState(0);
  const redraw = () => setDrawTick((n) => n + 1);
  const bufs = useRef<{
    img: HTMLCanvasElement; mask: HTMLCanvasElement; ref: HTMLCanvasElement; imgPx: Uint8ClampedArray<ArrayBuffer>; maskPx: Uint8ClampedArray<ArrayBuffer>;
    refPx: Uint8ClampedArray<ArrayBuffer>; key: string; maskKey: string; refKey: string;
  } | null>(null);
  const tRef = useRef(t);
  tRef.current = t;

  useEffect(() => {
    const el = canvas.current?.parentElement;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setSize({ w: Math.floor(e.contentRect.width), h: Math.floor(e.contentRect.height) }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    if (size.w && size.h && (!zoomed.current || !tRef.current)) setT(fitTransform(pg.orient.w, pg.orient.h, size.w, size.h, 12, pg.orient.m));
  }, [size.w, size.h, pg]);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    panes.set(plane, { el, t: () => tRef.current ?? { scale: 1, x: 0, y: 0 } });
    return () => void panes.delete(plane);
  }, [plane]);

  const slice = point ? point[pg.n] : 0;
  // draw: reslice only what changed, then composite
  useEffect(() => {
    const el = canvas.current;
    if (!el || !t || !point || !size.w) return;
    const t0 = performance.now();
    if (!bufs.current || bufs.current.img.width !== pg.width || bufs.current.img.height !== pg.height) {
      const mk = () => Object.assign(document.createElement('canvas'), { width: pg.width, height: pg.height });
      const px = () => new Uint8ClampedArray(pg.width * pg.height * 4);
      bufs.current = { img: mk(), mask: mk(), ref: mk(), imgPx: px(), maskPx: px(), refPx: px(), key: '', maskKey: '', refKey: '' };
    }
    const b = bufs.current;
    const key = `${slice}|${win.center}|${win.width}|${invert}`;
    let resliced = false;
    if (b.key !== key) {
      resliceRGBA(scan, pg, slice, win, invert, b.imgPx);
      b.img.getContext('2d')?.putImageData(new ImageData(b.imgPx, pg.width, pg.height), 0, 0);
      b.key = key;
      resliced = true;
    }
    const mask = currentVolumeMask();
    const hasMask = !!mask && mask.width === g.dims[0] && mask.height === g.dims[1] && mask.slices === g.dims[2];
    const maskKey = hasMask ? `${slice}|${maskVersion}|${maskInfo?.createdAt}|${maskTick}` : '';
    const running = !!useVolumeRun.getState().progress;
    const seen = drawn.get(plane) ?? { mask: 0, reference: 0, slice, running };
    if (b.maskKey !== maskKey) {
      if (hasMask) {
        resliceMaskRGBA(mask.data, pg, slice, MASK_RGB, b.maskPx);
        b.mask.getContext('2d')?.putImageData(new ImageData(b.maskPx, pg.width, pg.height), 0, 0);
      } else b.mask.getContext('2d')?.clearRect(0, 0, pg.width, pg.height);
      b.maskKey = maskKey;
      resliced = true;
      seen.mask = hasMask ? countSet(b.maskPx) : 0;
      maskRedraws.push({ plane, running, voxels: seen.mask });
      if (maskRedraws.length > 200) maskRedraws.shift();
    }
    // the 3-D references (the segments of a loaded DICOM SEG), each in its colour, shown with the reference switch
    const ref = showReference && reference ? openReferences() : null;
    const hasRef = !!ref && ref.layers.every((l) => l.data.length === g.dims[0] * g.dims[1] * g.dims[2]);
    const refKey = hasRef ? `${slice}|${ref.version}` : '';
    if (b.refKey !== refKey) {
      if (hasRef) {
        // later segments over earlier ones
        b.refPx.fill(0);
        const one = new Uint8ClampedArray(b.refPx.length);
        for (const l of ref.layers) {
          resliceMaskRGBA(l.data, pg, slice, l.rgb, one);
          for (let o = 3; o < one.length; o += 4) if (one[o]) b.refPx.set(one.subarray(o - 3, o + 1), o - 3);
        }
        b.ref.getContext('2d')?.putImageData(new ImageData(b.refPx, pg.width, pg.height), 0, 0);
      } else b.ref.getContext('2d')?.clearRect(0, 0, pg.width, pg.height);
      b.refKey = refKey;
      resliced = true;
      seen.reference = hasRef ? countSet(b.refPx) : 0;
    }
    drawn.set(plane, { ...seen, slice, running });
    if (el.width !== size.w || el.height !== size.h) {
      el.width = size.w;
      el.height = size.h;
    }
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, el.width, el.height);
    const [a, bb, c, d, e, f] = screenMatrix(t);
    ctx.setTransform(a, bb, c, d, e, f);
    ctx.imageSmoothingEnabled = t.scale < 1;
    ctx.drawImage(b.img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    if (hasRef) {
      ctx.globalAlpha = 0.35;
      ctx.drawImage(b.ref, 0, 0);
    }
    ctx.globalAlpha = 0.45;
    ctx.drawImage(b.mask, 0, 0);
    ctx.globalAlpha = 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    // crosshair: the other two planes through the point
    const { x, y } = toPlane(pg, point);
    const other = PLANES.filter((p) => p !== plane);
    const line = (p0: Point, p1: Point, colour: string) => {
      const s0 = imageToScreen(t, p0);
      const s1 = imageToScreen(t, p1);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(s0.x, s0.y);
      ctx.lineTo(s1.x, s1.y);
      ctx.stroke();
    };
    // the vertical image line x = const is the plane whose normal is axis u; the horizontal one is axis v
    const planeOfAxis = (axis: number) => other.find((p) => g.planes[p].n === axis) ?? other[0];
    line({ x: x + 0.5, y: 0 }, { x: x + 0.5, y: pg.height }, LINE[planeOfAxis(pg.u)]);
    line({ x: 0, y: y + 0.5 }, { x: pg.width, y: y + 0.5 }, LINE[planeOfAxis(pg.v)]);
    // polygon in progress, brush ring
    const pts = poly.current;
    if (pts.length) {
      ctx.strokeStyle = '#ff2bd6';
      ctx.beginPath();
      pts.forEach((p, i) => {
        const s = imageToScreen(t, p);
        if (i) ctx.lineTo(s.x, s.y);
        else ctx.moveTo(s.x, s.y);
      });
      if (hover.current) {
        const s = imageToScreen(t, hover.current);
        ctx.lineTo(s.x, s.y);
      }
      ctx.stroke();
    }
    if (hover.current && (tool === 'brush' || tool === 'eraser')) {
      ctx.setTransform(a, bb, c, d, e, f);
      ctx.beginPath();
      // round in mm: an ellipse in image pixels on anisotropic spacing (round on screen, which keeps the voxel aspect)
      const px = brushPixelSize(plane) ?? { x: 1, y: 1 };
      ctx.ellipse(hover.current.x, hover.current.y, radius / px.x, radius / px.y, 0, 0, 2 * Math.PI);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.strokeStyle = tool === 'eraser' ? '#ffffff' : '#ff2bd6';
      ctx.stroke();
    }
    const ms = performance.now() - t0;
    recordTiming(plane, ms, resliced);
    if (resliced) performance.measure(`vlsm:mpr-redraw:${plane}`, { start: t0, end: t0 + ms });
  }, [t, point, slice, win, invert, maskVersion, maskInfo, maskTick, reference, showReference, size, pg, g, scan, tool, radius, plane, drawTick]);

  // pointer gestures
  const drag = useRef<{ mode: 'tool' | 'pan' | 'window'; x: number; y: number; t: ViewTransform; win: typeof win } | null>(null);
  const local = (e: { clientX: number; clientY: number }): Point => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const toImage = (e: { clientX: number; clientY: number }): Point => screenToImage(tRef.current!, local(e));
  const inside = (p: Point) => p.x >= 0 && p.y >= 0 && p.x < pg.width && p.y < pg.height;
  const moveCrosshair = (p: Point) => {
    const cur = useMpr.getState().point;
    if (!cur || !inside(p)) return;
    const q = [...cur] as Voxel;
    q[pg.u] = Math.floor(p.x);
    q[pg.v] = Math.floor(p.y);
    setPoint(q);
  };
  const closePolygon = (erase: boolean) => {
    const pts = poly.current;
    poly.current = [];
    setPolyN(0);
    if (pts.length >= 3) polygon(plane, pts, erase);
    redraw();
  };
  const onDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!tRef.current) return;
    (e.currentTarget.closest('[data-testid="mpr"]') as HTMLElement | null)?.focus({ preventScroll: true });
    useMpr.setState({ activePlane: plane });
    const mode = e.button === 1 ? 'pan' : e.button === 2 ? 'window' : e.button === 0 ? 'tool' : null;
    if (!mode) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    const p = toImage(e);
    drag.current = { mode, x: e.clientX, y: e.clientY, t: tRef.current, win: useView.getState().window };
    if (mode !== 'tool') return;
    const current = useMpr.getState().tool;
    if (current === 'crosshair') moveCrosshair(p);
    else if (current === 'brush' || current === 'eraser') {
      if (inside(p)) strokeStart(plane, p, current === 'eraser');
      else drag.current = null;
    } else if (current === 'polygon') {
      drag.current = null;
      if (!inside(p)) return;
      const pts = poly.current;
      const first = pts[0] && imageToScreen(tRef.current, pts[0]);
      const here = local(e);
      if (pts.length >= 3 && first && Math.hypot(first.x - here.x, first.y - here.y) < 8) return closePolygon(e.altKey);
      pts.push(p);
      setPolyN(pts.length);
      redraw();
    } else {
      drag.current = null;
      if (inside(p)) void component(plane, p, current === 'keep');
    }
  };
  const onMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!tRef.current) return;
    const p = toImage(e);
    hover.current = inside(p) ? p : null;
    const dr = drag.current;
    if (!dr) {
      if (tool !== 'crosshair' && tool !== 'keep' && tool !== 'remove') redraw();
      return;
    }
    if (dr.mode === 'pan') {
      zoomed.current = true;
      setT({ ...dr.t, x: dr.t.x + e.clientX - dr.x, y: dr.t.y + e.clientY - dr.y });
    } else if (dr.mode === 'window') useView.getState().setWindow(dragWindow(dr.win, e.clientX - dr.x, e.clientY - dr.y, scan.range), 'custom');
    else if (useMpr.getState().tool === 'crosshair') moveCrosshair(p);
    else strokeMove(p);
  };
  const onUp = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const dr = drag.current;
    drag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    if (dr?.mode === 'tool' && (useMpr.getState().tool === 'brush' || useMpr.getState().tool === 'eraser')) strokeEnd();
  };
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    let rest = 0;
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const dy = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
      if (e.ctrlKey || e.metaKey) {
        const cur = tRef.current;
        if (!cur) return;
        zoomed.current = true;
        const r = el.getBoundingClientRect();
        setT(zoomAbout(cur, { x: e.clientX - r.left, y: e.clientY - r.top }, wheelFactor(dy)));
        return;
      }
      let steps = 0;
      if (Math.abs(dy) >= 50) steps = Math.sign(dy);
      else {
        rest += dy;
        steps = Math.trunc(rest / 100);
        rest -= steps * 100;
      }
      if (steps) stepSlice(plane, steps);
    };
    el.addEventListener('wheel', wheel, { passive: false });
    return () => el.removeEventListener('wheel', wheel);
  }, [plane]);
  useEffect(() => {
    if (tool !== 'polygon') poly.current = [];
  }, [tool]);

  const hidden = large !== null && large !== plane;
  const labels = pg.orient.labels;
  return (
    <section className={`mpr-pane${large === plane ? ' large' : ''}`} data-testid={`mpr-${plane}`} data-plane={plane} hidden={hidden}>
      <header>
        <span className="mpr-title" style={{ color: LINE[plane] }}>{plane[0].toUpperCase() + plane.slice(1)}</span>
        <span className="mpr-slice" data-testid={`mpr-${plane}-slice`}>
          {slice + 1} / {pg.slices}
        </span>
        <button
          type="button" data-testid={`mpr-${plane}-large`}
          onClick={() => useMpr.setState({ large: large === plane ? null : plane })}
          title={large === plane ? 'Back to three views' : 'Show this view large'}
        >
          {large === plane ? 'Three views' : 'Enlarge'}
        </button>
      </header>
      <div className="mpr-canvas">
        <canvas
          ref={canvas} data-testid={`mpr-${plane}-canvas`}
          onPointerDown={onDown} onPointerMove={onMove} onPointerUp={onUp} onPointerCancel={onUp}
          onPointerLeave={() => {
            hover.current = null;
            redraw();
          }}
          onDoubleClick={(e) => {
            if (useMpr.getState().tool === 'polygon') closePolygon(e.altKey);
          }}
          onContextMenu={(e) => e.preventDefault()}
          style={{ cursor: tool === 'crosshair' ? 'crosshair' : 'default' }}
        />
        <div className="orient-markers" aria-label={`Patient orientation, ${plane}`} data-testid={`mpr-${plane}-markers`}>
          <span className="orient left" data-testid={`mpr-${plane}-left`}>{labels.left}</span>
          <span className="orient right" data-testid={`mpr-${plane}-right`}>{labels.right}</span>
          <span className="orient top" data-testid={`mpr-${plane}-top`}>{labels.top}</span>
          <span className="orient bottom" data-testid={`mpr-${plane}-bottom`}>{labels.bottom}</span>
        </div>
      </div>
    </section>
  );
}

const mm = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toFixed(1));

/** Brush radius: in mm on a scan with voxel spacing (with its size in voxels per axis), in voxels otherwise. */
function BrushRadius({ radius }: { radius: number }) {
  const scan = useScans((s) => s.scan);
  const g = openGeometry();
  const inMm = !!scan?.spacingKnown && !!g;
  // voxels along each volume axis (x, y, slice) that the radius spans
  const perAxis = inMm && g ? ([0, 1, 2] as const).map((a) => radius / (Object.values(g.planes).find((p) => p.u === a)?.spacingU ?? Object.values(g.planes).find((p) => p.v === a)?.spacingV ?? 1)) : null;
  return (
    <label title={inMm ? 'Brush radius in millimetres: round in mm on every view, whatever the voxel spacing' : 'Brush radius in voxels (this scan records no voxel spacing)'}>
      Radius
      <input
        type="number" min={inMm ? 0.5 : 1} max={100} step={inMm ? 0.5 : 1} value={radius} data-testid="mpr-radius"
        onChange={(e) => useMpr.setState({ radius: Math.max(inMm ? 0.5 : 1, Math.min(100, Number(e.target.value) || 1)) })}
      />
      <span data-testid="mpr-radius-unit">{inMm ? 'mm' : 'voxels'}</span>
      {perAxis && (
        <span className="hint" data-testid="mpr-radius-voxels" title="The radius in voxels along x, y and the slice axis">
          {' '}= {perAxis.map(mm).join(' × ')} vox
        </span>
      )}
    </label>
  );
}

/** The scan the three views last showed (their undo history belongs to it). */
let shownScan: string | null = null;

export function MprView() {
  const scan = useScans((s) => s.scan);
  const activeId = useScans((s) => s.activeId);
  const { tool, radius, undoDepth, redoDepth, activePlane, saved, large, job } = useMpr();
  useMpr((s) => s.edited);
  const info = useVolumeRun((s) => s.info);
  const g = scan ? openGeometry() : null;
  useEffect(() => {
    // another scan: start again on it (or leave the three views when it is not a volume)
    if (shownScan === activeId) return;
    shownScan = activeId;
    resetHistory();
    if (useMpr.getState().on) setMpr(!!openGeometry());
  }, [activeId, scan]);
  useEffect(() => {
    const flush = keepUnsavedVolumeEdits;
    const hidden = () => document.visibilityState === 'hidden' && flush();
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      void flushVolumeEdits();
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', hidden);
    };
  }, []);
  if (!scan || !g) return null;
  const range = fillRange(activePlane);
  const onKey = (e: React.KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    const k = e.key.toLowerCase();
    if (mod && k === 'z') (e.shiftKey ? redo3d : undo3d)();
    else if (mod && k === 'y') redo3d();
    else if (!mod && (e.key === 'ArrowUp' || e.key === 'PageUp')) stepSlice(activePlane, -1);
    else if (!mod && (e.key === 'ArrowDown' || e.key === 'PageDown')) stepSlice(activePlane, 1);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div className="mpr" data-testid="mpr" tabIndex={0} onKeyDown={onKey} data-large={large ?? ''}>
      <div className="mpr-toolbar" role="toolbar" aria-label="Three views">
        {TOOLS.map((tl) => (
          <button
            key={tl.id} type="button" data-testid={`mpr-tool-${tl.id}`} aria-pressed={tool === tl.id} title={tl.title}
            className={tool === tl.id ? 'active' : undefined} onClick={() => useMpr.setState({ tool: tl.id })}
          >
            {tl.label}
          </button>
        ))}
        <BrushRadius radius={radius} />
        <button type="button" data-testid="mpr-undo" disabled={!undoDepth || !!job} onClick={undo3d} title="Undo (Ctrl+Z): one step, whatever slices it spans">
          Undo
        </button>
        <button type="button" data-testid="mpr-redo" disabled={!redoDepth || !!job} onClick={redo3d} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button
          type="button" data-testid="mpr-fill-between" disabled={!range || !!job}
          onClick={() => range && void fillBetween(activePlane, range[0], range[1])}
          title={range ? `Interpolate the ${activePlane} slices between ${range[0] + 1} and ${range[1] + 1} from those two` : 'Correct two slices of a view (at least one slice apart), then fill the slices between them'}
        >
          {range ? `Fill between ${activePlane} slices ${range[0] + 1}–${range[1] + 1}` : 'Fill between slices'}
        </button>
        {job && (
          <span className="mpr-job" data-testid="mpr-job" role="status">
            <progress max={1} value={job.fraction} />
            <span data-testid="mpr-job-text">{job.label}… {Math.round(job.fraction * 100)} %</span>
            <button type="button" data-testid="mpr-job-cancel" onClick={cancelJob} title="Stop: the 3-D mask stays as it was">
              Cancel
            </button>
          </span>
        )}
        <span className="hint" data-testid="mpr-mask-state">
          {info ? `3-D mask “${info.prompt}”${info.provenance === 'corrected' ? ' · corrected' : ''}` : 'No 3-D mask yet: drawing starts one'}
          {saved === 'pending' || saved === 'saving' ? ' · saving…' : saved === 'failed' ? ' · not saved' : ''}
        </span>
        <button type="button" data-testid="mpr-off" onClick={() => setMpr(false)} title="Back to the single view">
          Single view
        </button>
      </div>
      <div className={`mpr-grid${large ? ' one' : ''}`}>
        {PLANES.map((p) => (
          <Pane key={p} plane={p} g={g} />
        ))}
      </div>
    </div>
  );
}

declare global {
  interface Window {
    /** Read-out for e2e specs and benchmarks: MPR state, where a voxel is on screen, redraw timings. */
    __vlsmMpr?: {
      state(): { on: boolean; large: Plane | null; point: Voxel | null; tool: MprTool; undoDepth: number; redoDepth: number; edited: Record<Plane, number[]>; saved: string; job: { label: string; fraction: number } | null; voxels: number | null; provenance: string | null; dims: Voxel | null; planes: Record<Plane, { u: number; v: number; n: number; slices: number }> | null };
      /** Client (page) coordinates of the centre of a voxel in a view, or null when the view is not shown. */
      screenOf(plane: Plane, voxel: Voxel): { x: number; y: number } | null;
      timings(): { plane: Plane; ms: number; resliced: boolean }[];
      /** What each view last drew over its image: set voxels of the mask and of the reference on its slice. */
      drawn(): Partial<Record<Plane, { mask: number; reference: number; slice: number; running: boolean }>>;
      /** The last mask redraws of the views (whether an all-slices run was going on, voxels drawn). */
      maskRedraws(): { plane: Plane; running: boolean; voxels: number }[];
      /** Count of set voxels on a view's slice through the crosshair. */
      sliceVoxels(plane: Plane, slice: number): number;
    };
  }
}

export function installMprTestHook(): void {
  window.__vlsmMpr = {
    state: () => {
      const s = useMpr.getState();
      const m = currentVolumeMask();
      const g = openGeometry();
      let voxels: number | null = null;
      if (m) {
        voxels = 0;
        for (let i = 0; i < m.data.length; i++) if (m.data[i]) voxels++;
      }
      const planes = g ? (Object.fromEntries(PLANES.map((p) => [p, { u: g.planes[p].u, v: g.planes[p].v, n: g.planes[p].n, slices: g.planes[p].slices }])) as Record<Plane, { u: number; v: number; n: number; slices: number }>) : null;
      return {
        on: s.on, large: s.large, point: s.point, tool: s.tool, undoDepth: s.undoDepth, redoDepth: s.redoDepth, edited: s.edited,
        saved: s.saved, job: s.job, voxels, provenance: m?.provenance ?? null, dims: g?.dims ?? null, planes,
      };
    },
    screenOf: (plane, voxel) => {
      const g = openGeometry();
      const pane = panes.get(plane);
      if (!g || !pane || !pane.el.isConnected || pane.el.offsetParent === null) return null;
      const p = toPlane(g.planes[plane], voxel);
      const s = imageToScreen(pane.t(), { x: p.x + 0.5, y: p.y + 0.5 });
      const r = pane.el.getBoundingClientRect();
      return { x: r.left + s.x, y: r.top + s.y };
    },
    timings: () => timings.slice(),
    drawn: () => Object.fromEntries(drawn),
    maskRedraws: () => maskRedraws.slice(),
    sliceVoxels: (plane, slice) => {
      const g = openGeometry();
      const m = currentVolumeMask();
      if (!g || !m) return 0;
      const pg = g.planes[plane];
      let n = 0;
      for (let y = 0; y < pg.height; y++) for (let x = 0; x < pg.width; x++) if (m.data[slice * pg.sn + y * pg.sv + x * pg.su]) n++;
      return n;
    },
  };
}
