// Brush ring in the viewer's tool overlay: a circle of the brush's real size (image pixels) around the
// pixel under the pointer, one screen pixel wide at any zoom (no browser cursor-size cap).
import { Circle } from 'react-konva';
import { useToolSettings } from '../../state/tool';
import { useView } from '../../state/view';

export function BrushOverlay({ scale }: { scale: number }) {
  const cursor = useView((s) => s.cursor);
  const size = useToolSettings((s) => s.brushSize);
  if (!cursor) return null;
  const s = Math.max(scale, 1e-6);
  const r = Math.max(0.5, size / 2);
  const at = { x: cursor.x + 0.5, y: cursor.y + 0.5 };
  return (
    <>
      <Circle {...at} radius={r} stroke="#000" strokeWidth={3 / s} opacity={0.5} listening={false} />
      <Circle {...at} radius={r} stroke="#fff" strokeWidth={1.2 / s} listening={false} />
    </>
  );
}
