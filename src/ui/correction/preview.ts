// Lasso outline preview, drawn as a thin polyline into its own layer canvas while dragging.
import type { Point } from '../../mask/types';
import { useLayers } from '../../state/layers';
import { useScans } from '../../state/scans';
import { dropLayerCanvas, layerCanvas } from '../results/layers';

const ID = 'lasso-preview';

export function drawLassoPreview(points: readonly Point[]): void {
  const scan = useScans.getState().scan;
  if (!scan || points.length === 0) {
    dropLayerCanvas(ID);
    return;
  }
  const canvas = layerCanvas(ID, scan.width, scan.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = '#fadb14';
  ctx.lineWidth = Math.max(1, Math.min(scan.width, scan.height) / 400);
  ctx.beginPath();
  points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
  ctx.closePath();
  ctx.stroke();
  const layers = useLayers.getState();
  const l = layers.layers.find((x) => x.id === ID);
  if (l) layers.touch(ID);
  else layers.upsert({ id: ID, canvas, visible: true, opacity: 1, version: 1, z: 20 });
}
