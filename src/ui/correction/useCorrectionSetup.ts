// Always-mounted wiring for the loop (lives in the toolbar item, which never collapses): registers the
// correction tools and their shortcuts, Shift+wheel brush size, and reloads runs + draft per scan frame.
import { useEffect, useState } from 'react';
import { registerShortcut } from '../../state/keymap';
import { useScans } from '../../state/scans';
import { convertBrushSize, useToolSettings } from '../../state/tool';
import { useTools } from '../../state/tools';
import { useView } from '../../state/view';
import { windowLevelToRGBA } from '../../scan';
import { registerCorrectionTools } from '../../tools';
import { notify } from '../../state/notices';
import { ensureBaseline, openRunsFor } from '../results/runActions';
import { useInference } from '../../state/inference';
import { installLoopTestHook } from '../results/testHook';
import { LassoOverlay, setLassoPreview } from './LassoOverlay';
import { BrushOverlay, brushPixelSize } from './BrushOverlay';
import { syncRunLayers } from '../results/layers';
import { acceptAndTell, useCorrectionLayer, closeCorrection, ensureSession, flushDraft, keepUnsavedEdits, redo, resumeCorrection, undo } from './correction';
import { deleteRun, setRunView } from '../results/runActions';
import { useRuns } from '../../state/runs';

/** The open frame as the user sees it (window/level applied), one grey byte per pixel; cached per frame
 *  and window, so repeated fills on a 2048² scan pay the windowing once. */
let greyCache: { key: string; scan: object; grey: Uint8Array } | null = null;
function displayedGrey(): Uint8Array | null {
  const { scan } = useScans.getState();
  if (!scan) return null;
  const v = useView.getState();
  const frame = Math.min(v.frame, scan.frames - 1);
  const key = `${frame}|${v.window.center}|${v.window.width}`;
  if (greyCache && greyCache.scan === scan && greyCache.key === key) return greyCache.grey;
  const rgba = windowLevelToRGBA(scan, frame, v.window);
  const grey = new Uint8Array(scan.width * scan.height);
  for (let i = 0, j = 0; i < grey.length; i++, j += 4) grey[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
  greyCache = { key, scan, grey };
  return grey;
}

/** Delete: removes the selected result (the run list's ✕), and says which. */
function deleteSelected(): void {
  const { selectedId, runs } = useRuns.getState();
  const run = runs.find((r) => r.id === selectedId);
  if (!run) {
    notify('info', 'No result selected', 'Click a result in the Results list first, then press Delete.');
    return;
  }
  void deleteRun(run.id).then(() => notify('info', 'Result deleted', `“${run.prompt || 'No words (baseline)'}” was removed.`));
}

/** m: hide every mask, or show again those that were shown. */
let hiddenByKey: string[] | null = null;
function toggleMasks(): void {
  const { runs } = useRuns.getState();
  if (hiddenByKey) {
    for (const id of hiddenByKey) if (runs.some((r) => r.id === id)) setRunView(id, { visible: true });
    hiddenByKey = null;
    return;
  }
  hiddenByKey = runs.filter((r) => r.visible).map((r) => r.id);
  for (const id of hiddenByKey) setRunView(id, { visible: false });
}

const BRUSH_TOOLS = ['brush', 'eraser'];
const EDIT_TOOLS = ['brush', 'eraser', 'lasso-fill', 'lasso-cut', 'fill'];

export function useCorrectionSetup(): void {
  useEffect(() => {
    if (import.meta.env.MODE !== 'production') installLoopTestHook();
    const offTools = registerCorrectionTools({
      getSession: ensureSession,
      brushOverlay: BrushOverlay,
      brushPixelSize,
      onLassoPreview: setLassoPreview,
      lassoOverlay: LassoOverlay,
      onFillTooLarge: () => notify('info', 'Fill stopped', 'That region is open to the edge; close the outline first.'),
      getImage: displayedGrey,
      onLargeFill: (f) =>
        notify('info', `That fill covered ${Math.round(f * 100)} % of the image`, 'Press Ctrl+Z to undo it, then lower the fill tolerance or click inside the structure.'),
    });
    const g = 'Correction';
    const offs = [
      registerShortcut({ id: 'brush-smaller', keys: ['['], description: 'Smaller brush', group: g, run: () => useToolSettings.getState().growBrush(1 / 1.25) }),
      registerShortcut({ id: 'brush-larger', keys: [']'], description: 'Larger brush', group: g, run: () => useToolSettings.getState().growBrush(1.25) }),
      registerShortcut({ id: 'undo', keys: ['Mod+z'], description: 'Undo the last stroke', group: g, run: undo }),
      registerShortcut({ id: 'redo', keys: ['Mod+Z', 'Mod+Shift+z', 'Mod+y'], description: 'Redo', group: g, run: redo }),
      registerShortcut({ id: 'accept', keys: ['Mod+s'], description: 'Accept: save the corrected mask as a new version', group: g, run: () => void acceptAndTell() }),
      registerShortcut({ id: 'delete-run', keys: ['Delete', 'Backspace'], description: 'Delete the selected result', group: 'Results', run: deleteSelected }),
      registerShortcut({ id: 'toggle-masks', keys: ['m'], description: 'Hide all masks / show them again', group: 'Results', run: toggleMasks }),
    ];
    const wheel = (e: WheelEvent) => {
      if (!e.shiftKey || !BRUSH_TOOLS.includes(useTools.getState().activeId)) return;
      if (!(e.target instanceof Element) || !e.target.closest('[data-testid="viewer"]')) return;
      e.preventDefault();
      e.stopPropagation();
      const d = e.deltaY || e.deltaX;
      useToolSettings.getState().growBrush(d < 0 ? 1.15 : 1 / 1.15);
    };
    // Runs go faint while a correction tool is in use on a shown correction, so the edited mask stands out.
    const dim = () => {
      const editing = useCorrectionLayer.getState().active && useCorrectionLayer.getState().visible && EDIT_TOOLS.includes(useTools.getState().activeId);
      if (useRuns.getState().dimmed !== editing) useRuns.getState().setDimmed(editing);
    };
    const offDim = [useCorrectionLayer.subscribe(dim), useTools.subscribe(dim), useRuns.subscribe((s, prev) => {
      if (s.dimmed !== prev.dimmed || s.runs !== prev.runs || s.soloId !== prev.soloId) syncRunLayers();
    })];
    // Leaving or hiding the page: the unsaved edits go to localStorage at once (synchronously; the
    // autosave's worker and IndexedDB write may not finish before the page ends), then the autosave runs.
    const flush = () => {
      keepUnsavedEdits();
      void flushDraft();
    };
    const hidden = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    window.addEventListener('wheel', wheel, { capture: true, passive: false });
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', hidden);
    // the brush unit follows the scan (mm with pixel spacing, pixels without): convert where it changes
    let shownPx = brushPixelSize();
    const offUnit = useScans.subscribe((st, prev) => {
      if (st.scan === prev.scan) return;
      const next = brushPixelSize();
      const size = useToolSettings.getState().brushSize;
      const converted = convertBrushSize(size, shownPx, next);
      if (converted !== size) useToolSettings.getState().setBrushSize(converted);
      shownPx = next;
    });
    return () => {
      offTools();
      offUnit();
      offs.forEach((off) => off());
      offDim.forEach((off) => off());
      window.removeEventListener('wheel', wheel, { capture: true });
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', hidden);
    };
  }, []);

  const scanId = useScans((s) => s.activeId);
  const scan = useScans((s) => s.scan);
  const frame = useView((s) => s.frame);
  // the loaded model (a volume switches it to the volume default) and whether a run is under way: each change
  // may let the automatic no-words run go (one that was skipped while busy, or failed as the model changed)
  const modelId = useInference((s) => s.model?.modelId ?? null);
  const idle = useRuns((s) => s.busy === null);
  const [loaded, setLoaded] = useState('');
  useEffect(() => {
    let live = true;
    // Leave the previous frame's correction at once (its draft is saved), so no stroke can land on it.
    void flushDraft();
    closeCorrection();
    // The draft is read beside the runs; until it is known, a session started by an early stroke is kept
    // (with its undo steps) but not saved over it (see resumeCorrection).
    const resumed = resumeCorrection(scanId, frame).catch((e: unknown) =>
      notify('error', 'The saved correction could not be read', e instanceof Error ? e.message : String(e)),
    );
    void Promise.all([openRunsFor(scanId, scan, frame), resumed]).then(() => live && setLoaded(`${scanId}:${frame}`));
    return () => {
      live = false;
    };
  }, [scanId, scan, frame]);
  useEffect(() => {
    if (modelId && idle && loaded === `${scanId}:${frame}`) void ensureBaseline(`${scanId}:${frame}:${modelId}`);
  }, [modelId, idle, loaded, scanId, frame]);
}
