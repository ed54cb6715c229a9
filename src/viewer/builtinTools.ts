// Built-in viewer tools: pan (hand) and window/level. Both are ordinary tools on the tool host, so
// the drawing tools added later (src/tools) work the same way.
import type { Tool } from '../state/tools';
import { useScans } from '../state/scans';
import { useView } from '../state/view';
import { panBy } from './coords';
import { dragWindow } from './windowing';

function dragTool(id: string, label: string, key: string, cursor: string, onDrag: (dx: number, dy: number, start: Start) => void): Tool {
  let start: Start | null = null;
  return {
    id, label, key, cursor,
    onPointerDown: (pt) => {
      const v = useView.getState();
      start = { x: pt.screenX, y: pt.screenY, transform: v.transform, window: v.window };
    },
    onPointerMove: (pt) => {
      if (start && pt.buttons) onDrag(pt.screenX - start.x, pt.screenY - start.y, start);
    },
    onPointerUp: () => {
      start = null;
    },
    onPointerCancel: () => {
      start = null;
    },
  };
}

interface Start {
  x: number;
  y: number;
  transform: ReturnType<typeof useView.getState>['transform'];
  window: ReturnType<typeof useView.getState>['window'];
}

export const panTool: Tool = dragTool('pan', 'Pan', 'h', 'grab', (dx, dy, s) => useView.getState().setTransform(panBy(s.transform, dx, dy)));

export const windowTool: Tool = dragTool('window', 'Window/level', 'w', 'ns-resize', (dx, dy, s) => {
  const scan = useScans.getState().scan;
  if (scan) useView.getState().setWindow(dragWindow(s.window, dx, dy, scan.range), 'custom');
});

export const BUILTIN_TOOLS: readonly Tool[] = [panTool, windowTool];
