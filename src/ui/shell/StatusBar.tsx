// Bottom status bar: pixel position and value, window/level, slice, zoom, busy state, storage used;
// slot items (model, backend, timings) are passed as children.
import { useEffect, useState, type ReactNode } from 'react';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { formatWindow } from '../../viewer/windowing';
import { useStorageUsage } from './useStorageUsage';

/**
 * The cursor read-out holds still while a pointer button is pressed (painting, dragging) and catches up on
 * release: a stroke then changes nothing in the page's DOM. Every DOM change costs a commit of the layer
 * tree, and while a model loads and runs its first time the renderer's thread pool is busy compiling the
 * runtime's WebAssembly, so commits wait for it (hundreds of ms; npm run bench:paint).
 */
function useSettledCursor() {
  const [cursor, setCursor] = useState(() => useView.getState().cursor);
  useEffect(() => {
    let pressed = false;
    const down = () => {
      pressed = true;
    };
    const up = () => {
      pressed = false;
      setCursor(useView.getState().cursor);
    };
    const off = useView.subscribe((s, prev) => {
      if (s.cursor !== prev.cursor && !pressed) setCursor(s.cursor);
    });
    window.addEventListener('pointerdown', down, true);
    window.addEventListener('pointerup', up, true);
    window.addEventListener('pointercancel', up, true);
    return () => {
      off();
      window.removeEventListener('pointerdown', down, true);
      window.removeEventListener('pointerup', up, true);
      window.removeEventListener('pointercancel', up, true);
    };
  }, []);
  return cursor;
}

export function StatusBar({ children }: { children?: ReactNode }) {
  const scan = useScans((s) => s.scan);
  const busy = useScans((s) => s.busy);
  const saved = useScans((s) => s.activeId !== null);
  const cancelBusy = useScans((s) => s.cancelBusy);
  const cursor = useSettledCursor();
  const window = useView((s) => s.window);
  const frame = useView((s) => s.frame);
  const scale = useView((s) => s.transform.scale);
  const invert = useView((s) => s.invert);
  const storage = useStorageUsage();
  return (
    <footer className="statusbar" data-testid="statusbar">
      {busy && (
        <span className="status-item busy" data-testid="status-busy">
          {busy}
          {cancelBusy && (
            <button type="button" className="link" onClick={cancelBusy} data-testid="busy-cancel">
              Cancel
            </button>
          )}
        </span>
      )}
      {scan && (
        <>
          {!saved && !busy && (
            <span className="status-item unsaved" data-testid="status-unsaved" title="This scan is open but not stored in the browser: it is gone after a reload. Free some storage (delete scans you no longer need) and open it again to keep it.">
              Not saved
            </span>
          )}
          <span className="status-item mono" data-testid="status-pixel">
            {cursor ? `x ${cursor.x}  y ${cursor.y}  = ${cursor.value}` : 'x –  y –'}
          </span>
          <span className="status-item mono" data-testid="status-window">{formatWindow(window)}</span>
          <span className="status-item mono" data-testid="status-slice">
            Slice {Math.min(frame, scan.frames - 1) + 1} / {scan.frames}
          </span>
          <span className="status-item mono" data-testid="status-zoom" title="Zoom: screen pixels per scan pixel (0 or F fits, r resets)">{Math.round(scale * 100)} %</span>
          {invert && (
            <span className="status-item" data-testid="status-invert" title="The scan is shown inverted (display only); press i to undo">
              Inverted
            </span>
          )}
        </>
      )}
      {children}
      <span className="spacer" />
      <span className="status-item" data-testid="status-storage" title={storage.title}>
        {storage.text}
      </span>
    </footer>
  );
}
