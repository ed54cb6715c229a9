// Accepted corrections of the open scan frame, newest first. Versions are never overwritten; any of
// them can be loaded back into the editor (as one undoable step).
import { useEffect, useState } from 'react';
import { countForeground } from '../../mask/types';
import { getDb } from '../../storage';
import { listCorrections, maskFromBytes } from '../../storage/runs';
import { useScans } from '../../state/scans';
import { useToolSettings } from '../../state/tool';
import { useView } from '../../state/view';
import { startCorrectionFrom } from './correction';

interface VersionView {
  version: number;
  createdAt: number;
  data: Uint8Array;
  pixels: number;
}

export function VersionsPanel() {
  const scanId = useScans((s) => s.activeId);
  const scan = useScans((s) => s.scan);
  const frame = useView((s) => s.frame);
  const tick = useToolSettings((s) => s.versionsTick);
  const [versions, setVersions] = useState<VersionView[]>([]);
  useEffect(() => {
    let live = true;
    if (!scanId || !scan) {
      setVersions([]);
      return;
    }
    listCorrections(getDb(), scanId, frame)
      .then((rows) => {
        if (!live) return;
        const views = rows
          .filter((r) => !(r.data instanceof Blob))
          .map((r) => {
            const m = maskFromBytes(r.data as Uint8Array | ArrayBuffer, scan.width, scan.height);
            return { version: r.version, createdAt: r.createdAt, data: m.data, pixels: countForeground(m.data) };
          });
        setVersions(views.reverse());
      })
      .catch(() => live && setVersions([]));
    return () => {
      live = false;
    };
  }, [scanId, scan, frame, tick]);
  if (versions.length === 0) return <p className="hint">Accept a correction to keep it as a version.</p>;
  return (
    <ul className="run-items" data-testid="versions-list">
      {versions.map((v) => (
        <li key={v.version} className="run-item" data-testid="version-item" data-version={v.version}>
          <div className="run-head">
            <span className="run-prompt">
              v{v.version} · {new Date(v.createdAt).toLocaleTimeString()} · {v.pixels} px
            </span>
            <button type="button" onClick={() => startCorrectionFrom(v.data, `v${v.version}`)} data-testid="version-load" title="Load this version into the editor">
              Load
            </button>
          </div>
        </li>
      ))}
    </ul>
  );
}
