// Always-mounted wiring for the loop (lives in the toolbar item, which never collapses): registers the
// correction tools and their shortcuts, Shift+wheel brush size, and reloads runs + draft per scan frame.
import { useEffect, useState } from 'react';
import { registerShortcut } from '../../state/keymap';
import { useScans } from '../../state/scans';
import { useToolSettings } from '../../state/tool';
import { useTools } from '../../state/tools';
import { useView } from '../../state/view';
import { registerCorrectionTools } from '../../tools';
import { notify } from '../../state/notices';
import { ensureBaseline, openRunsFor } from '../results/runActions';
import { useInference } from '../../state/inference';
import { installLoopTestHook } from '../results/testHook';
import { LassoOverlay, setLassoPreview } from './LassoOverlay';
import { BrushOverlay } from './BrushOverlay';
import { closeCorrection, ensureSession, flushDraft, redo, resumeCorrection, undo } from './correction';

const BRUSH_TOOLS = ['brush', 'eraser'];

export function useCorrectionSetup(): void {
  useEffect(() => {
    installLoopTestHook();
    const offTools = registerCorrectionTools({
      getSession: ensureSession,
      brushOverlay: BrushOverlay,
      onLassoPreview: setLassoPreview,
      lassoOverlay: LassoOverlay,
      onFillTooLarge: () => notify('info', 'Fill stopped', 'That region is open to the edge; close the outline first.'),
    });
    const g = 'Correction';
    const offs = [
      registerShortcut({ id: 'brush-smaller', keys: ['['], description: 'Smaller brush', group: g, run: () => useToolSettings.getState().growBrush(1 / 1.25) }),
      registerShortcut({ id: 'brush-larger', keys: [']'], description: 'Larger brush', group: g, run: () => useToolSettings.getState().growBrush(1.25) }),
      registerShortcut({ id: 'undo', keys: ['Mod+z'], description: 'Undo the last stroke', group: g, run: undo }),
      registerShortcut({ id: 'redo', keys: ['Mod+Z', 'Mod+Shift+z', 'Mod+y'], description: 'Redo', group: g, run: redo }),
    ];
    const wheel = (e: WheelEvent) => {
      if (!e.shiftKey || !BRUSH_TOOLS.includes(useTools.getState().activeId)) return;
      if (!(e.target instanceof Element) || !e.target.closest('[data-testid="viewer"]')) return;
      e.preventDefault();
      e.stopPropagation();
      const d = e.deltaY || e.deltaX;
      useToolSettings.getState().growBrush(d < 0 ? 1.15 : 1 / 1.15);
    };
    const flush = () => void flushDraft();
    window.addEventListener('wheel', wheel, { capture: true, passive: false });
    window.addEventListener('pagehide', flush);
    return () => {
      offTools();
      offs.forEach((off) => off());
      window.removeEventListener('wheel', wheel, { capture: true });
      window.removeEventListener('pagehide', flush);
    };
  }, []);

  const scanId = useScans((s) => s.activeId);
  const scan = useScans((s) => s.scan);
  const frame = useView((s) => s.frame);
  const modelReady = useInference((s) => s.model !== null);
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
    if (modelReady && loaded === `${scanId}:${frame}`) void ensureBaseline();
  }, [modelReady, loaded, scanId, frame]);
}
