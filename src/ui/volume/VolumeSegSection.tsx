// The All slices panel's DICOM SEG part: export the 3-D mask as one multi-frame SEG (or why not: NIfTI,
// NRRD and MHA volumes have no images a SEG could reference), and load a SEG as the volume's 3-D
// reference, shown as its own layer with its Dice against the 3-D mask.
import { useEffect, useRef } from 'react';
import { notify } from '../../state/notices';
import { useScans } from '../../state/scans';
import { useRuns } from '../../state/runs';
import { useView } from '../../state/view';
import { download } from '../export/exportActions';
import { useVolumeRun } from './volumeRun';
import { algorithmTypeOf, drawReferenceLayer, syncReferenceVisibility, importSegFile, installVolumeSegTestHook, loadReference, useVolumeReference, volumeMaskSeg, whyNoSeg } from './volumeSeg';

const ALGO_WORDS = { AUTOMATIC: 'automatic (the model’s mask as it came out)', SEMIAUTOMATIC: 'semi-automatic (the model’s mask, corrected by hand)', MANUAL: 'manual (drawn by hand)' };

export function VolumeSegSection() {
  const scan = useScans((s) => s.scan);
  const activeId = useScans((s) => s.activeId);
  const info = useVolumeRun((s) => s.info);
  const { reference, error, busy } = useVolumeReference();
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
          Export 3-D mask (DICOM SEG)
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
            Load 3-D reference (DICOM SEG)…
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
        <p className="hint" data-testid="volume-reference">
          <label title="Show the reference (yellow) on the scan and in the three views; the same switch as the reference outline">
            <input type="checkbox" checked={showReference} onChange={(e) => useRuns.getState().setShowReference(e.target.checked)} data-testid="volume-reference-visible" /> show ·{' '}
          </label>
          3-D reference “{reference.label}”: {reference.voxels} voxels on {reference.slices.length} slice{reference.slices.length === 1 ? '' : 's'}
          {reference.dice !== null && (
            <>
              {' '}· Dice with the 3-D mask <span data-testid="volume-reference-dice">{reference.dice.toFixed(3)}</span>
            </>
          )}
        </p>
      )}
    </div>
  );
}
