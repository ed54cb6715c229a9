// One row of the scan list: thumbnail, name, size; inline rename and a two-step delete.
import { useState } from 'react';
import type { ScanSummary } from '../../state/scans';

interface Props {
  scan: ScanSummary;
  active: boolean;
  onOpen(id: string): void;
  onRename(id: string, name: string): void;
  onDelete(id: string): void;
}

export function ScanItem({ scan, active, onOpen, onRename, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [draft, setDraft] = useState(scan.name);
  const commit = () => {
    setEditing(false);
    if (draft.trim() && draft.trim() !== scan.name) onRename(scan.id, draft);
  };
  return (
    <li className={active ? 'scan-item active' : 'scan-item'} data-testid="scan-item" data-scan-id={scan.id} data-active={active}>
      <button type="button" className="scan-open" onClick={() => onOpen(scan.id)} data-testid="scan-open" title={`Open ${scan.name}`}>
        {scan.thumbnail ? <img src={scan.thumbnail} alt="" className="thumb" /> : <div className="thumb placeholder" />}
      </button>
      <div className="scan-meta">
        {editing ? (
          <input
            autoFocus
            value={draft}
            aria-label="Scan name"
            data-testid="scan-rename-input"
            onChange={(e) => setDraft(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit();
              if (e.key === 'Escape') {
                setDraft(scan.name);
                setEditing(false);
              }
            }}
          />
        ) : (
          <span className="scan-name" data-testid="scan-name" title={scan.name} onDoubleClick={() => (setDraft(scan.name), setEditing(true))}>
            {scan.name}
          </span>
        )}
        <span className="scan-dims">
          {scan.format.toUpperCase()} · {scan.width}×{scan.height}
          {scan.frames > 1 ? ` · ${scan.frames} fr` : ''}
        </span>
        {confirming ? (
          <span className="confirm" data-testid="scan-delete-confirm">
            Delete this scan?
            <button type="button" className="danger" onClick={() => onDelete(scan.id)} data-testid="scan-delete-yes">
              Delete
            </button>
            <button type="button" onClick={() => setConfirming(false)} data-testid="scan-delete-no">
              Keep
            </button>
          </span>
        ) : (
          <span className="row-actions">
            <button type="button" className="link" onClick={() => (setDraft(scan.name), setEditing(true))} data-testid="scan-rename">
              Rename
            </button>
            <button type="button" className="link" onClick={() => setConfirming(true)} data-testid="scan-delete">
              Delete
            </button>
          </span>
        )}
      </div>
    </li>
  );
}
