// Export panel: pick a mask (corrected, a run, the reference) and a format, or the whole study as a zip.
import { useState } from 'react';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useToolSettings } from '../../state/tool';
import { notify } from '../../state/notices';
import { buildExport, download, keepsIdentifiers, maskSources, setKeepIdentifiers, studyLabel, whyNot, type ExportFormat } from './exportActions';

const FORMATS: [ExportFormat, string, string][] = [
  ['png', 'PNG (binary)', 'The chosen mask as a black-and-white PNG at the scan’s size'],
  ['label-png', 'PNG (label map)', 'Every mask in one PNG, one grey value per mask'],
  ['nifti', 'NIfTI .nii.gz', 'The chosen mask as NIfTI, in the scan’s geometry (for 3D Slicer, ITK-SNAP)'],
  ['dicom-seg', 'DICOM SEG', 'The chosen mask as a DICOM Segmentation referencing the source images (for PACS and viewers)'],
  ['coco', 'COCO RLE JSON', 'Every mask as run-length encoded COCO annotations'],
  ['scores-csv', 'Scores CSV', 'One row per prompt: overlap, area, confidence, timings, in plain column names with units'],
  ['scores-json', 'Scores JSON', 'The same scores as JSON'],
  ['zip', 'Everything (zip)', 'All masks in every format, plus the scores'],
];

export function ExportPanel() {
  const scan = useScans((s) => s.scan);
  useRuns((s) => s.runs);
  useRuns((s) => s.pixelsVersion);
  useToolSettings((s) => s.maskVersion);
  const sources = maskSources();
  const hasRuns = useRuns.getState().runs.length > 0;
  const general = whyNot('png', scan, sources.length > 0, hasRuns);
  const dicomWhy = whyNot('dicom-seg', scan, sources.length > 0, hasRuns);
  const [source, setSource] = useState('correction');
  const [keep, setKeep] = useState(keepsIdentifiers());
  const ids = scan ? studyLabel(scan) : null;
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
      <label className="field" title="Which mask the single-mask formats export">
        Mask
        <select value={chosen} onChange={(e) => setSource(e.target.value)} disabled={sources.length === 0} data-testid="export-source">
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <p className="hint" data-testid="export-privacy">
        {keep
          ? 'Exports keep identifiers: the file name and, in DICOM SEG, the patient name and ID.'
          : ids
            ? `De-identified: files are named ${ids.label}, DICOM SEG names the patient ${ids.pseudonym}.`
            : 'Exports are de-identified.'}
      </p>
      <label className="field" title="Off by default, and again after a reload">
        <input
          type="checkbox"
          checked={keep}
          onChange={(e) => {
            setKeepIdentifiers(e.target.checked);
            setKeep(e.target.checked);
          }}
          data-testid="export-keep-identifiers"
        />
        Keep identifiers (patient name, ID, file name)
      </label>
      <div className="export-buttons">
        {FORMATS.map(([f, label, what]) => {
          const why = whyNot(f, scan, sources.length > 0, hasRuns);
          return (
            // a disabled button gets no hover events: the wrapper carries the reason as a tooltip
            <span key={f} title={why ?? what} className="export-button">
              <button type="button" onClick={() => run(f)} disabled={why !== null} aria-describedby={why ? (f === 'dicom-seg' ? 'why-dicom-seg' : 'why-export') : undefined} data-testid={`export-${f}`}>
                {label}
              </button>
            </span>
          );
        })}
      </div>
      {general && (
        <p id="why-export" className="export-why" data-testid="export-why">
          {general}
        </p>
      )}
      {dicomWhy && dicomWhy !== general && (
        <p id="why-dicom-seg" className="export-why" data-testid="export-why-dicom-seg">
          {dicomWhy}
        </p>
      )}
    </div>
  );
}
