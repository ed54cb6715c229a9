// The scan drawn as one Konva image backed by a canvas about the size of the screen (scanDisplay.ts): the
// part of the frame in view, padded, sampled to the screen's density, windowed. It is repainted when the
// scan, frame, window or inversion changes, or when a zoom or pan leaves the painted region or changes its
// density; other zooms and pans are stage transforms that never touch the pixels. A paint runs in slices
// of rows, one per task (the first one too: never inside the animation frame or commit that asked for it),
// into a spare canvas that replaces the shown one when it is complete, so the main
// thread is never held for long and the screen never shows half a paint.
import type Konva from 'konva';
import { useEffect, useRef } from 'react';
import { Image as KonvaImage } from 'react-konva';
import { windowLevelToRGBA } from '../scan';
import type { Scan, WindowLevel } from '../scan/types';
import type { ViewTransform } from '../state/view';
import { covers, displayRegion, regionSize, sampleRows, type DisplayRegion } from './scanDisplay';

/**
 * Most bitmap pixels sampled, windowed and put on the canvas in one task: 128 K pixels are about 10 ms on
 * an idle core (an int16 CT slice), so a slice stays under the 50 ms of a long task on a loaded machine.
 */
const SLICE_PIXELS = 1 << 17;
/** Padding of a painted region on each side, as a share of the view. */
const PAD = 0.25;

interface Props {
  scan: Scan;
  frame: number;
  window: WindowLevel;
  /** Shown as a negative (display only). */
  invert?: boolean;
  transform: ViewTransform;
  viewport: { w: number; h: number };
}

/** What the scan layer shows now (for tests: the bitmap is screen-sized, not frame-sized). */
export interface ScanDisplayInfo {
  region: DisplayRegion;
  width: number;
  height: number;
  /** Paints completed since the scan was opened. */
  paints: number;
}
let shownInfo: ScanDisplayInfo | null = null;
export const scanDisplayInfo = (): ScanDisplayInfo | null => shownInfo && { ...shownInfo, region: { ...shownInfo.region } };

export function ScanLayer({ scan, frame, window, invert = false, transform, viewport }: Props) {
  const node = useRef<Konva.Image>(null);
  const canvases = useRef<HTMLCanvasElement[]>([]);
  const shown = useRef<{ region: DisplayRegion; canvas: HTMLCanvasElement } | null>(null);
  /** The region being painted (or shown, once done). */
  const target = useRef<DisplayRegion | null>(null);
  const timer = useRef(0);
  const pending = useRef(0);
  const job = useRef(0);
  const paints = useRef(0);
  const latest = useRef({ scan, frame, window, invert, transform, viewport });
  latest.current = { scan, frame, window, invert, transform, viewport };

  // Paints the view's region of the current frame; a newer paint cancels the slices still to come.
  const paint = () => {
    clearTimeout(timer.current);
    const id = ++job.current;
    const { scan: s, frame: f, window: w, invert: inv, transform: t, viewport: box } = latest.current;
    const region = displayRegion(t, box, s.width, s.height, globalThis.devicePixelRatio || 1, PAD);
    if (!region) return;
    target.current = region;
    const { width, height } = regionSize(region);
    // the spare canvas: not the one on screen
    const canvas = canvases.current.find((c) => c !== shown.current?.canvas) ?? document.createElement('canvas');
    if (!canvases.current.includes(canvas)) canvases.current.push(canvas);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const rows = Math.max(1, Math.floor(SLICE_PIXELS / width));
    const step = (y0: number) => {
      if (id !== job.current) return;
      const y1 = Math.min(height, y0 + rows);
      const part = sampleRows(s, f, region, y0, y1);
      const rgba = windowLevelToRGBA(part, 0, w);
      if (inv) for (let i = 0; i < rgba.length; i += 4) {
        rgba[i] = 255 - rgba[i];
        rgba[i + 1] = 255 - rgba[i + 1];
        rgba[i + 2] = 255 - rgba[i + 2];
      }
      ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, y1 - y0), 0, y0);
      if (y1 < height) {
        timer.current = globalThis.setTimeout(() => step(y1), 0) as unknown as number;
        return;
      }
      shown.current = { region, canvas };
      paints.current++;
      shownInfo = { region, width, height, paints: paints.current };
      const n = node.current;
      if (!n) return;
      n.setAttrs({ image: canvas, x: region.x0, y: region.y0, width: region.x1 - region.x0, height: region.y1 - region.y0 });
      n.getLayer()?.batchDraw();
    };
    // the first slice too runs in a task of its own: a paint requested from an animation frame would
    // otherwise add a slice to that frame's task, with the layout and commit of whatever changed the view
    timer.current = globalThis.setTimeout(() => step(0), 0) as unknown as number;
  };
  const paintRef = useRef(paint);
  paintRef.current = paint;
  const later = () => {
    cancelAnimationFrame(pending.current);
    pending.current = requestAnimationFrame(() => paintRef.current());
  };

  // A new scan paints in the next task (what was shown belongs to the old one; the commit that mounts the
  // scan is long enough already); frame/window changes (drags, key repeat) are coalesced to one paint per
  // animation frame.
  useEffect(() => {
    shown.current = null;
    target.current = null;
    paints.current = 0;
    node.current?.setAttrs({ image: undefined });
    clearTimeout(timer.current);
    timer.current = globalThis.setTimeout(() => paintRef.current(), 0) as unknown as number;
    const jobs = job;
    return () => {
      clearTimeout(timer.current);
      cancelAnimationFrame(pending.current);
      jobs.current++;
      shownInfo = null;
    };
  }, [scan]);
  useEffect(later, [frame, window, invert]);
  // a zoom or pan repaints only when the view leaves the painted region or needs another density
  useEffect(() => {
    const need = displayRegion(transform, viewport, scan.width, scan.height, globalThis.devicePixelRatio || 1);
    if (target.current && !covers(target.current, need)) later();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [transform, viewport]);

  return <KonvaImage ref={node} image={undefined} listening={false} />;
}
