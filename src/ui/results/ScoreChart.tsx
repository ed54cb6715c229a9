// Small SVG bar chart comparing the prompts of the open scan on one score (no chart library).
import { useState } from 'react';
import { useRuns } from '../../state/runs';
import { COLUMNS, fmt } from './format';

const METRICS = ['dice', 'iou', 'influence', 'area', 'conf'];

export function ScoreChart() {
  const runs = useRuns((s) => s.runs);
  const [metric, setMetric] = useState('dice');
  const col = COLUMNS.find((c) => c.key === metric) ?? COLUMNS[1];
  if (runs.length === 0) return <p className="hint">The chart compares prompts once there are runs.</p>;
  const bar = 16;
  const gap = 6;
  const labelW = 120;
  const width = 300;
  const height = runs.length * (bar + gap) + gap;
  return (
    <div data-testid="score-chart">
      <select value={metric} onChange={(e) => setMetric(e.target.value)} data-testid="chart-metric">
        {METRICS.map((m) => (
          <option key={m} value={m}>
            {COLUMNS.find((c) => c.key === m)?.title ?? m}
          </option>
        ))}
      </select>
      <svg width="100%" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${col.title} per prompt`}>
        {runs.map((r, i) => {
          const v = col.value(r);
          const n = typeof v === 'number' ? Math.max(0, Math.min(1, v)) : 0;
          const y = gap + i * (bar + gap);
          return (
            <g key={r.id} data-testid="chart-bar" data-value={typeof v === 'number' ? v : ''}>
              <text x={labelW - 4} y={y + bar - 4} textAnchor="end" fontSize="10" fill="currentColor">
                {(r.prompt || '(empty)').slice(0, 22)}
              </text>
              <rect x={labelW} y={y} width={(width - labelW - 40) * n} height={bar} fill={r.colour} />
              <text x={labelW + (width - labelW - 40) * n + 3} y={y + bar - 4} fontSize="10" fill="currentColor">
                {fmt(v, col.digits)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
