// Reference masks: import from a file (PNG/JPEG thresholded at 128, NIfTI, DICOM SEG), load the stored
// one (imported, or a demo's ground truth), or use the accepted correction; then rescore every run.
import type { Mask } from '../../mask/types';
import { readMaskFile, type MaskTarget } from '../../scan/writers/maskImport';
import type { Scan } from '../../scan/types';
import { getDb } from '../../storage';
import { listCorrections, loadReferenceRow, maskFromBytes } from '../../storage/runs';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { referencePixels, useRuns } from '../../state/runs';
import { rescore } from './scoring';
import { drawReference, referenceOutline } from './layers';
import { prepareReferenceInWorker } from './maskWorker';
import { saveReferenceOffThread } from '../../storage/drafts';

/** Reads a mask file off the main thread (the app injects its reader worker; see app/startup.ts). */
export type MaskReader = (name: string, bytes: ArrayBuffer, target: MaskTarget, frame: number, signal?: AbortSignal) => Promise<Mask>;
let maskReader: MaskReader = async (name, bytes, target, frame) => readMaskFile({ name, bytes: new Uint8Array(bytes) }, target, frame);
export function setMaskReader(reader: MaskReader): void {
  maskReader = reader;
}

async function rowMask(row: { encoding: string; data: Uint8Array | ArrayBuffer | Blob; width: number; height: number; label?: string }, scan: Scan, frame: number): Promise<Mask> {
  const bytes = row.data instanceof Blob ? new Uint8Array(await row.data.arrayBuffer()) : row.data instanceof Uint8Array ? row.data : new Uint8Array(row.data);
  return row.encoding === 'rle' ? maskFromBytes(bytes, row.width, row.height) : readMaskFile({ name: row.label ?? 'reference.png', bytes }, scan, frame);
}

export async function loadReference(scanId: string, scan: Scan, frame: number): Promise<void> {
  const current = (): boolean => useRuns.getState().scanId === scanId && useRuns.getState().frame === frame;
  const row = await loadReferenceRow(getDb(), scanId, frame);
  if (row) {
    const mask = await rowMask(row, scan, frame);
    if (!current()) return;
    referencePixels.current = mask;
    useRuns.getState().setReference({ label: row.label ?? 'reference', kind: 'imported' });
    drawReference();
    return;
  }
  const versions = await listCorrections(getDb(), scanId, frame);
  if (!current()) return;
  const last = versions[versions.length - 1];
  if (last && !(last.data instanceof Blob)) {
    referencePixels.current = maskFromBytes(last.data, scan.width, scan.height);
    useRuns.getState().setReference({ label: `corrected v${last.version}`, kind: 'corrected' });
  } else {
    referencePixels.current = null;
    useRuns.getState().setReference(null);
  }
  drawReference();
}

export async function importReference(file: { name: string; bytes: Uint8Array }): Promise<void> {
  const { activeId, scan } = useScans.getState();
  const st = useRuns.getState();
  if (!activeId || !scan) return;
  const frame = useView.getState().frame;
  const { setBusy } = useScans.getState();
  const abort = new AbortController();
  setBusy(`Reading the reference mask ${file.name}…`, () => abort.abort());
  try {
    // decoded in the reader worker with a time limit: a hostile mask never freezes the page
    const bytes = file.bytes.slice().buffer;
    const mask = await maskReader(file.name, bytes, scan, frame, abort.signal);
    if (useScans.getState().activeId !== activeId || useView.getState().frame !== frame) return;
    // the outline is drawn, and the mask put on shared memory, in the mask worker; the RLE encoding and the
    // write happen in the draft worker: the page's thread never passes over the mask's pixels
    const { rgb, thickness } = referenceOutline();
    const ready = await prepareReferenceInWorker(mask, rgb, thickness(mask.width, mask.height));
    if (useScans.getState().activeId !== activeId || useView.getState().frame !== frame) return;
    await saveReferenceOffThread(getDb(), activeId, frame, ready.mask, file.name);
    referencePixels.current = ready.mask;
    st.setReference({ label: file.name, kind: 'imported' });
    drawReference(ready.outline);
    st.setError(null);
    void rescore();
    st.bumpPixels();
  } catch (e) {
    if (e instanceof Error && e.name === 'ReadCancelled') st.setError(null);
    else st.setError(`Could not import "${file.name}": ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    setBusy(null);
  }
}

/** After Accept: the corrected mask becomes the reference unless one was imported. */
export function adoptCorrectionAsReference(mask: Mask, version: number): void {
  const st = useRuns.getState();
  if (st.reference?.kind === 'imported') return;
  referencePixels.current = { width: mask.width, height: mask.height, data: mask.data.slice() };
  st.setReference({ label: `corrected v${version}`, kind: 'corrected' });
  drawReference();
  void rescore();
  st.bumpPixels();
}
