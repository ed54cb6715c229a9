// The 3-D mask as one multi-frame DICOM SEG, and a SEG read back onto its series as the 3-D reference.
//
// Export: the open volume's 3-D mask (volumeRun.ts) through scan/writers/dicomSegVolume.ts, one frame per
// non-empty slice; SegmentAlgorithmType from the mask's provenance (AUTOMATIC: the model's mask untouched;
// SEMIAUTOMATIC: corrected by hand; MANUAL: drawn on an empty mask), the algorithm named by model id and
// bundle hash (the version of the weights that made it); de-identified unless the user opted in (the same
// switch as every export). Only for DICOM volumes: NIfTI/NRRD/MHA have nothing a SEG could reference
// (whyNoVolumeSeg says so; their 3-D mask exports as NIfTI).
//
// Reference: a SEG (a file, or one opened from the PACS) is placed on the slices it references
// (readDicomSegVolume), saved with the scan (storage/volumeMasks.ts) and shown as its own layer; its Dice
// with the 3-D mask is shown and kept up to date. The pixels live here, never in a store.
import { create } from 'zustand';
import { whyNoVolumeSeg, readDicomSegVolume, writeDicomSegVolume, type SegAlgorithmType } from '../../scan/writers/dicomSegVolume';
import type { Scan } from '../../scan/types';
import { slicesPerVolume } from '../../scan/volume/orientation';
import { getDb } from '../../storage';
import { loadVolumeReference, saveVolumeReference } from '../../storage/volumeMasks';
import { useLayers } from '../../state/layers';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { keepsIdentifiers, studyLabel } from '../export/exportActions';
import { SliceLayer } from './sliceLayer';
import { currentVolumeMask, useVolumeRun, type VolumeMask } from './volumeRun';

export const VOLUME_REFERENCE_LAYER = 'volume-reference';
const COLOUR: [number, number, number] = [255, 200, 0];

export interface VolumeReferenceInfo {
  scanId: string;
  label: string;
  voxels: number;
  /** Slices holding reference voxels (0-based). */
  slices: number[];
  /** Dice with the 3-D mask over the whole volume; null without a 3-D mask. */
  dice: number | null;
}

interface VolumeReferenceState {
  reference: VolumeReferenceInfo | null;
  error: string | null;
  busy: boolean;
}

export const useVolumeReference = create<VolumeReferenceState>(() => ({ reference: null, error: null, busy: false }));

let pixels: { scanId: string; data: Uint8Array } | null = null;
const referenceLayer = new SliceLayer(VOLUME_REFERENCE_LAYER, { colour: COLOUR, opacity: 0.35, z: 4, visible: () => useRuns.getState().showReference });
/** Bumped whenever the reference's voxels are replaced (the three views redraw it). */
let pixelsVersion = 0;

/** The open scan's 3-D reference voxels (slice order, as the 3-D mask), its version and colour; or null. */
export function openReference(): { data: Uint8Array; version: number; rgb: [number, number, number] } | null {
  const { activeId } = useScans.getState();
  return pixels && pixels.scanId === activeId ? { data: pixels.data, version: pixelsVersion, rgb: COLOUR } : null;
}

/** Shows or hides the 3-D reference layer with the reference switch (state/runs showReference). */
export function syncReferenceVisibility(): void {
  const shown = useRuns.getState().showReference;
  const layer = useLayers.getState().layers.find((l) => l.id === VOLUME_REFERENCE_LAYER);
  if (layer && layer.visible !== shown) useLayers.getState().update(VOLUME_REFERENCE_LAYER, { visible: shown });
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Dice of two 3-D masks of one volume (1 when both are empty). */
export function dice3d(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    inter += x & y;
    na += x;
    nb += y;
  }
  return na + nb === 0 ? 1 : (2 * inter) / (na + nb);
}

function describe(scanId: string, label: string, data: Uint8Array, plane: number): VolumeReferenceInfo {
  let voxels = 0;
  const slices: number[] = [];
  for (let k = 0; k * plane < data.length; k++) {
    let n = 0;
    for (let i = k * plane, e = i + plane; i < e; i++) n += data[i] ? 1 : 0;
    if (n) slices.push(k);
    voxels += n;
  }
  const mask = currentVolumeMask();
  const dice = mask && mask.scanId === scanId && mask.data.length === data.length ? dice3d(mask.data, data) : null;
  return { scanId, label, voxels, slices, dice };
}

/** Draws the shown slice of the 3-D reference into its layer (removes the layer when there is none). */
export function drawReferenceLayer(): void {
  const { activeId, scan } = useScans.getState();
  const ref = useVolumeReference.getState().reference;
  if (!pixels || !scan || pixels.scanId !== activeId || !ref) return referenceLayer.remove();
  referenceLayer.draw(pixels.data, scan.width, scan.height, Math.min(useView.getState().frame, slicesPerVolume(scan) - 1));
}

function setReference(scanId: string, label: string, data: Uint8Array | null): void {
  const { scan } = useScans.getState();
  pixels = data ? { scanId, data } : null;
  pixelsVersion++;
  useVolumeReference.setState({ reference: data && scan ? describe(scanId, label, data, scan.width * scan.height) : null });
  drawReferenceLayer();
}

/** Recomputes the Dice after the 3-D mask changed (a run, a hand edit, a reload). */
export function refreshReferenceDice(): void {
  const ref = useVolumeReference.getState().reference;
  if (!ref || !pixels || pixels.scanId !== ref.scanId) return;
  const mask = currentVolumeMask();
  const dice = mask && mask.scanId === ref.scanId && mask.data.length === pixels.data.length ? dice3d(mask.data, pixels.data) : null;
  if (dice !== ref.dice) useVolumeReference.setState({ reference: { ...ref, dice } });
}

/** Loads the saved 3-D reference of the open scan, if any (called when a scan opens). */
export async function loadReference(): Promise<void> {
  const { activeId } = useScans.getState();
  useVolumeReference.setState({ error: null });
  if (!activeId) return setReference('', '', null);
  if (pixels?.scanId === activeId) return drawReferenceLayer();
  try {
    const rec = await loadVolumeReference(getDb(), activeId);
    if (useScans.getState().activeId !== activeId) return;
    setReference(activeId, rec?.label ?? '', rec?.data ?? null);
  } catch (e) {
    useVolumeReference.setState({ error: `The saved 3-D reference could not be loaded: ${message(e)}` });
  }
}

/**
 * Reads a DICOM SEG onto the scan `scanId` (the open one unless given) and keeps it as its 3-D reference.
 * Throws MaskReadError (a sentence for the user) when the SEG does not belong to the series.
 */
export async function importSegReference(bytes: Uint8Array, where: string, target?: { scanId: string; scan: Scan }): Promise<VolumeReferenceInfo> {
  const { activeId, scan: open } = useScans.getState();
  const scanId = target?.scanId ?? activeId;
  const scan = target?.scan ?? open;
  if (!scanId || !scan) throw new Error('Open the series the segmentation was made on first.');
  const info = readDicomSegVolume(bytes, scan);
  const label = `${info.label} (${where})`;
  await saveVolumeReference(getDb(), {
    scanId, width: scan.width, height: scan.height, slices: scan.frames, data: info.data, label, createdAt: Date.now(),
  });
  if (useScans.getState().activeId === scanId) setReference(scanId, label, info.data);
  return describe(scanId, label, info.data, scan.width * scan.height);
}

/** The file input's handler: a SEG file as the open volume's 3-D reference; failures go to `error`. */
export async function importSegFile(file: File): Promise<void> {
  useVolumeReference.setState({ busy: true, error: null });
  try {
    await importSegReference(new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (e) {
    useVolumeReference.setState({ error: message(e) });
  } finally {
    useVolumeReference.setState({ busy: false });
  }
}

/** How the mask came about, as SEG Segment Algorithm Type. */
export function algorithmTypeOf(mask: Pick<VolumeMask, 'provenance' | 'modelId'>): SegAlgorithmType {
  if (!mask.modelId) return 'MANUAL';
  return mask.provenance === 'corrected' ? 'SEMIAUTOMATIC' : 'AUTOMATIC';
}

/** Why the open volume's 3-D mask cannot be exported as a SEG now; null when it can. */
export function whyNoSeg(scan: Scan | null): string | null {
  if (!scan) return 'Open a volume first.';
  const why = whyNoVolumeSeg(scan);
  if (why) return why;
  if (!currentVolumeMask()) return 'Run a prompt on all slices or draw a 3-D mask first.';
  return null;
}

/** The open volume's 3-D mask as one multi-frame DICOM SEG. */
export function volumeMaskSeg(): { name: string; bytes: Uint8Array; algorithmType: SegAlgorithmType; algorithmName: string | null; pseudonym: string | null } {
  const { scan, activeId } = useScans.getState();
  const mask = currentVolumeMask();
  const why = whyNoSeg(scan);
  if (why || !scan || !mask || mask.scanId !== activeId) throw new Error(why ?? 'The 3-D mask belongs to another scan.');
  const algorithmType = algorithmTypeOf(mask);
  const algorithm = algorithmType === 'MANUAL' ? undefined : { name: mask.modelId, version: mask.bundleHash || 'unknown' };
  const keep = keepsIdentifiers();
  const ids = studyLabel(scan, activeId);
  const bytes = writeDicomSegVolume(mask.data, scan, {
    label: mask.prompt, algorithmType, algorithm, keepIdentifiers: keep, pseudonym: ids.pseudonym,
  });
  const base = keep ? scan.name.replace(/[^\w.-]+/g, '_') : ids.label;
  const what = mask.prompt.trim().replace(/[^\w.-]+/g, '_').slice(0, 40) || 'mask';
  return { name: `${base}_${what}_seg3d.dcm`, bytes, algorithmType, algorithmName: algorithm ? `${algorithm.name}@${algorithm.version}` : null, pseudonym: keep ? null : ids.pseudonym };
}

declare global {
  interface Window {
    /** e2e read-out of the 3-D mask and reference (what the Python SEG check compares against). */
    __vlsmVolumeSeg?: {
      mask(): { shape: [number, number, number]; mask: string; sops: string[]; frameNumbers: (number | null)[]; provenance: string } | null;
      reference(): VolumeReferenceInfo | null;
      /** The 3-D reference's voxels, base64 of 0/1 bytes (slice order). */
      referencePixels(): string | null;
    };
  }
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function installVolumeSegTestHook(): void {
  if (import.meta.env.MODE === 'production') return;
  window.__vlsmVolumeSeg = {
    mask: () => {
      const { scan } = useScans.getState();
      const m = currentVolumeMask();
      if (!scan || !m) return null;
      const d = scan.geometry?.dicom ?? {};
      const multi = (d.sopInstanceUIDs?.length ?? 0) === 1 && scan.frames > 1;
      const sops = Array.from({ length: m.slices }, (_, k) => (multi ? d.sopInstanceUIDs![0] : (d.sopInstanceUIDs?.[k] ?? '')));
      const frameNumbers = Array.from({ length: m.slices }, (_, k) => (multi ? (d.sourceFrames?.[k] ?? k + 1) : null));
      return { shape: [m.slices, m.height, m.width], mask: base64(m.data), sops, frameNumbers, provenance: m.provenance };
    },
    reference: () => useVolumeReference.getState().reference,
    referencePixels: () => (pixels ? base64(pixels.data.map((v) => (v ? 1 : 0))) : null),
  };
}

// keep the Dice current as the 3-D mask changes (runs, hand edits: setCurrent recomputes the statistics)
useVolumeRun.subscribe((s, prev) => {
  if (s.stats !== prev.stats || s.info !== prev.info) refreshReferenceDice();
});
