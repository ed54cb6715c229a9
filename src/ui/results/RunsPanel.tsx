// Runs of the open scan: one mask layer each, with colour, visibility, solo, opacity, display mode and
// a threshold slider that re-thresholds the stored probabilities. Plus the reference mask import.
import { useEffect } from 'react';
import './loop.css';
import { useRuns, type DisplayMode, type RunView } from '../../state/runs';
import { useScans } from '../../state/scans';
import { channelWords, fmt } from './format';
import { IMAGE_ONLY_NOTE } from '../../engine/channels';
import { syncRunLayers } from './layers';
import { deleteRun, setRunThreshold, setRunView } from './runActions';
import { importReference } from './referenceActions';
import { acceptAndTell, startCorrection, useCorrectionLayer } from '../correction/correction';
import { useToolSettings } from '../../state/tool';

/** The mask being corrected by hand: its own entry, colour, visibility and opacity. */
function CorrectionRow() {
  const look = useCorrectionLayer();
  const dimmed = useRuns((s) => s.dimmed);
  const undoDepth = useToolSettings((s) => s.undoDepth);
  const accepted = useToolSettings((s) => s.lastAccepted);
  if (!look.active) return null;
  return (
    <li className="run-item correction-item" data-testid="correction-item">
      <div className="run-head">
        <input type="checkbox" checked={look.visible} onChange={(e) => look.set({ visible: e.target.checked })} title={look.visible ? 'Shown: click to hide your correction' : 'Hidden: click to show your correction'} aria-label="Show your correction" data-testid="correction-visible" />
        <input type="color" value={look.colour} onChange={(e) => look.set({ colour: e.target.value })} title="Colour of your correction" aria-label="Correction colour" data-testid="correction-colour" />
        <span className="run-prompt correction-name">Your correction{accepted !== null ? ` (saved as v${accepted})` : undoDepth > 0 ? ' (not accepted yet)' : ''}</span>
      </div>
      <div className="run-controls">
        <label className="field" title="Opacity of your correction over the scan">
          Opacity
          <input type="range" min={0} max={1} step={0.05} value={look.opacity} onChange={(e) => look.set({ opacity: Number(e.target.value) })} aria-label="Correction opacity" data-testid="correction-opacity" />
        </label>
        <button type="button" className="primary" onClick={() => void acceptAndTell()} title="Save the corrected mask as a new version (Ctrl+S)">
          Accept
        </button>
      </div>
      {dimmed && <p className="hint">Other masks are faint while you edit; choose Pan (H) to see them fully.</p>}
    </li>
  );
}

const DISPLAY_WORDS: Record<DisplayMode, string> = { binary: 'filled', heatmap: 'probability map', contour: 'outline' };

function RunRow({ run, solo, baseline = false }: { run: RunView; solo: boolean; baseline?: boolean }) {
  const st = useRuns.getState();
  const selected = useRuns((s) => s.selectedId === run.id);
  const name = run.prompt || 'No words (baseline)';
  const hd = run.scores.hd95Mm ?? run.scores.hd95Px ?? null;
  return (
    <li className={`run-item${selected ? ' active' : ''}${baseline ? ' baseline' : ''}`} data-testid="run-item" data-run-id={run.id} data-prompt={run.prompt}>
      <div className="run-head">
        <input type="checkbox" checked={run.visible} onChange={(e) => setRunView(run.id, { visible: e.target.checked })} title={run.visible ? 'Shown on the scan: click to hide' : 'Hidden: click to show on the scan'} aria-label={`Show “${name}” on the scan`} data-testid="run-visible" />
        <input type="color" value={run.colour} onChange={(e) => setRunView(run.id, { colour: e.target.value })} title="Colour of this mask" aria-label="Colour" data-testid="run-colour" />
        <button type="button" className="run-prompt" onClick={() => st.select(selected ? null : run.id)} title={`${name}\n${selected ? 'Selected (Delete removes it)' : 'Click to select'}`} data-testid="run-select">
          {name}
        </button>
        {run.channel && (
          <span className="tag" title={`${run.modelId}: ${IMAGE_ONLY_NOTE}; this mask is its '${channelWords(run.channel)}' output`} data-testid="run-image-only">
            image only · {channelWords(run.channel)}
          </span>
        )}
        <button type="button" className={solo ? 'tool active' : 'tool'} onClick={() => st.setSolo(solo ? null : run.id)} title={solo ? 'Show all masks again' : 'Show only this mask, hide the others'} aria-pressed={solo} data-testid="run-solo">
          Solo
        </button>
      </div>
      <div className="run-scores" data-testid="run-scores">
        {run.scores.dice !== undefined && (
          <span title="Overlap with the reference mask: 0 none, 1 identical">
            Dice <b data-testid="run-dice">{fmt(run.scores.dice ?? null)}</b>
          </span>
        )}
        {run.scores.iou !== undefined && <span title="Intersection over union with the reference: 0 none, 1 identical">IoU {fmt(run.scores.iou ?? null)}</span>}
        {(run.scores.hd95Mm !== undefined || run.scores.hd95Px !== undefined) && (
          <span title="Boundary distance to the reference (95th percentile Hausdorff); lower is better">
            boundary distance {fmt(hd, 1)} {run.scores.hd95Mm !== undefined ? 'mm' : 'px'}
          </span>
        )}
        <span title="Part of the image covered by the mask">area {pct(run.scores.areaFraction)}</span>
        <span title="Mean probability the model gives inside the mask">confidence {pct(run.scores.meanConfidence)}</span>
        {!baseline && run.scores.influence !== undefined && run.scores.influence !== null && (
          <span title="Influence of the prompt: overlap with the mask drawn with no words. 100 % = the words changed nothing">same as no words {pct(run.scores.influence)}</span>
        )}
        {run.scores.dice === undefined && <span className="hint-inline">Dice: import a reference mask</span>}
      </div>
      <div className="run-controls">
        <label className="field" title="Threshold: pixels whose probability is above it are in the mask (changes the mask, no new run)">
          Threshold
          <input type="range" min={0.01} max={0.99} step={0.01} value={run.threshold} onChange={(e) => setRunThreshold(run.id, Number(e.target.value))} aria-label="Threshold" data-testid="run-threshold" />
          <span className="mono">{run.threshold.toFixed(2)}</span>
        </label>
        <label className="field" title="Opacity of this mask over the scan">
          Opacity
          <input type="range" min={0} max={1} step={0.05} value={run.opacity} onChange={(e) => setRunView(run.id, { opacity: Number(e.target.value) })} aria-label="Opacity" data-testid="run-opacity" />
        </label>
        <select value={run.mode} onChange={(e) => setRunView(run.id, { mode: e.target.value as DisplayMode })} data-testid="run-mode" title="How the mask is drawn" aria-label="Display">
          {(Object.keys(DISPLAY_WORDS) as DisplayMode[]).map((m) => (
            <option key={m} value={m}>
              {DISPLAY_WORDS[m]}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => startCorrection(run.id)} title="Correct by hand, starting from this mask" data-testid="run-correct">
          Correct
        </button>
        <button type="button" onClick={() => void deleteRun(run.id)} title="Delete this result (Delete key when selected)" aria-label={`Delete “${name}”`} data-testid="run-delete">
          ✕
        </button>
      </div>
    </li>
  );
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0)} %`);

export function RunsPanel() {
  const runs = useRuns((s) => s.runs);
  const soloId = useRuns((s) => s.soloId);
  const reference = useRuns((s) => s.reference);
  const showReference = useRuns((s) => s.showReference);
  const scan = useScans((s) => s.scan);
  const scanId = useScans((s) => s.activeId);
  useEffect(syncRunLayers, [runs, soloId, showReference]);
  const onRef = (input: HTMLInputElement) => {
    const f = input.files?.[0];
    // cleared at once: the picker never shows a file name the reference label does not
    input.value = '';
    if (f) void f.arrayBuffer().then((b) => importReference({ name: f.name, bytes: new Uint8Array(b) }));
  };
  const prompted = runs.filter((r) => r.prompt.trim() !== '');
  const baseline = runs.filter((r) => r.prompt.trim() === '');
  return (
    <div data-testid="runs-panel">
      <div className="reference-row">
        <span className="field">
          Reference mask:{' '}
          <span data-testid="reference-label" className={reference ? '' : 'hint-inline'}>
            {reference ? `${reference.label} (${reference.kind === 'corrected' ? 'your accepted correction' : 'imported'})` : 'none — import one to get Dice'}
          </span>
        </span>
        <div className="reference-actions">
          <label className={scan ? 'button' : 'button disabled'} title={scan ? 'Expert mask to compare with: PNG/JPEG (white = structure), NIfTI, DICOM SEG or COCO RLE JSON' : 'Open a scan first'}>
            Import reference…
            <input key={scanId ?? 'none'} type="file" hidden accept=".png,.jpg,.jpeg,.nii,.gz,.dcm,.json,application/dicom" disabled={!scan} onChange={(e) => onRef(e.target)} data-testid="reference-input" />
          </label>
          <label className="field" title={reference ? 'Draw the reference outline (white) over the scan' : 'No reference mask yet'}>
            <input type="checkbox" checked={showReference} disabled={!reference} onChange={(e) => useRuns.getState().setShowReference(e.target.checked)} data-testid="reference-visible" /> show outline
          </label>
        </div>
      </div>
      <ul className="run-items correction-list">
        <CorrectionRow />
      </ul>
      {prompted.length === 0 ? (
        <p className="hint">{scan ? 'No results yet: type a prompt above and press Enter.' : 'Open a scan to begin.'}</p>
      ) : null}
      {runs.length > 0 && (
        <ul className="run-items" data-testid="run-list">
          {prompted.map((r) => (
            <RunRow key={r.id} run={r} solo={soloId === r.id} />
          ))}
          {baseline.map((r) => (
            <RunRow key={r.id} run={r} solo={soloId === r.id} baseline />
          ))}
        </ul>
      )}
      {baseline.length > 0 && (
        <p className="hint" data-testid="baseline-note">
          “No words” is the model run without a prompt: the baseline for how much your words change the mask. Hidden unless you tick it.
        </p>
      )}
    </div>
  );
}
