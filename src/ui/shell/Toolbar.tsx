// Top toolbar: open, tools (from the tool registry), window/level presets, fit, help; then slot items.
import type { ReactNode } from 'react';
import { useScans } from '../../state/scans';
import { useTools } from '../../state/tools';
import { useView } from '../../state/view';
import { presetsFor, presetWindow } from '../../viewer/windowing';

interface Props {
  onOpen(): void;
  /** Opens a folder (a DICOM series) when given. */
  onOpenFolder?(): void;
  onHelp(): void;
  children?: ReactNode;
}

export function Toolbar({ onOpen, onOpenFolder, onHelp, children }: Props) {
  const tools = useTools((s) => s.tools);
  const activeId = useTools((s) => s.activeId);
  const activate = useTools((s) => s.activate);
  const scan = useScans((s) => s.scan);
  const preset = useView((s) => s.windowPreset);
  const presets = scan ? presetsFor(scan) : [];
  const choose = (id: string) => {
    const v = useView.getState();
    if (scan) v.setWindow(presetWindow(id, scan, v.frame), id);
  };
  return (
    <header className="toolbar" data-testid="toolbar">
      <div className="brand" title="VLSM Workbench">
        <span className="brand-mark" aria-hidden>◐</span> <span className="brand-text">VLSM Workbench</span>
      </div>
      <button type="button" className="primary" onClick={onOpen} data-testid="open-file" title="Open scan (O)">
        Open…
      </button>
      {onOpenFolder && (
        <button type="button" onClick={onOpenFolder} data-testid="open-folder" title="Open a folder, e.g. a DICOM series">
          Folder…
        </button>
      )}
      <div className="sep" />
      <div className="tool-group" role="radiogroup" aria-label="Tools">
        {tools.map((t) => (
          <button
            key={t.id}
            type="button"
            role="radio"
            aria-checked={t.id === activeId}
            className={t.id === activeId ? 'tool active' : 'tool'}
            onClick={() => activate(t.id)}
            title={t.key ? `${t.label} (${t.key.toUpperCase()})` : t.label}
            data-testid={`tool-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="sep" />
      <label className="field wl-field" title="Window/level (brightness and contrast) preset: d file, a automatic, 1-4 CT presets; right-drag on the scan to adjust">
        Window
        <select value={presets.some((p) => p.id === preset) ? preset : ''} onChange={(e) => choose(e.target.value)} disabled={!scan} data-testid="wl-preset">
          {!presets.some((p) => p.id === preset) && <option value="">Custom</option>}
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => useView.getState().requestFit()} disabled={!scan} title="Fit the scan to the view (0 or F; r also resets window and inversion)" data-testid="fit">
        Fit
      </button>
      {children}
      <div className="spacer" />
      <button type="button" className="icon" onClick={onHelp} title="Keyboard shortcuts (?)" data-testid="help-button" aria-label="Keyboard shortcuts">
        ?
      </button>
    </header>
  );
}
