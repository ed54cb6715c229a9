// Brush ring: a circle of the brush's real size around the pixel under the pointer (in mm on a scan with
// pixel spacing: an ellipse in pixels when the pixels are not square), one screen pixel wide at any zoom
// (no browser cursor-size cap). Drawn on the viewer's live canvas (not as
// Konva nodes), so moving the pointer while painting never makes the page commit a new layer tree.
import { useEffect } from 'react';
import { useScans } from '../../state/scans';
import { useToolSettings } from '../../state/tool';
import { useView } from '../../state/view';
import { registerLivePainter, requestLiveDraw } from '../../viewer/liveCanvas';

/** Millimetres per pixel (column, row) of the open scan when it records its spacing: the brush size is
 *  then in mm; null on plain images (the brush size is in pixels). */
export function brushPixelSize(): { x: number; y: number } | null {
  const scan = useScans.getState().scan;
  return scan?.spacingKnown && scan.spacing[0] > 0 && scan.spacing[1] > 0 ? { x: scan.spacing[0], y: scan.spacing[1] } : null;
}

export function BrushOverlay(_props: { scale: number }) {
  useEffect(() => {
    const off = registerLivePainter((ctx, t) => {
      const cursor = useView.getState().cursor;
      if (!cursor) return;
      const s = Math.max(t.scale, 1e-6);
      const r = Math.max(0.5, useToolSettings.getState().brushSize / 2);
      const ring = (colour: string, width: number, alpha: number) => {
        ctx.globalAlpha = alpha;
        ctx.strokeStyle = colour;
        ctx.lineWidth = width / s;
        ctx.beginPath();
        const px = brushPixelSize() ?? { x: 1, y: 1 };
        ctx.ellipse(cursor.x + 0.5, cursor.y + 0.5, r / px.x, r / px.y, 0, 0, 2 * Math.PI);
        ctx.stroke();
      };
      ring('#000', 3, 0.5);
      ring('#fff', 1.2, 1);
    });
    const offView = useView.subscribe((st, prev) => {
      if (st.cursor !== prev.cursor) requestLiveDraw();
    });
    const offSize = useToolSettings.subscribe((st, prev) => {
      if (st.brushSize !== prev.brushSize) requestLiveDraw();
    });
    return () => {
      off();
      offView();
      offSize();
    };
  }, []);
  return null;
}
