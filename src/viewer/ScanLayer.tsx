// The scan drawn as one Konva image backed by an offscreen canvas. The canvas is refilled only when the
// scan, frame or window changes; zoom and pan are stage transforms and never touch the pixels.
import type Konva from 'konva';
import { useEffect, useMemo, useRef } from 'react';
import { Image as KonvaImage } from 'react-konva';
import { windowLevelToRGBA } from '../scan';
import type { Scan, WindowLevel } from '../scan/types';

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
  const invertRef = useRef(invert);
  invertRef.current = invert;
  const paint = (f: number, w: WindowLevel) => {
    const rgba = windowLevelToRGBA(scan, Math.min(f, scan.frames - 1), w, buffer);
    if (invertRef.current) for (let i = 0; i < rgba.length; i += 4) {
      rgba[i] = 255 - rgba[i];
      rgba[i + 1] = 255 - rgba[i + 1];
      rgba[i + 2] = 255 - rgba[i + 2];
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, scan.width, scan.height), 0, 0);
    node.current?.getLayer()?.batchDraw();
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

  return <KonvaImage ref={node} image={canvas} width={scan.width} height={scan.height} listening={false} />;
}
