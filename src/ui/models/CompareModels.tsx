// Compare models: pick several models (shipped and stored) and one prompt; each model is loaded in turn and
// runs the prompt once on the open scan frame (one run per model, saved like any run, each its own colour
// on the scan), then the model that was loaded before comes back. The table puts them side by side with
// their scores against the reference mask (Dice, IoU, HD95 once a reference is loaded in the Runs panel),
// area and time — read live from the runs, so loading a reference afterwards fills the scores in.
import { useCallback, useEffect, useState } from 'react';
import { useInference } from '../../state/inference';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import type { BundleRef } from '../../worker/client';
import { listStoredModels, openModelCache } from '../../worker/modelStore';
import { runPrompt } from '../results/runActions';
import { fmt } from '../results/format';
import { durationWords } from './format';
import { useScanPrompt } from '../prompts/scanPrompt';
import { loadModelChosen, useInferenceClient } from './InferenceContext';

interface Choice {
  key: string;
  ref: BundleRef;
  id: string;
  name: string;
}

interface Row {
  key: string;
  name: string;
  runId: string | null;
  error: string | null;
}

const refKey = (ref: BundleRef): string => (ref.kind === 'url' ? `url:${ref.baseUrl}` : `${ref.kind}:${ref.id}`);

export function CompareModels() {
  const client = useInferenceClient();
  const scan = useScans((s) => s.scan);
  const promptText = useScanPrompt((s) => s.text);
  const loaded = useInference((s) => s.model?.modelId ?? null);
  const runs = useRuns((s) => s.runs);
  const hasReference = useRuns((s) => !!s.reference);
  const [choices, setChoices] = useState<Choice[]>([]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [prompt, setPrompt] = useState<string | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [status, setStatus] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const out: Choice[] = [];
    const res = await fetch(`${import.meta.env.BASE_URL}models/index.json`).catch(() => null);
    if (res?.ok) for (const m of (await res.json()) as { id: string; name: string }[]) out.push({ key: `shipped:${m.id}`, ref: { kind: 'shipped', id: m.id }, id: m.id, name: m.name });
    if (typeof caches !== 'undefined') for (const m of await listStoredModels(await openModelCache())) out.push({ key: `stored:${m.id}`, ref: { kind: 'stored', id: m.id }, id: m.id, name: m.name });
    setChoices(out);
  }, []);
  useEffect(() => {
    refresh().catch(() => undefined);
  }, [refresh]);

  const words = prompt ?? promptText;
  const chosen = choices.filter((c) => picked.has(c.key));
  const compare = async () => {
    const before = choices.find((c) => c.id === loaded) ?? null;
    const out: Row[] = chosen.map((c) => ({ key: c.key, name: c.name, runId: null, error: null }));
    setRows(out);
    for (const [i, c] of chosen.entries()) {
      const row = out[i];
      try {
        setStatus(`Loading ${c.name} (${i + 1} of ${chosen.length})…`);
        await loadModelChosen(client, c.ref);
        setStatus(`Running “${words}” with ${c.name} (${i + 1} of ${chosen.length})…`);
        row.runId = await runPrompt(words);
        if (!row.runId) row.error = useRuns.getState().error ?? 'the run was cancelled (another scan or prompt came first)';
      } catch (e) {
        row.error = e instanceof Error ? e.message : String(e);
      }
      setRows([...out]);
    }
    if (before && before.id !== chosen.at(-1)?.id) {
      setStatus(`Loading ${before.name} again…`);
      await loadModelChosen(client, before.ref).catch(() => undefined);
    }
    setStatus(null);
  };

  const toggle = (key: string, on: boolean) =>
    setPicked((s) => {
      const n = new Set(s);
      if (on) n.add(key);
      else n.delete(key);
      return n;
    });

  return (
    <div className="compare-models" data-testid="compare-models">
      <p className="hint">One prompt, one run per model on the open scan, side by side. Stored models come from the Model panel.</p>
      <ul className="model-list">
        {choices.map((c) => (
          <li key={c.key}>
            <label>
              <input type="checkbox" checked={picked.has(c.key)} onChange={(e) => toggle(c.key, e.target.checked)} data-testid={`compare-pick-${refKey(c.ref).replace(':', '-')}`} /> {c.name}
              <span className="hint"> {c.ref.kind}</span>
            </label>
          </li>
        ))}
      </ul>
      <button type="button" className="link" onClick={() => void refresh()} data-testid="compare-refresh">
        Refresh the list
      </button>
      <label className="field">
        Prompt
        <input type="text" value={words} onChange={(e) => setPrompt(e.target.value)} data-testid="compare-prompt" placeholder="the prompt box's text" />
      </label>
      <button
        type="button"
        className="primary"
        disabled={!scan || chosen.length < 2 || !!status}
        title={!scan ? 'Open a scan first' : chosen.length < 2 ? 'Pick at least two models' : 'Run the prompt with each picked model'}
        onClick={() => void compare()}
        data-testid="compare-run"
      >
        Compare {chosen.length || ''} models
      </button>
      {status && <p className="hint" data-testid="compare-status">{status}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="results-table" data-testid="compare-table">
            <thead>
              <tr>
                <th aria-label="colour" />
                <th>Model</th>
                <th title="Overlap with the reference mask (Dice): 0 none, 1 identical">Dice</th>
                <th title="Intersection over union with the reference mask">IoU</th>
                <th title="Boundary distance to the reference (95th percentile Hausdorff), mm when the spacing is known, else pixels">HD95</th>
                <th title="Part of the image covered by the mask">Area</th>
                <th title="How long the model took for this prompt (a single-graph model runs the whole model each time)">Time</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const run = runs.find((r) => r.id === row.runId);
                const t = run ? (run.timings.totalMs ?? Object.values(run.timings).reduce((a, b) => a + b, 0)) : null;
                return (
                  <tr key={row.key} data-testid="compare-row" data-model={run?.modelId ?? row.key} data-run-id={row.runId ?? ''}>
                    <td>{run && <span className="swatch" style={{ background: run.colour }} />}</td>
                    <td>
                      {row.name}
                      {run && <span className="hint"> {run.variant}</span>}
                      {run?.channel && <span className="hint" data-testid="compare-image-only"> · image only</span>}
                      {row.error && <span className="error" data-testid="compare-error"> {row.error}</span>}
                    </td>
                    <td className="num" data-col="dice">{fmt(run?.scores.dice ?? null)}</td>
                    <td className="num" data-col="iou">{fmt(run?.scores.iou ?? null)}</td>
                    <td className="num" data-col="hd95">{fmt(run ? (run.scores.hd95Mm ?? run.scores.hd95Px ?? null) : null, 1)}</td>
                    <td className="num" data-col="area">{fmt(run?.scores.areaFraction ?? null)}</td>
                    <td className="num" data-col="time">{t ? durationWords(t) : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {!hasReference && <p className="hint" data-testid="compare-no-reference">Load a reference mask (Runs panel) to score each model against it.</p>}
        </div>
      )}
    </div>
  );
}
