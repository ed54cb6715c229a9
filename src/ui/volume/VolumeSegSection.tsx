// The All slices panel's DICOM SEG part: export the volume's 3-D layers (the 3-D mask and the references)
// as one multi-frame SEG, a segment each (or why not: NIfTI, NRRD and MHA volumes have no images a SEG
// could reference), and load a SEG as the volume's 3-D references, one layer per segment in its colour,
// each with its statistics and its Dice against the 3-D mask.
import { useEffect, useRef } from 'react';
import { notify } from '../../state/notices';
import { useScans } from '../../state/scans';
import { useRuns } from '../../state/runs';
import { useView } from '../../state/view';
import { download } from '../export/exportActions';
import { useVolumeRun } from './volumeRun';
import { VolumeStatsTable } from './VolumeStatsTable';
import { algorithmTypeOf, drawReferenceLayer, syncReferenceVisibility, importSegFile, installVolumeSegTestHook, loadReference, useVolumeReference, volumeMaskSeg, whyNoSeg } from './volumeSeg';

const ALGO_WORDS = { AUTOMATIC: 'automatic (the model’s mask as it came out)', SEMIAUTOMATIC: 'semi-automatic (the model’s mask, corrected by hand)', MANUAL: 'manual (drawn by hand)' };

export function VolumeSegSection() {
  const scan = useScans((s) => s.scan);
  const activeId = useScans((s) => s.activeId);
  const info = useVolumeRun((s) => s.info);
  const { references, reference, error, busy } = useVolumeReference();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    void loadReference();
  }, [activeId]);
  useEffect(() => useView.subscribe((s, prev) => s.frame !== prev.frame && drawReferenceLayer()), []);
  useEffect(() => useRuns.subscribe((s, prev) => s.showReference !== prev.showReference && syncReferenceVisibility()), []);
  const showReference = useRuns((s) => s.showReference);
  useEffect(installVolumeSegTestHook, []);
  const why = whyNoSeg(scan);
  const kind = info ? algorithmTypeOf(info) : null;
  return (
    <div className="volume-seg" data-testid="volume-seg">
      <span className="export-button" title={why ?? 'One DICOM Segmentation with a frame per slice that holds the mask, referencing every image of the series'}>
        <button
          type="button"
          data-testid="volume-export-seg"
          disabled={why !== null}
          onClick={() => {
            try {
              const f = volumeMaskSeg();
              download({ name: f.name, bytes: f.bytes, mime: 'application/dicom' });
            } catch (e) {
              notify('error', 'DICOM SEG export failed', e instanceof Error ? e.message : String(e));
            }
          }}
        >
          Export 3-D mask{references.length ? `s (DICOM SEG, ${references.length + (info ? 1 : 0)} segments)` : ' (DICOM SEG)'}
        </button>
      </span>
      {why ? (
        <p className="export-why" data-testid="volume-seg-why">
          {why}
        </p>
      ) : (
        kind && info && (
          <p className="hint" data-testid="volume-seg-kind">
            Recorded as {ALGO_WORDS[kind]}
            {info.modelId ? `, by ${info.modelId}${info.bundleHash ? `@${info.bundleHash}` : ''}` : ''}.
          </p>
        )
      )}
      {scan?.format === 'dicom' && (
        <label className="field" title="A DICOM SEG made on this series: its frames land on the slices they reference">
          <button type="button" onClick={() => input.current?.click()} disabled={busy} data-testid="volume-reference-open">
            Load 3-D references (DICOM SEG)…
          </button>
          <input
            ref={input}
            type="file"
            accept=".dcm,application/dicom"
            style={{ display: 'none' }}
            data-testid="volume-reference-input"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void importSegFile(f);
            }}
          />
        </label>
      )}
      {error && (
        <p className="error" role="alert" data-testid="volume-reference-error">
          {error}
        </p>
      )}
      {reference && (
        <p className="hint">
          <label title="Show the references on the scan and in the three views; the same switch as the reference outline">
            <input type="checkbox" checked={showReference} onChange={(e) => useRuns.getState().setShowReference(e.target.checked)} data-testid="volume-reference-visible" /> show the 3-D references
          </label>
        </p>
      )}
      {references.map((r, i) => {
        const n = i ? `-${i + 1}` : '';
        return (
          <div key={i} className="volume-reference" data-testid="volume-reference-item">
            <p className="hint" data-testid={`volume-reference${n}`}>
              <span className="swatch" style={{ background: `rgb(${r.rgb.join(',')})` }} aria-hidden="true" /> 3-D reference{' '}
              <span data-testid={`volume-reference-label${n}`}>“{r.label}”</span>
              {r.source ? ` from ${r.source}` : ''}: {r.voxels} voxels on {r.slices.length} slice{r.slices.length === 1 ? '' : 's'}
              {r.dice !== null && (
                <>
                  {' '}· Dice with the 3-D mask <span data-testid={`volume-reference-dice${n}`}>{r.dice.toFixed(3)}</span>
                </>
              )}
            </p>
            {r.stats && <VolumeStatsTable stats={r.stats} spacingKnown={!!scan?.spacingKnown} testid={`volume-reference-stats${n}`} />}
          </div>
        );
      })}
    </div>
  );
}
