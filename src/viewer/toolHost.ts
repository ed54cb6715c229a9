// Tool host: turns viewer pointer events into image-space events for the active tool (state/tools.ts) and
// for raw listeners registered with onImagePointer. Tools are small objects with an id:
//   { id, label, cursor, key?, onPointerDown/Move/Up/Cancel(pt, ctx), deactivate? }
// Register one with useTools.getState().register(tool) (returns an unregister function).
import { activeTool, emitImagePointer, type ImagePoint, type PointerKind, type ToolContext } from '../state/tools';
import { useScans } from '../state/scans';
import { useView } from '../state/view';
import { screenToImage, type Point } from './coords';

export type { ImagePoint, PointerKind, Tool, ToolContext } from '../state/tools';
export { onImagePointer, useTools } from '../state/tools';

export function toolContext(): ToolContext {
  const { scan, activeId } = useScans.getState();
  const { frame, transform } = useView.getState();
  const w = scan?.width ?? 0;
  const h = scan?.height ?? 0;
  return {
    scanId: activeId,
    imageWidth: w,
    imageHeight: h,
    frame,
    scale: transform.scale,
    inside: (p) => p.x >= 0 && p.y >= 0 && p.x < w && p.y < h,
  };
}

/** Image point for a pointer event at `screen` (relative to the stage's top-left corner). */
export function imagePoint(screen: Point, e: Pick<PointerEvent, 'buttons' | 'shiftKey' | 'altKey' | 'ctrlKey' | 'metaKey' | 'pressure'>): ImagePoint {
  const p = screenToImage(useView.getState().transform, screen);
  return {
    x: p.x, y: p.y, screenX: screen.x, screenY: screen.y, buttons: e.buttons,
    shiftKey: e.shiftKey, altKey: e.altKey, ctrlKey: e.ctrlKey || e.metaKey, pressure: e.pressure,
  };
}

/** Sends one pointer event to the active tool and to image-pointer listeners. */
export function dispatchToolPointer(kind: PointerKind, pt: ImagePoint): void {
  const tool = activeTool();
  const ctx = toolContext();
  if (tool) {
    if (kind === 'down') tool.onPointerDown?.(pt, ctx);
    else if (kind === 'move') tool.onPointerMove?.(pt, ctx);
    else if (kind === 'up') tool.onPointerUp?.(pt, ctx);
    else tool.onPointerCancel?.(pt, ctx);
  }
  emitImagePointer(kind, pt);
}
