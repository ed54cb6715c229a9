// Lasso/polygon outline preview as a react-konva line in the viewer's tool overlay (image coordinates,
// one screen pixel wide), so drawing an outline never touches a scan-sized canvas.
import { useSyncExternalStore } from 'react';
import { Line } from 'react-konva';
import type { Point } from '../../mask/types';

let points: readonly Point[] = [];
const listeners = new Set<() => void>();

export function setLassoPreview(next: readonly Point[]): void {
  points = next.length === 0 ? [] : next.slice();
  listeners.forEach((fn) => fn());
}

export const lassoPreview = (): readonly Point[] => points;

const subscribe = (fn: () => void): (() => void) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};

export function LassoOverlay({ scale }: { scale: number }) {
  const pts = useSyncExternalStore(subscribe, lassoPreview);
  if (pts.length < 2) return null;
  const s = Math.max(scale, 1e-6);
  return (
    <>
      <Line points={pts.flatMap((p) => [p.x, p.y])} closed stroke="#000" strokeWidth={3 / s} opacity={0.5} listening={false} />
      <Line points={pts.flatMap((p) => [p.x, p.y])} closed stroke="#fadb14" strokeWidth={1.5 / s} dash={[6 / s, 4 / s]} listening={false} />
    </>
  );
}
