// Review queue panel (issue 16): import a prompt study's rows.csv with its images, go through the cases worst
// first (lowest Dice, or largest disagreement between prompt types), correct them with the usual tools, keep
// each correction, and export the kept ones as a finetune dataset for `python -m vlsm.train --finetune`.
import { useMemo } from 'react';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { keepsIdentifiers } from '../../ui/export/exportActions';
import { exportDataset, importStudy, keepCorrection, openCase, runCasePrompt } from './actions';
import { useReview } from './store';
import { sortCases, type SortMode } from './studyRows';

const f3 = (x: number) => x.toFixed(3);

export function ReviewPanel() {
  const { cases, sort, images, masks, openCase: current, kept, busy, error, info, fileName, openScanId } = useReview();
  const set = useReview((s) => s.set);
  const activeId = useScans((s) => s.activeId);
  const runs = useRuns((s) => s.runs);
  const order = useMemo(() => sortCases(cases, sort), [cases, sort]);
  const open = cases.find((c) => c.id === current) ?? null;
  const onOpen = open && activeId === openScanId;
  const nKept = Object.keys(kept).length;
  const pick = (list: FileList | null) => {
    const files = [...(list ?? [])];
    if (files.length) void importStudy(files);
  };
  return (
    <div className="review-panel" data-testid="review-panel">
      <p className="hint">
        Import a prompt study (<code>python -m vlsm.study</code>): its <code>rows.csv</code> with the images (and a
        <code> masks</code> folder for reference masks). CSV only: Parquet is not read in the browser.
      </p>
      <div className="review-import">
        <label className="button" title="A folder holding rows.csv and the images (images/ and masks/ inside it are found)">
          Study folder…
          <input type="file" hidden multiple {...{ webkitdirectory: '' }} onChange={(e) => { pick(e.target.files); e.target.value = ''; }} data-testid="review-folder" />
        </label>
        <label className="button" title="rows.csv and the image files, picked together">
          Files…
          <input type="file" hidden multiple accept=".csv,.parquet,image/*,.dcm,.tif,.tiff" onChange={(e) => { pick(e.target.files); e.target.value = ''; }} data-testid="review-files" />
        </label>
      </div>
      {busy && <p className="hint" data-testid="review-busy">{busy}</p>}
      {error && <p className="error" role="alert" data-testid="review-error">{error}</p>}
      {info && <p className="hint" data-testid="review-info">{info}</p>}
      {cases.length > 0 && (
        <>
          <label className="field">
            Order
            <select value={sort} onChange={(e) => set({ sort: e.target.value as SortMode })} data-testid="review-sort">
              <option value="worst">Worst Dice first</option>
              <option value="disagreement">Largest disagreement between prompt types first</option>
            </select>
          </label>
          <p className="hint">{fileName}: {cases.length} cases, {nKept} corrected and kept.</p>
          <ol className="review-list" data-testid="review-list">
            {order.map((c) => (
              <li key={c.id} data-testid="review-case" data-name={c.name} data-structure={c.structure}>
                <button
                  type="button"
                  aria-pressed={c.id === current}
                  disabled={!images.has(c.id) || busy !== null}
                  title={images.has(c.id) ? `Open ${c.name}` : `${c.name} was not among the picked files`}
                  onClick={() => void openCase(c.id)}
                  data-testid="review-open"
                >
                  <span className="review-name">{c.name}{c.structure !== 'target' ? ` · ${c.structure}` : ''}</span>
                  <span className="review-figures">
                    worst {f3(c.worst)} · spread {f3(c.disagreement)} · {c.prompts.length} prompt{c.prompts.length > 1 ? 's' : ''}
                    {masks.has(c.id) ? '' : ' · no reference'}
                    {kept[c.id] ? ' · ✓ kept' : ''}
                  </span>
                </button>
              </li>
            ))}
          </ol>
        </>
      )}
      {open && (
        <div className="review-case" data-testid="review-current">
          <p className="hint">
            {open.name}: {open.dataset || 'study'} · {open.structure} · model {open.modelId}
            {onOpen ? '' : ' (not the scan on screen: open it again)'}
          </p>
          <ul className="review-prompts">
            {open.prompts.map((p) => {
              const ran = runs.some((r) => r.prompt === p.prompt);
              return (
                <li key={p.promptType + p.prompt} data-testid="review-prompt" data-prompt={p.prompt}>
                  <span>{p.promptType}: “{p.prompt || 'no words'}” — study Dice {f3(p.dice)}</span>
                  <button type="button" disabled={!onOpen || ran || busy !== null} onClick={() => void runCasePrompt(p.prompt)} data-testid="review-run">
                    {ran ? 'shown' : 'Run'}
                  </button>
                </li>
              );
            })}
          </ul>
          <p className="hint">Correct with ✎ on a result and the brush, lasso or fill; then keep the correction.</p>
          <button type="button" onClick={keepCorrection} disabled={!onOpen || busy !== null} data-testid="review-keep">
            {kept[open.id] ? 'Keep this correction again (replace)' : 'Keep this correction'}
          </button>
        </div>
      )}
      {cases.length > 0 && (
        <>
          <button type="button" onClick={exportDataset} disabled={nKept === 0} title={nKept ? 'images/*.png, masks/*.png, prompts.json' : 'Keep at least one corrected case first'} data-testid="review-export">
            Export corrected cases as a finetune dataset ({nKept})
          </button>
          <p className="hint" data-testid="review-privacy">
            {keepsIdentifiers() ? 'Keeps identifiers: files are named after the images.' : 'De-identified: files are named study-…, as other exports (Export panel).'}
          </p>
        </>
      )}
    </div>
  );
}
