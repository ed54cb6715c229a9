// "All slices" panel: one prompt run on every slice (or a range) of the open volume, with a progress bar,
// ETA and cancel; the 3-D mask's statistics (voxels, mL, mean/SD/min/max, HU for CT) and its
// full-volume NIfTI and multi-frame DICOM SEG export, a SEG loaded as the 3-D reference. Shown for scans with several slices.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { slicesPerVolume } from '../../scan/volume/orientation';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { download } from '../export/exportActions';
import { buildVolumeExport } from '../export/volumeExport';
import { notify } from '../../state/notices';
import { getSegmenter, onSegmenter } from '../prompts/segmenter';
import { openGeometry, setMpr, useMpr } from './mprEdit';
import { VolumeSegSection } from './VolumeSegSection';
import { VolumeStatsTable } from './VolumeStatsTable';
import { drawVolumeLayer, installVolumeTestHook, loadVolumeMask, runAllSlices, useVolumeRun } from './volumeRun';

const seconds = (ms: number): string => (ms >= 90_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(1, Math.round(ms / 1000))} s`);

/** Keeps the 3-D mask layer on the slice shown, and loads the saved mask when a scan opens. */
function useVolumeLayer(): void {
  const activeId = useScans((s) => s.activeId);
  useEffect(() => {
    void loadVolumeMask();
  }, [activeId]);
  useEffect(() => useView.subscribe((s, prev) => s.frame !== prev.frame && drawVolumeLayer()), []);
  useEffect(() => {
    // test builds only (dev server, `vite build --mode test`): dead code in a production build
    if (import.meta.env.MODE !== 'production') installVolumeTestHook();
  }, []);
}

export function VolumePanel() {
  useVolumeLayer();
  const scan = useScans((s) => s.scan);
  const activeId = useScans((s) => s.activeId);
  const { info, stats, progress, last, error, cancel } = useVolumeRun();
  const seg = useSyncExternalStore(onSegmenter, getSegmenter);
  const slices = scan ? slicesPerVolume(scan) : 1;
  const [prompt, setPrompt] = useState('');
  const [range, setRange] = useState<[number, number] | null>(null);
  const mpr = useMpr((s) => s.on);
  useEffect(() => setRange(null), [activeId]);
  if (!scan || slices < 2) return <p className="hint">Open a volume (a series or a NIfTI) to prompt every slice at once.</p>;
  const [from, to] = range ?? [1, slices];
  const clamp = (v: number) => Math.max(1, Math.min(slices, Math.round(v) || 1));
  return (
    <div className="volume-panel" data-testid="volume-panel">
      {scan.channels === 1 && openGeometry() && (
        <button type="button" data-testid="volume-mpr" aria-pressed={mpr} onClick={() => setMpr(!mpr)} title="Axial, coronal and sagittal views with a synced crosshair; correct the 3-D mask on any of them">
          {mpr ? 'Single view' : 'Three views (axial, coronal, sagittal)'}
        </button>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (prompt.trim()) void runAllSlices(prompt.trim(), from - 1, to - 1);
        }}
      >
        <input
          type="text" value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="e.g. left ventricle"
          aria-label="Prompt for every slice" data-testid="volume-prompt" disabled={!!progress}
        />
        <div className="volume-range">
          <label>
            Slices
            <input type="number" min={1} max={slices} value={from} onChange={(e) => setRange([clamp(Number(e.target.value)), Math.max(to, clamp(Number(e.target.value)))])} data-testid="volume-from" disabled={!!progress} />
          </label>
          <label>
            to
            <input type="number" min={1} max={slices} value={to} onChange={(e) => setRange([Math.min(from, clamp(Number(e.target.value))), clamp(Number(e.target.value))])} data-testid="volume-to" disabled={!!progress} />
          </label>
          <span className="hint">of {slices}</span>
        </div>
        <button type="submit" className="primary" disabled={!!progress || !prompt.trim() || !activeId || !seg} data-testid="volume-run" title={!activeId ? 'The scan is not saved' : !seg ? 'The model is loading' : undefined}>
          Run on {from === 1 && to === slices ? 'all slices' : `slices ${from}–${to}`}
        </button>
      </form>
      {progress && (
        <div className="volume-progress" data-testid="volume-progress">
          <progress max={progress.total} value={progress.done} />
          <span data-testid="volume-progress-text">
            {progress.done} / {progress.total} slices{progress.etaMs !== null ? ` · about ${seconds(progress.etaMs)} left` : ''}
          </span>
          <button type="button" onClick={() => cancel?.()} data-testid="volume-cancel">
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="volume-error">
          {error}
        </p>
      )}
      {last && !progress && (
        <p className="hint" data-testid="volume-last">
          “{last.prompt}”: {last.slices} slice{last.slices === 1 ? '' : 's'} in {seconds(last.ms)}
          {last.cancelled ? ' (stopped early; the finished slices are kept)' : ''}
        </p>
      )}
      {info && stats && (
        <div className="volume-result" data-testid="volume-result">
          <h3>
            3-D mask: “{info.prompt}” (slices {info.from + 1}–{info.to + 1}){info.provenance === 'corrected' ? ' · corrected by hand' : ''}
          </h3>
          <VolumeStatsTable stats={stats} spacingKnown={scan.spacingKnown} testid="volume-stats" cells="volume" />
          <button
            type="button"
            data-testid="volume-export-nifti"
            onClick={() => {
              try {
                download(buildVolumeExport('volume-nifti', 'mask'));
              } catch (e) {
                notify('error', 'Export failed', e instanceof Error ? e.message : String(e));
              }
            }}
          >
            Export 3-D mask (NIfTI)
          </button>
        </div>
      )}
      <VolumeSegSection />
    </div>
  );
}
