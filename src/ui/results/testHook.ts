// Test-only read-out of the clinician's loop for e2e specs (window.__vlsmLoop), beside the shell's
// window.__vlsm: run metadata and scores from the store, masks as row-major RLE counts.
import { encodeRle } from '../../mask/rle';
import { referencePixels, runPixels, useRuns, type RunView } from '../../state/runs';
import { useToolSettings } from '../../state/tool';
import { getSession } from '../../tools/session';
import { useLayers } from '../../state/layers';

export interface LoopTestApi {
  runs(): RunView[];
  busy(): string | null;
  error(): string | null;
  reference(): { label: string; kind: string } | null;
  runMask(id: string): { width: number; height: number; counts: number[] } | null;
  referenceMask(): { width: number; height: number; counts: number[] } | null;
  correction(): { width: number; height: number; counts: number[]; undo: number; redo: number; source: string | null } | null;
  brushSize(): number;
  layers(): { id: string; visible: boolean; opacity: number; version: number; image: 'bitmap' | 'canvas'; width: number; height: number }[];
  /** Where a run's pixels live: on shared memory (the mask worker and the draft writer read them without a copy). */
  runMemory(id: string): { probsShared: boolean; maskShared: boolean } | null;
  /** FNV-1a hashes of a run's probabilities (their float32 bits) and mask, and the mask's pixel count. */
  runDigest(id: string): { width: number; height: number; probsHash: number; maskHash: number; maskPixels: number } | null;
}

declare global {
  interface Window {
    __vlsmLoop?: LoopTestApi;
  }
}

const rle = (width: number, height: number, data: Uint8Array) => ({ width, height, counts: encodeRle({ width, height, data }).counts });

export function installLoopTestHook(): void {
  window.__vlsmLoop = {
    runs: () => useRuns.getState().runs.map((r) => ({ ...r, scores: { ...r.scores }, timings: { ...r.timings } })),
    busy: () => useRuns.getState().busy,
    error: () => useRuns.getState().error,
    reference: () => useRuns.getState().reference,
    runMask: (id) => {
      const px = runPixels.get(id);
      return px ? rle(px.width, px.height, px.mask) : null;
    },
    referenceMask: () => {
      const r = referencePixels.current;
      return r ? rle(r.width, r.height, r.data) : null;
    },
    correction: () => {
      const s = getSession();
      return s ? { ...rle(s.mask.width, s.mask.height, s.mask.data), undo: s.history.undoDepth, redo: s.history.redoDepth, source: s.source } : null;
    },
    brushSize: () => useToolSettings.getState().brushSize,
    layers: () =>
      useLayers.getState().layers.map(({ id, visible, opacity, version, canvas }) => ({
        id, visible, opacity, version, image: typeof ImageBitmap === 'function' && canvas instanceof ImageBitmap ? ('bitmap' as const) : ('canvas' as const), width: canvas.width, height: canvas.height,
      })),
    runMemory: (id) => {
      const px = runPixels.get(id);
      const shared = (a: ArrayBufferView) => typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer;
      return px ? { probsShared: shared(px.probs), maskShared: shared(px.mask) } : null;
    },
    runDigest: (id) => {
      const px = runPixels.get(id);
      if (!px) return null;
      const fnv = (a: ArrayLike<number>): number => {
        let h = 0x811c9dc5;
        for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i], 0x01000193) >>> 0;
        return h;
      };
      let maskPixels = 0;
      for (let i = 0; i < px.mask.length; i++) if (px.mask[i]) maskPixels++;
      const bits = new Uint32Array(px.probs.buffer, px.probs.byteOffset, px.probs.length);
      return { width: px.width, height: px.height, probsHash: fnv(bits), maskHash: fnv(px.mask), maskPixels };
    },
  };
}
