// Bottom status bar: pixel position and value, window/level, slice, zoom, busy state, storage used;
// slot items (model, backend, timings) are passed as children.
import type { ReactNode } from 'react';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { formatWindow } from '../../viewer/windowing';
import { useStorageUsage } from './useStorageUsage';

export function StatusBar({ children }: { children?: ReactNode }) {
  const scan = useScans((s) => s.scan);
  const busy = useScans((s) => s.busy);
  const cancelBusy = useScans((s) => s.cancelBusy);
  const cursor = useView((s) => s.cursor);
  const window = useView((s) => s.window);
  const frame = useView((s) => s.frame);
  const scale = useView((s) => s.transform.scale);
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
          <span className="status-item mono" data-testid="status-pixel">
            {cursor ? `x ${cursor.x}  y ${cursor.y}  = ${cursor.value}` : 'x –  y –'}
          </span>
          <span className="status-item mono" data-testid="status-window">{formatWindow(window)}</span>
          <span className="status-item mono" data-testid="status-slice">
            Slice {Math.min(frame, scan.frames - 1) + 1} / {scan.frames}
          </span>
          <span className="status-item mono" data-testid="status-zoom">{Math.round(scale * 100)} %</span>
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
