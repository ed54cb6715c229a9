// Runs of the open scan: one mask layer each, with colour, visibility, solo, opacity, display mode and
// a threshold slider that re-thresholds the stored probabilities. Plus the reference mask import.
import { useEffect } from 'react';
import './loop.css';
import { useRuns, type DisplayMode, type RunView } from '../../state/runs';
import { useScans } from '../../state/scans';
import { fmt } from './format';
import { syncRunLayers } from './layers';
import { deleteRun, setRunThreshold, setRunView } from './runActions';
import { importReference } from './referenceActions';
import { startCorrection } from '../correction/correction';

function RunRow({ run, solo }: { run: RunView; solo: boolean }) {
  const st = useRuns.getState();
  const selected = useRuns((s) => s.selectedId === run.id);
  return (
    <li className={selected ? 'run-item active' : 'run-item'} data-testid="run-item" data-run-id={run.id} data-prompt={run.prompt}>
      <div className="run-head">
        <input type="checkbox" checked={run.visible} onChange={(e) => setRunView(run.id, { visible: e.target.checked })} title="Show" data-testid="run-visible" />
        <input type="color" value={run.colour} onChange={(e) => setRunView(run.id, { colour: e.target.value })} title="Colour" data-testid="run-colour" />
        <button type="button" className="run-prompt" onClick={() => st.select(selected ? null : run.id)} title="Select" data-testid="run-select">
          {run.prompt || '(empty prompt)'}
        </button>
        <button type="button" className={solo ? 'tool active' : 'tool'} onClick={() => st.setSolo(solo ? null : run.id)} title="Show only this run" data-testid="run-solo">
          S
        </button>
      </div>
      <div className="run-scores mono" data-testid="run-scores">
        Dice <span data-testid="run-dice">{fmt(run.scores.dice ?? null)}</span> · IoU {fmt(run.scores.iou ?? null)} · HD95 {fmt(run.scores.hd95Mm ?? run.scores.hd95Px ?? null, 1)}
        {run.scores.hd95Mm !== undefined ? ' mm' : ' px'} · area {fmt(run.scores.areaFraction ?? null)} · conf {fmt(run.scores.meanConfidence ?? null)}
      </div>
      <div className="run-controls">
        <label className="field" title="Threshold (re-thresholds the stored probabilities)">
          t
          <input type="range" min={0.01} max={0.99} step={0.01} value={run.threshold} onChange={(e) => setRunThreshold(run.id, Number(e.target.value))} data-testid="run-threshold" />
          <span className="mono">{run.threshold.toFixed(2)}</span>
        </label>
        <label className="field" title="Opacity">
          α
          <input type="range" min={0} max={1} step={0.05} value={run.opacity} onChange={(e) => setRunView(run.id, { opacity: Number(e.target.value) })} data-testid="run-opacity" />
        </label>
        <select value={run.mode} onChange={(e) => setRunView(run.id, { mode: e.target.value as DisplayMode })} data-testid="run-mode" title="Display">
          <option value="binary">binary</option>
          <option value="heatmap">heatmap</option>
          <option value="contour">contour</option>
        </select>
        <button type="button" onClick={() => startCorrection(run.id)} title="Correct starting from this mask" data-testid="run-correct">
          Correct
        </button>
        <button type="button" onClick={() => void deleteRun(run.id)} title="Delete this run" data-testid="run-delete">
          ✕
        </button>
      </div>
    </li>
  );
}

export function RunsPanel() {
  const runs = useRuns((s) => s.runs);
  const soloId = useRuns((s) => s.soloId);
  const reference = useRuns((s) => s.reference);
  const showReference = useRuns((s) => s.showReference);
  const scan = useScans((s) => s.scan);
  useEffect(syncRunLayers, [runs, soloId, showReference]);
  const onRef = (files: FileList | null) => {
    const f = files?.[0];
    if (f) void f.arrayBuffer().then((b) => importReference({ name: f.name, bytes: new Uint8Array(b) }));
  };
  return (
    <div data-testid="runs-panel">
      <div className="reference-row">
        <label className="field" title="Reference mask: PNG/JPEG (thresholded at 128), NIfTI, DICOM SEG or our COCO RLE JSON">
          Reference
          <input type="file" accept=".png,.jpg,.jpeg,.nii,.gz,.dcm,.json,application/dicom" disabled={!scan} onChange={(e) => onRef(e.target.files)} data-testid="reference-input" />
        </label>
        <label className="hint">
          <input type="checkbox" checked={showReference} disabled={!reference} onChange={(e) => useRuns.getState().setShowReference(e.target.checked)} data-testid="reference-visible" />{' '}
          <span data-testid="reference-label">{reference ? `${reference.label} (${reference.kind})` : 'none'}</span>
        </label>
      </div>
      {runs.length === 0 ? (
        <p className="hint">No runs yet: type a prompt above.</p>
      ) : (
        <ul className="run-items" data-testid="run-list">
          {runs.map((r) => (
            <RunRow key={r.id} run={r} solo={soloId === r.id} />
          ))}
        </ul>
      )}
    </div>
  );
}
