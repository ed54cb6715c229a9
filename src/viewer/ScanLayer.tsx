// The scan drawn as one Konva image backed by an offscreen canvas. The canvas is refilled only when the
// scan, frame or window changes; zoom and pan are stage transforms and never touch the pixels.
import type Konva from 'konva';
import { useEffect, useMemo, useRef } from 'react';
import { Image as KonvaImage } from 'react-konva';
import { windowLevelToRGBA } from '../scan';
import type { Scan, WindowLevel } from '../scan/types';

/** Most pixels windowed and put on the canvas in one task. */
const STRIP_PIXELS = 1 << 20;

interface Props {
  scan: Scan;
  frame: number;
  window: WindowLevel;
  /** Shown as a negative (display only). */
  invert?: boolean;
}

export function ScanLayer({ scan, frame, window, invert = false }: Props) {
  const canvas = useMemo(() => {
    const c = document.createElement('canvas');
    c.width = scan.width;
    c.height = scan.height;
    return c;
  }, [scan]);
  const buffer = useMemo(() => new Uint8ClampedArray(scan.width * scan.height * 4), [scan]);
  const node = useRef<Konva.Image>(null);

  const pending = useRef(0);
  const strips = useRef(0);
  const invertRef = useRef(invert);
  invertRef.current = invert;
  // Rows [y0, y1) of frame f, windowed into the buffer and put on the canvas.
  const paintRows = (f: number, w: WindowLevel, y0: number, y1: number) => {
    const row = scan.width * scan.channels;
    const frame = Math.min(f, scan.frames - 1);
    const start = frame * scan.height * row + y0 * row;
    const part = { ...scan, height: y1 - y0, frames: 1, data: scan.data.subarray(start, start + (y1 - y0) * row) };
    const rgba = windowLevelToRGBA(part, 0, w, buffer.subarray(y0 * scan.width * 4, y1 * scan.width * 4));
    if (invertRef.current) for (let i = 0; i < rgba.length; i += 4) {
      rgba[i] = 255 - rgba[i];
      rgba[i + 1] = 255 - rgba[i + 1];
      rgba[i + 2] = 255 - rgba[i + 2];
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, scan.width, y1 - y0), 0, y0);
  };
  // A frame up to STRIP_PIXELS is painted at once; a larger one (a 4096² radiograph, an 8000² photo)
  // in strips of rows, one per task, so the main thread is never held for the whole image (an 8000²
  // frame took 1.8 s in one task on the loaded machine; npm run bench:longtasks). A newer paint cancels
  // the strips still to come.
  const paint = (f: number, w: WindowLevel) => {
    clearTimeout(strips.current);
    const rows = Math.max(1, Math.floor(STRIP_PIXELS / scan.width));
    const step = (y0: number) => {
      const y1 = Math.min(scan.height, y0 + rows);
      paintRows(f, w, y0, y1);
      node.current?.getLayer()?.batchDraw();
      if (y1 < scan.height) strips.current = globalThis.setTimeout(() => step(y1), 0) as unknown as number;
    };
    step(0);
  };
  const paintRef = useRef(paint);
  paintRef.current = paint;

  // A new scan paints at once; frame/window changes (drags, key repeat) are coalesced to one per frame.
  useEffect(() => {
    paintRef.current(frame, window);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scan]);
  useEffect(() => {
    cancelAnimationFrame(pending.current);
    pending.current = requestAnimationFrame(() => paintRef.current(frame, window));
    return () => cancelAnimationFrame(pending.current);
  }, [frame, window, invert]);
  useEffect(() => () => clearTimeout(strips.current), [scan]);

  return <KonvaImage ref={node} image={canvas} width={scan.width} height={scan.height} listening={false} />;
}
