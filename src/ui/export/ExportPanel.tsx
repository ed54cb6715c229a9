// Export panel: pick a mask (corrected, a run, the reference) and a format, or the whole study as a zip.
// On a volume it offers the full-volume outputs first (volumeExport.ts: NIfTI per 3-D layer and as a label
// map, one multi-frame DICOM SEG of every layer, the layers' statistics), and its zip holds those, with
// per-slice PNGs only when asked; the single-slice formats stay below for the slice on screen.
import { useState } from 'react';
import { useVolumeRun } from '../volume/volumeRun';
import { useVolumeReference, volumeLayers } from '../volume/volumeSeg';
import { buildVolumeExport, isVolumeScan, whyNotVolume, type VolumeExportFormat } from './volumeExport';
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

const VOLUME_FORMATS: [VolumeExportFormat, string, string][] = [
  ['volume-nifti', 'NIfTI .nii.gz (3-D)', 'The chosen 3-D layer over the whole volume, 0/1, in the source geometry (for 3D Slicer, ITK-SNAP, nibabel)'],
  ['volume-labels-nifti', 'NIfTI label map (3-D)', 'Every 3-D layer in one volume: value n = segment n (a later layer over an earlier one)'],
  ['volume-seg', 'DICOM SEG (3-D, all layers)', 'One multi-frame DICOM Segmentation with a segment per 3-D layer, referencing every image of the series'],
  ['volume-stats-csv', 'Statistics CSV', 'Per 3-D layer: voxels, volume (mL), mean, SD, min and max intensity (HU for CT)'],
  ['volume-stats-json', 'Statistics JSON', 'The same statistics as JSON'],
  ['volume-zip', 'Everything (zip)', 'Every 3-D layer as NIfTI, the label map, the DICOM SEG (DICOM series), the statistics and the scores'],
];

/** The full-volume part of the panel, shown on a volume scan. */
function VolumeExports() {
  useVolumeRun((s) => s.stats);
  useVolumeRun((s) => s.info);
  useVolumeReference((s) => s.references);
  const scan = useScans((s) => s.scan);
  const layers = volumeLayers();
  const [layer, setLayer] = useState('mask');
  const [perSlice, setPerSlice] = useState(false);
  const chosen = layers.some((l) => l.id === layer) ? layer : (layers[0]?.id ?? '');
  const general = whyNotVolume('volume-nifti', scan);
  const segWhy = whyNotVolume('volume-seg', scan);
  const run = (f: VolumeExportFormat) => {
    try {
      download(buildVolumeExport(f, chosen, { perSlicePng: perSlice }));
    } catch (e) {
      notify('error', 'Export failed', e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="export-volume" data-testid="export-volume">
      <h3>Whole volume</h3>
      <label className="field" title="Which 3-D layer the NIfTI button exports (the label map, the SEG and the zip take them all)">
        3-D layer
        <select value={chosen} onChange={(e) => setLayer(e.target.value)} disabled={layers.length === 0} data-testid="export-volume-layer">
          {layers.map((l) => (
            <option key={l.id} value={l.id}>
              {l.id === 'mask' ? `3-D mask: ${l.label}` : `reference: ${l.label}`}
            </option>
          ))}
        </select>
      </label>
      <div className="export-buttons">
        {VOLUME_FORMATS.map(([f, label, what]) => {
          const why = whyNotVolume(f, scan);
          // the zip needs a layer, not a SEG: a NIfTI volume's zip simply holds no SEG
          return (
            <span key={f} title={why ?? what} className="export-button">
              <button type="button" onClick={() => run(f)} disabled={why !== null} data-testid={`export-${f}`}>
                {label}
              </button>
            </span>
          );
        })}
      </div>
      <label className="field" title="Adds a PNG per slice of every 3-D layer to the zip (slices/<layer>/...)">
        <input type="checkbox" checked={perSlice} onChange={(e) => setPerSlice(e.target.checked)} data-testid="export-volume-per-slice" />
        Also per-slice PNGs in the zip
      </label>
      {general && (
        <p className="export-why" data-testid="export-volume-why">
          {general}
        </p>
      )}
      {segWhy && segWhy !== general && (
        <p className="export-why" data-testid="export-volume-why-seg">
          {segWhy}
        </p>
      )}
    </div>
  );
}

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
  const volume = isVolumeScan(scan);
  const privacy = (
    <>
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
    </>
  );
  const twoD = (
    <>
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
      <div className="export-buttons">
        {FORMATS.filter(([f]) => f !== 'zip').map(([f, label, what]) => {
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
    </>
  );
  return (
    <div data-testid="export-panel">
      {privacy}
      {volume ? (
        <>
          <VolumeExports />
          <details className="export-slice" data-testid="export-slice">
            <summary>This slice only (2-D)</summary>
            {twoD}
          </details>
        </>
      ) : (
        <>
          {twoD}
          <div className="export-buttons">
            <span title={general ?? FORMATS[FORMATS.length - 1][2]} className="export-button">
              <button type="button" onClick={() => run('zip')} disabled={general !== null} aria-describedby={general ? 'why-export' : undefined} data-testid="export-zip">
                {FORMATS[FORMATS.length - 1][1]}
              </button>
            </span>
          </div>
        </>
      )}
    </div>
  );
}
