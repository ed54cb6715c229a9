// The canvas: a react-konva stage whose transform is the view transform. Layers, bottom to top: scan,
// static mask layers (state/layers; sharing Konva layers), the active tool's overlay; above the stage the
// live canvas (LiveCanvas.tsx): mask layers being painted and tool painters such as the brush ring.
// Gestures are handled on the wrapping element.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Layer, Stage } from 'react-konva';
import { useScans } from '../state/scans';
import { useTools } from '../state/tools';
import { useView, type ViewTransform } from '../state/view';
import { frameOrientation, geometryNote } from '../scan/volume/orientation';
import { fitTransform, konvaTransform } from './coords';
import { FrameSlider } from './FrameSlider';
import { LiveCanvas } from './LiveCanvas';
import { MaskLayers } from './MaskLayers';
import { ScanLayer } from './ScanLayer';
import { useGestures } from './useGestures';

export function Viewer({ empty }: { empty?: ReactNode }) {
  const scan = useScans((s) => s.scan);
  const transform = useView((s) => s.transform);
  const frame = useView((s) => s.frame);
  const window = useView((s) => s.window);
  const invert = useView((s) => s.invert);
  const fitRequest = useView((s) => s.fitRequest);
  const box = useView((s) => s.viewport);
  const tool = useTools((s) => s.tools.find((t) => t.id === s.activeId));
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  const [space, setSpace] = useState(false);
  useGestures(el, useCallback((held: boolean) => setSpace(held), []));
  // volumes are shown in radiological orientation, with voxel aspect (scan/volume/orientation.ts)
  const orient = useMemo(() => (scan ? frameOrientation(scan) : null), [scan]);
  const note = useMemo(() => (scan ? geometryNote(scan) : null), [scan]);

  useEffect(() => {
    if (!el) return;
    // The new size is applied in a task of its own, not in the rendering step that observed it: a volume's
    // frame slider appearing resizes the viewer right after the commit that opened the scan, and the
    // re-render, the stage's and live canvases' resize and the repaint it starts would otherwise be added to
    // that frame's layout and paint as one long task.
    let timer = 0;
    let size: { width: number; height: number } | null = null;
    const ro = new ResizeObserver(([entry]) => {
      size = entry.contentRect;
      clearTimeout(timer);
      timer = globalThis.setTimeout(() => {
        if (size) useView.getState().setViewport(Math.floor(size.width), Math.floor(size.height));
      }, 0) as unknown as number;
    });
    ro.observe(el);
    return () => {
      clearTimeout(timer);
      ro.disconnect();
    };
  }, [el]);

  const hasBox = box.w > 0 && box.h > 0;
  // The last fitted transform and the box it was fitted to: while the user has not zoomed or panned since,
  // a resize (window, side panels) refits; otherwise the view keeps its centre where it was.
  const fitted = useRef<{ t: ViewTransform; w: number; h: number } | null>(null);
  const fitFor = (w: number, h: number): ViewTransform =>
    orient ? fitTransform(orient.w, orient.h, w, h, 16, orient.m) : fitTransform(scan?.width ?? 1, scan?.height ?? 1, w, h);
  useEffect(() => {
    if (scan && hasBox) {
      const { viewport } = useView.getState();
      const t = fitFor(viewport.w, viewport.h);
      fitted.current = { t, w: viewport.w, h: viewport.h };
      useView.getState().setTransform(t);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scan, orient, fitRequest, hasBox]);
  useEffect(() => {
    const f = fitted.current;
    if (!scan || !hasBox || !f || (f.w === box.w && f.h === box.h)) return;
    const cur = useView.getState().transform;
    if (cur.scale === f.t.scale && cur.x === f.t.x && cur.y === f.t.y) {
      const t = fitFor(box.w, box.h);
      fitted.current = { t, w: box.w, h: box.h };
      useView.getState().setTransform(t);
    } else {
      // zoomed or panned by the user: keep what was at the centre at the centre
      useView.getState().setTransform({ ...cur, x: cur.x + (box.w - f.w) / 2, y: cur.y + (box.h - f.h) / 2 });
      fitted.current = { ...f, w: box.w, h: box.h, t: { scale: NaN, x: NaN, y: NaN } };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [box.w, box.h, scan, hasBox]);
  const stage = konvaTransform(transform);

  const cursor = space ? 'grab' : (tool?.cursor ?? 'default');
  const Overlay = tool?.Overlay;
  return (
    <div className="viewer-wrap">
      <div ref={setEl} className="viewer" data-testid="viewer" tabIndex={0} style={{ cursor }}>
        {hasBox && (
          <Stage width={box.w} height={box.h} {...stage} listening={false}>
            <Layer imageSmoothingEnabled={transform.scale < 1} listening={false}>
              {scan && <ScanLayer scan={scan} frame={frame} window={window} invert={invert} transform={transform} viewport={box} />}
            </Layer>
            {scan && <MaskLayers width={scan.width} height={scan.height} />}
            <Layer listening={false}>{scan && Overlay && <Overlay scale={transform.scale} />}</Layer>
          </Stage>
        )}
        {hasBox && scan && <LiveCanvas width={box.w} height={box.h} imageWidth={scan.width} imageHeight={scan.height} />}
        {scan && orient && (
          <div className="orient-markers" aria-label="Patient orientation" data-testid="orient-markers" data-plane={orient.plane}>
            <span className="orient left" data-testid="orient-left">{orient.labels.left}</span>
            <span className="orient right" data-testid="orient-right">{orient.labels.right}</span>
            <span className="orient top" data-testid="orient-top">{orient.labels.top}</span>
            <span className="orient bottom" data-testid="orient-bottom">{orient.labels.bottom}</span>
          </div>
        )}
        {scan && note && (
          <div className="geometry-note" data-testid="geometry-note" role="note">
            {note}
          </div>
        )}
        {!scan && <div className="viewer-empty">{empty}</div>}
      </div>
      <FrameSlider />
    </div>
  );
}
