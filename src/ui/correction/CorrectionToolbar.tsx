// Toolbar item: brush size, undo/redo, start-from-run, Accept. Thin: actions live in correction.ts.
import { MAX_BRUSH, MIN_BRUSH, useToolSettings } from '../../state/tool';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useTools } from '../../state/tools';
import { acceptAndTell, redo, startCorrection, undo } from './correction';
import { useCorrectionSetup } from './useCorrectionSetup';

export function CorrectionToolbar() {
  useCorrectionSetup();
  const size = useToolSettings((s) => s.brushSize);
  const setSize = useToolSettings((s) => s.setBrushSize);
  const undoDepth = useToolSettings((s) => s.undoDepth);
  const redoDepth = useToolSettings((s) => s.redoDepth);
  const runs = useRuns((s) => s.runs);
  const scan = useScans((s) => s.scan);
  const accepted = useToolSettings((s) => s.lastAccepted);
  const fillMode = useToolSettings((s) => s.fillMode);
  const tolerance = useToolSettings((s) => s.fillTolerance);
  const setFill = useToolSettings((s) => s.setFill);
  const tool = useTools((s) => s.activeId);
  const mm = !!scan?.spacingKnown;
  const accept = () => void acceptAndTell();
  return (
    <div className="tool-group" data-testid="correction-toolbar">
      {tool === 'fill' && (
        <>
          <select value={fillMode} onChange={(e) => setFill({ fillMode: e.target.value as 'intensity' | 'outline' })} title="What a click fills" aria-label="Fill mode" data-testid="fill-mode">
            <option value="intensity">Fill similar intensity</option>
            <option value="outline">Fill inside outline</option>
          </select>
          {fillMode === 'intensity' && (
            <label className="field" title="Fill tolerance: how much brighter or darker than the clicked pixel a pixel may be (grey levels of the displayed image, 0-255)">
              Tolerance
              <input type="range" min={1} max={128} value={tolerance} onChange={(e) => setFill({ fillTolerance: Number(e.target.value) })} aria-label="Fill tolerance" data-testid="fill-tolerance" />
              <span className="mono">±{tolerance}</span>
            </label>
          )}
        </>
      )}
      <label className="field" title={mm ? 'Brush diameter in millimetres, round in mm whatever the pixel spacing ([ and ], Shift+wheel)' : 'Brush diameter in image pixels ([ and ], Shift+wheel)'}>
        Brush
        <input type="range" min={MIN_BRUSH} max={MAX_BRUSH} value={size} onChange={(e) => setSize(Number(e.target.value))} data-testid="brush-size" />
        <span className="mono" data-testid="brush-size-value">{size}</span>
        <span className="mono" data-testid="brush-size-unit">{mm ? 'mm' : 'px'}</span>
      </label>
      <button type="button" onClick={undo} disabled={undoDepth === 0} title={undoDepth === 0 ? 'Nothing to undo yet' : `Undo the last change (Ctrl+Z; ${undoDepth} step${undoDepth === 1 ? '' : 's'})`} data-testid="undo">
        Undo
      </button>
      <button type="button" onClick={redo} disabled={redoDepth === 0} title={redoDepth === 0 ? 'Nothing to redo' : 'Redo (Ctrl+Shift+Z, Ctrl+Y)'} data-testid="redo">
        Redo
      </button>
      <select
        value=""
        disabled={!scan}
        onChange={(e) => startCorrection(e.target.value === '__empty' ? null : e.target.value)}
        data-testid="correct-from"
        title={scan ? 'Start correcting by hand from a result’s mask, or from an empty mask' : 'Open a scan first'}
        aria-label="Correct from"
      >
        <option value="">Correct from…</option>
        <option value="__empty">empty mask</option>
        {runs.map((r) => (
          <option key={r.id} value={r.id}>
            {r.prompt || 'no words (baseline)'}
          </option>
        ))}
      </select>
      <button type="button" className="primary" onClick={accept} disabled={!scan} data-testid="accept" title={scan ? 'Save the corrected mask as a new version (Ctrl+S)' : 'Open a scan first'}>
        Accept{accepted !== null ? ` (v${accepted})` : ''}
      </button>
    </div>
  );
}
