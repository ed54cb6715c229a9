// Results table of the open scan's prompts, sortable by any column (click a header; again to reverse).
// Scrolls sideways inside its panel; prompts wrap instead of pushing the numbers out of sight.
import { useRuns, type RunView } from '../../state/runs';
import { COLUMNS, fmt, sortRuns, type Column } from './format';

function cell(c: Column, r: RunView): string {
  const v = c.value(r);
  if (typeof v === 'number' && c.show) return c.show(v);
  return `${fmt(v, c.digits)}${c.unit && v !== null ? ` ${c.unit}` : ''}`;
}

export function ResultsTable() {
  const runs = useRuns((s) => s.runs);
  const sort = useRuns((s) => s.sort);
  const setSort = useRuns((s) => s.setSort);
  const rows = sortRuns(runs, sort.key, sort.dir);
  if (runs.length === 0) return <p className="hint">Scores appear here after the first prompt.</p>;
  return (
    <div className="table-wrap" tabIndex={0} aria-label="Results table (scrolls sideways)">
      <table className="results-table" data-testid="results-table">
        <thead>
          <tr>
            <th aria-label="colour" />
            {COLUMNS.map((c) => (
              <th key={c.key} title={c.title} aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
                <button type="button" className="th-sort" onClick={() => setSort(c.key)} data-testid={`sort-${c.key}`}>
                  {c.label}
                  {sort.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="results-row" data-run-id={r.id}>
              <td>
                <span className="swatch" style={{ background: r.colour }} />
              </td>
              {COLUMNS.map((c) => (
                <td key={c.key} className={c.digits !== undefined ? 'num' : c.key === 'prompt' ? 'prompt' : undefined} data-col={c.key}>
                  {cell(c, r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
