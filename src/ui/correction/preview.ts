// Lasso outline preview, drawn as a thin polyline into its own layer canvas while dragging.
import type { Point } from '../../mask/types';
import { useLayers } from '../../state/layers';
import { useScans } from '../../state/scans';
import { dropLayerCanvas, layerCanvas } from '../results/layers';

const ID = 'lasso-preview';
/** Area drawn last time, so only that is cleared (the canvas is scan-sized). */
let drawn: { x0: number; y0: number; x1: number; y1: number } | null = null;

export function drawLassoPreview(points: readonly Point[]): void {
  const scan = useScans.getState().scan;
  if (!scan || points.length === 0) {
    dropLayerCanvas(ID);
    drawn = null;
    return;
  }
  const canvas = layerCanvas(ID, scan.width, scan.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const lw = Math.max(1, Math.min(scan.width, scan.height) / 400);
  if (drawn) ctx.clearRect(drawn.x0, drawn.y0, drawn.x1 - drawn.x0, drawn.y1 - drawn.y0);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const pad = lw + 2;
  drawn = { x0: Math.min(...xs) - pad, y0: Math.min(...ys) - pad, x1: Math.max(...xs) + pad, y1: Math.max(...ys) + pad };
  ctx.strokeStyle = '#fadb14';
  ctx.lineWidth = lw;
  ctx.beginPath();
  points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
  ctx.closePath();
  ctx.stroke();
  const layers = useLayers.getState();
  const l = layers.layers.find((x) => x.id === ID);
  if (l) layers.touch(ID);
  else layers.upsert({ id: ID, canvas, visible: true, opacity: 1, version: 1, z: 20 });
}
