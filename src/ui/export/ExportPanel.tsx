// Export panel: pick a mask (corrected, a run, the reference) and a format, or the whole study as a zip.
import { useState } from 'react';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useToolSettings } from '../../state/tool';
import { notify } from '../../state/notices';
import { buildExport, canExport, download, maskSources, type ExportFormat } from './exportActions';

const FORMATS: [ExportFormat, string][] = [
  ['png', 'PNG (binary)'],
  ['label-png', 'PNG (label map)'],
  ['nifti', 'NIfTI .nii.gz'],
  ['dicom-seg', 'DICOM SEG'],
  ['coco', 'COCO RLE JSON'],
  ['scores-csv', 'Scores CSV'],
  ['scores-json', 'Scores JSON'],
  ['zip', 'Everything (zip)'],
];

export function ExportPanel() {
  const scan = useScans((s) => s.scan);
  useRuns((s) => s.runs);
  useRuns((s) => s.pixelsVersion);
  useToolSettings((s) => s.maskVersion);
  const sources = maskSources();
  const [source, setSource] = useState('correction');
  const chosen = sources.some((s) => s.id === source) ? source : (sources[0]?.id ?? '');
  const run = (f: ExportFormat) => {
    try {
      download(buildExport(f, chosen));
    } catch (e) {
      notify('error', 'Export failed', e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div data-testid="export-panel">
      <label className="field">
        Mask
        <select value={chosen} onChange={(e) => setSource(e.target.value)} disabled={sources.length === 0} data-testid="export-source">
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <div className="export-buttons">
        {FORMATS.map(([f, label]) => (
          <button key={f} type="button" onClick={() => run(f)} disabled={!canExport(f, scan) || (sources.length === 0 && !f.startsWith('scores'))} data-testid={`export-${f}`}>
            {label}
          </button>
        ))}
      </div>
    </div>
  );
}
