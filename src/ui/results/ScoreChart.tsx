// Bar chart comparing the prompts of the open scan on one score. HTML rows rather than SVG text, so the
// prompt labels wrap to the panel's width instead of being cut (no chart library).
import { useState } from 'react';
import { useRuns } from '../../state/runs';
import { COLUMNS, fmt } from './format';

const METRICS = ['dice', 'iou', 'influence', 'area', 'conf'];

export function ScoreChart() {
  const runs = useRuns((s) => s.runs);
  const [metric, setMetric] = useState('dice');
  const col = COLUMNS.find((c) => c.key === metric) ?? COLUMNS[1];
  if (runs.length === 0) return <p className="hint">The chart compares prompts once there are results.</p>;
  const missing = runs.every((r) => typeof col.value(r) !== 'number');
  return (
    <div data-testid="score-chart">
      <label className="field" title={col.title}>
        Compare by
        <select value={metric} onChange={(e) => setMetric(e.target.value)} data-testid="chart-metric">
          {METRICS.map((m) => {
            const c = COLUMNS.find((x) => x.key === m);
            return (
              <option key={m} value={m}>
                {c?.label ?? m}
              </option>
            );
          })}
        </select>
      </label>
      {missing && <p className="hint">{metric === 'dice' || metric === 'iou' ? 'Import a reference mask to compare by overlap.' : 'No values yet.'}</p>}
      <div className="bar-chart" role="img" aria-label={`${col.label} per prompt`}>
        {runs.map((r) => {
          const v = col.value(r);
          const n = typeof v === 'number' ? Math.max(0, Math.min(1, v)) : 0;
          const label = r.prompt || 'No words (baseline)';
          return (
            <div key={r.id} className="bar-row" data-testid="chart-bar" data-value={typeof v === 'number' ? v : ''}>
              <span className="bar-label" title={label}>
                {label}
              </span>
              <span className="bar-track">
                <span className="bar" style={{ width: `${n * 100}%`, background: r.colour }} />
              </span>
              <span className="bar-value mono">{fmt(v, col.digits)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
