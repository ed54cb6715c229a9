// Toolbar item: brush size, undo/redo, start-from-run, Accept. Thin: actions live in correction.ts.
import { useState } from 'react';
import { MAX_BRUSH, MIN_BRUSH, useToolSettings } from '../../state/tool';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { notify } from '../../state/notices';
import { acceptCurrent, redo, startCorrection, undo } from './correction';
import { useCorrectionSetup } from './useCorrectionSetup';

export function CorrectionToolbar() {
  useCorrectionSetup();
  const size = useToolSettings((s) => s.brushSize);
  const setSize = useToolSettings((s) => s.setBrushSize);
  const undoDepth = useToolSettings((s) => s.undoDepth);
  const redoDepth = useToolSettings((s) => s.redoDepth);
  const runs = useRuns((s) => s.runs);
  const scan = useScans((s) => s.scan);
  const [accepted, setAccepted] = useState<number | null>(null);
  const accept = () => {
    acceptCurrent()
      .then((v) => {
        setAccepted(v);
        if (v !== null) notify('success', 'Mask accepted', `Saved as version ${v}.`);
      })
      .catch((e: unknown) => notify('error', 'Accept failed', e instanceof Error ? e.message : String(e)));
  };
  return (
    <div className="tool-group" data-testid="correction-toolbar">
      <label className="field" title="Brush size ([ and ], Shift+wheel)">
        Size
        <input type="range" min={MIN_BRUSH} max={MAX_BRUSH} value={size} onChange={(e) => setSize(Number(e.target.value))} data-testid="brush-size" />
        <span className="mono" data-testid="brush-size-value">{size}</span>
      </label>
      <button type="button" onClick={undo} disabled={undoDepth === 0} title="Undo (Ctrl+Z)" data-testid="undo">
        Undo
      </button>
      <button type="button" onClick={redo} disabled={redoDepth === 0} title="Redo (Ctrl+Shift+Z, Ctrl+Y)" data-testid="redo">
        Redo
      </button>
      <select
        value=""
        disabled={!scan}
        onChange={(e) => startCorrection(e.target.value === '__empty' ? null : e.target.value)}
        data-testid="correct-from"
        title="Start the correction from a run's mask"
      >
        <option value="">Correct from…</option>
        <option value="__empty">empty mask</option>
        {runs.map((r) => (
          <option key={r.id} value={r.id}>
            {r.prompt || '(empty prompt)'}
          </option>
        ))}
      </select>
      <button type="button" className="primary" onClick={accept} disabled={!scan} data-testid="accept" title="Save the corrected mask as a new version">
        Accept{accepted !== null ? ` (v${accepted})` : ''}
      </button>
    </div>
  );
}
