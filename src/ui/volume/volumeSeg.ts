// The volume's 3-D masks as one multi-frame DICOM SEG, and a SEG read back onto its series as 3-D references.
//
// Export: the open volume's layers (the 3-D mask of volumeRun.ts, then each 3-D reference layer) through
// scan/writers/dicomSegVolume.ts as the segments 1..n of one SEG, one frame per non-empty slice of each;
// SegmentAlgorithmType per layer: the 3-D mask's from its provenance (AUTOMATIC: the model's mask
// untouched; SEMIAUTOMATIC: corrected by hand; MANUAL: drawn on an empty mask), the algorithm named by
// model id and bundle hash (the version of the weights that made it); a reference keeps the type and
// algorithm its SEG gave it (MANUAL when it gave none). Colours go out as RecommendedDisplayCIELabValue.
// De-identified unless the user opted in (the same switch as every export). Only for DICOM volumes:
// NIfTI/NRRD/MHA have nothing a SEG could reference (whyNoVolumeSeg says so; their masks export as NIfTI).
//
// References: every segment of a SEG (a file, or one opened from the PACS) is placed on the slices it
// references (readDicomSegVolumeSegments) and becomes its own 3-D reference layer with the segment's
// label and colour (a palette colour when the SEG gives none), saved with the scan (storage/volumeMasks.ts,
// one row per segment); each shows its statistics and its Dice with the 3-D mask, kept up to date. The
// pixels live here, never in a store.
import { create } from 'zustand';
import { volumeStats, type VolumeStats } from '../../mask/volumeStats';
import { whyNoVolumeSeg, readDicomSegVolumeSegments, writeDicomSegVolumeSegments, type SegAlgorithmType, type SegVolumeSegment } from '../../scan/writers/dicomSegVolume';
import type { Scan } from '../../scan/types';
import { slicesPerVolume } from '../../scan/volume/orientation';
import { getDb } from '../../storage';
import { loadVolumeReferences, saveVolumeReferences, type VolumeReferenceRecord } from '../../storage/volumeMasks';
import { useLayers } from '../../state/layers';
import { useRuns } from '../../state/runs';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { keepsIdentifiers, studyLabel } from '../export/exportActions';
import { SliceLayer } from './sliceLayer';
import { currentVolumeMask, useVolumeRun, VOLUME_MASK_RGB, type VolumeMask } from './volumeRun';

export const VOLUME_REFERENCE_LAYER = 'volume-reference';
/** Colours of reference layers whose SEG gives none: the first is the reference yellow. */
export const REFERENCE_PALETTE: readonly [number, number, number][] = [[255, 200, 0], [255, 110, 40], [190, 100, 255], [70, 210, 90], [255, 80, 170], [140, 170, 255]];
const layerId = (i: number): string => (i ? `${VOLUME_REFERENCE_LAYER}-${i + 1}` : VOLUME_REFERENCE_LAYER);

export interface VolumeReferenceInfo {
  scanId: string;
  /** The segment's label. */
  label: string;
  /** Where it came from (a file name, 'PACS SEG'). */
  source: string;
  rgb: [number, number, number];
  algorithmType: string | null;
  algorithmName: string | null;
  voxels: number;
  /** Slices holding reference voxels (0-based). */
  slices: number[];
  /** Dice with the 3-D mask over the whole volume; null without a 3-D mask. */
  dice: number | null;
  /** Voxels, volume in mL, intensity inside it (HU for CT). */
  stats: VolumeStats | null;
}

interface VolumeReferenceState {
  /** The first reference (null when none). */
  reference: VolumeReferenceInfo | null;
  /** Every reference layer of the open volume, in segment order. */
  references: VolumeReferenceInfo[];
  error: string | null;
  busy: boolean;
}

export const useVolumeReference = create<VolumeReferenceState>(() => ({ reference: null, references: [], error: null, busy: false }));

let pixels: { scanId: string; data: Uint8Array[] } | null = null;
const layers: SliceLayer[] = [];
const layerOf = (i: number): SliceLayer => {
  const rgb = useVolumeReference.getState().references[i]?.rgb ?? REFERENCE_PALETTE[i % REFERENCE_PALETTE.length];
  if (!layers[i] || layers[i].colour.join() !== rgb.join()) layers[i] = new SliceLayer(layerId(i), { colour: rgb, opacity: 0.35, z: 4, visible: () => useRuns.getState().showReference });
  return layers[i];
};
/** Bumped whenever the references' voxels are replaced (the three views redraw them). */
let pixelsVersion = 0;

/** The open scan's 3-D reference layers (voxels in slice order, as the 3-D mask) with their colours, and their version. */
export function openReferences(): { layers: { data: Uint8Array; rgb: [number, number, number] }[]; version: number } | null {
  const { activeId } = useScans.getState();
  if (!pixels || pixels.scanId !== activeId) return null;
  const refs = useVolumeReference.getState().references;
  return { layers: pixels.data.map((data, i) => ({ data, rgb: refs[i]?.rgb ?? REFERENCE_PALETTE[i % REFERENCE_PALETTE.length] })), version: pixelsVersion };
}

/** Shows or hides the 3-D reference layers with the reference switch (state/runs showReference). */
export function syncReferenceVisibility(): void {
  const shown = useRuns.getState().showReference;
  for (const layer of useLayers.getState().layers) {
    if ((layer.id === VOLUME_REFERENCE_LAYER || layer.id.startsWith(`${VOLUME_REFERENCE_LAYER}-`)) && layer.visible !== shown) useLayers.getState().update(layer.id, { visible: shown });
  }
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

const diceWithMask = (scanId: string, data: Uint8Array): number | null => {
  const mask = currentVolumeMask();
  return mask && mask.scanId === scanId && mask.data.length === data.length ? dice3d(mask.data, data) : null;
};

function describe(scanId: string, rec: Omit<VolumeReferenceRecord, 'scanId' | 'width' | 'height' | 'slices' | 'createdAt'>, index: number, scan: Scan | null): VolumeReferenceInfo {
  const { data } = rec;
  const plane = scan ? scan.width * scan.height : data.length;
  const slices: number[] = [];
  let voxels = 0;
  for (let k = 0; k * plane < data.length; k++) {
    let n = 0;
    for (let i = k * plane, e = i + plane; i < e; i++) n += data[i] ? 1 : 0;
    if (n) slices.push(k);
    voxels += n;
  }
  return {
    scanId, label: rec.label, source: rec.source ?? '', rgb: rec.rgb ?? [...REFERENCE_PALETTE[index % REFERENCE_PALETTE.length]],
    algorithmType: rec.algorithmType ?? null, algorithmName: rec.algorithmName ?? null, voxels, slices,
    dice: diceWithMask(scanId, data), stats: scan ? volumeStats(data, scan) : null,
  };
}

/** Draws the shown slice of every 3-D reference into its layer (removes layers left over). */
export function drawReferenceLayer(): void {
  const { activeId, scan } = useScans.getState();
  const refs = useVolumeReference.getState().references;
  const n = pixels && scan && pixels.scanId === activeId ? Math.min(refs.length, pixels.data.length) : 0;
  for (let i = 0; i < n; i++) layerOf(i).draw(pixels!.data[i], scan!.width, scan!.height, Math.min(useView.getState().frame, slicesPerVolume(scan!) - 1));
  for (const layer of useLayers.getState().layers) {
    const m = layer.id === VOLUME_REFERENCE_LAYER ? 0 : layer.id.startsWith(`${VOLUME_REFERENCE_LAYER}-`) ? Number(layer.id.slice(VOLUME_REFERENCE_LAYER.length + 1)) - 1 : -1;
    if (m >= n) useLayers.getState().remove(layer.id);
  }
}

function setReferences(scanId: string, recs: readonly Omit<VolumeReferenceRecord, 'scanId' | 'width' | 'height' | 'slices' | 'createdAt'>[]): void {
  const { scan } = useScans.getState();
  pixels = recs.length ? { scanId, data: recs.map((r) => r.data) } : null;
  pixelsVersion++;
  const references = scan ? recs.map((r, i) => describe(scanId, r, i, scan)) : [];
  useVolumeReference.setState({ references, reference: references[0] ?? null });
  drawReferenceLayer();
}

/** Recomputes the Dice after the 3-D mask changed (a run, a hand edit, a reload). */
export function refreshReferenceDice(): void {
  const { references } = useVolumeReference.getState();
  if (!references.length || !pixels || pixels.scanId !== references[0].scanId) return;
  let changed = false;
  const next = references.map((r, i) => {
    const dice = pixels!.data[i] ? diceWithMask(r.scanId, pixels!.data[i]) : null;
    if (dice === r.dice) return r;
    changed = true;
    return { ...r, dice };
  });
  if (changed) useVolumeReference.setState({ references: next, reference: next[0] ?? null });
}

/** Loads the saved 3-D references of the open scan, if any (called when a scan opens). */
export async function loadReference(): Promise<void> {
  const { activeId } = useScans.getState();
  useVolumeReference.setState({ error: null });
  if (!activeId) return setReferences('', []);
  if (pixels?.scanId === activeId) return drawReferenceLayer();
  try {
    const recs = await loadVolumeReferences(getDb(), activeId);
    if (useScans.getState().activeId !== activeId) return;
    setReferences(activeId, recs);
  } catch (e) {
    useVolumeReference.setState({ error: `The saved 3-D reference could not be loaded: ${message(e)}` });
  }
}

/**
 * Reads every segment of a DICOM SEG onto the scan `scanId` (the open one unless given) and keeps them as
 * its 3-D references (replacing the ones it had), one layer per segment. Throws MaskReadError (a sentence
 * for the user) when the SEG does not belong to the series.
 */
export async function importSegReference(bytes: Uint8Array, where: string, target?: { scanId: string; scan: Scan }): Promise<VolumeReferenceInfo[]> {
  const { activeId, scan: open } = useScans.getState();
  const scanId = target?.scanId ?? activeId;
  const scan = target?.scan ?? open;
  if (!scanId || !scan) throw new Error('Open the series the segmentation was made on first.');
  const segs = readDicomSegVolumeSegments(bytes, scan);
  const createdAt = Date.now();
  const recs: VolumeReferenceRecord[] = segs.map((s, i) => ({
    scanId, width: scan.width, height: scan.height, slices: scan.frames, data: s.data, label: s.label, source: where,
    rgb: s.rgb ?? [...REFERENCE_PALETTE[i % REFERENCE_PALETTE.length]], algorithmType: s.algorithmType, algorithmName: s.algorithmName, createdAt,
  }));
  await saveVolumeReferences(getDb(), scanId, recs);
  if (useScans.getState().activeId === scanId) setReferences(scanId, recs);
  return recs.map((r, i) => describe(scanId, r, i, scan));
}

/** The file input's handler: a SEG file's segments as the open volume's 3-D references; failures go to `error`. */
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

/** Why the open volume's 3-D masks cannot be exported as a SEG now; null when they can. */
export function whyNoSeg(scan: Scan | null): string | null {
  if (!scan) return 'Open a volume first.';
  const why = whyNoVolumeSeg(scan);
  if (why) return why;
  if (!currentVolumeMask() && !openReferences()) return 'Run a prompt on all slices, draw a 3-D mask or load a SEG first.';
  return null;
}

/** One 3-D layer of the open volume: the 3-D mask or a reference, as it is exported. */
export interface VolumeLayer {
  /** 'mask' or 'reference-<n>' (1-based). */
  id: string;
  label: string;
  data: Uint8Array;
  rgb: [number, number, number];
  algorithmType: SegAlgorithmType;
  /** name and version (model id and bundle hash), unless MANUAL. */
  algorithm?: { name: string; version: string };
}

const SEG_TYPES: readonly string[] = ['AUTOMATIC', 'SEMIAUTOMATIC', 'MANUAL'];

/** The open volume's 3-D layers: its 3-D mask (if any), then its references, in order. */
export function volumeLayers(): VolumeLayer[] {
  const { activeId } = useScans.getState();
  const out: VolumeLayer[] = [];
  const mask = currentVolumeMask();
  if (mask && mask.scanId === activeId) {
    const algorithmType = algorithmTypeOf(mask);
    out.push({
      id: 'mask', label: mask.prompt.trim() || 'mask', data: mask.data, rgb: [...VOLUME_MASK_RGB], algorithmType,
      ...(algorithmType === 'MANUAL' ? {} : { algorithm: { name: mask.modelId, version: mask.bundleHash || 'unknown' } }),
    });
  }
  const refs = openReferences();
  const infos = useVolumeReference.getState().references;
  refs?.layers.forEach((l, i) => {
    const info = infos[i];
    const name = info?.algorithmName ?? '';
    const at = name.lastIndexOf('@');
    const type = (info?.algorithmType && SEG_TYPES.includes(info.algorithmType) ? info.algorithmType : 'MANUAL') as SegAlgorithmType;
    // a SEG that called a segment automatic without naming the algorithm: kept as manual rather than invented
    const algorithm = name ? { name: at > 0 ? name.slice(0, at) : name, version: at > 0 ? name.slice(at + 1) : 'unknown' } : undefined;
    out.push({
      id: `reference-${i + 1}`, label: info?.label || `reference ${i + 1}`, data: l.data, rgb: l.rgb,
      algorithmType: type !== 'MANUAL' && !algorithm ? 'MANUAL' : type, ...(type !== 'MANUAL' && algorithm ? { algorithm } : {}),
    });
  });
  return out;
}

/** The open volume's 3-D layers (its 3-D mask and references) as one multi-frame DICOM SEG, a segment each. */
export function volumeMaskSeg(): { name: string; bytes: Uint8Array; algorithmType: SegAlgorithmType; algorithmName: string | null; pseudonym: string | null; segments: { label: string; algorithmType: SegAlgorithmType }[] } {
  const { scan, activeId } = useScans.getState();
  const why = whyNoSeg(scan);
  const all = volumeLayers();
  if (why || !scan || !all.length) throw new Error(why ?? 'The 3-D mask belongs to another scan.');
  const keep = keepsIdentifiers();
  const ids = studyLabel(scan, activeId);
  const segments: SegVolumeSegment[] = all.map((l) => ({ data: l.data, label: l.label, algorithmType: l.algorithmType, algorithm: l.algorithm, rgb: l.rgb }));
  const bytes = writeDicomSegVolumeSegments(segments, scan, { keepIdentifiers: keep, pseudonym: ids.pseudonym });
  const base = keep ? scan.name.replace(/[^\w.-]+/g, '_') : ids.label;
  const what = all.length > 1 ? `${all.length}_segments` : all[0].label.trim().replace(/[^\w.-]+/g, '_').slice(0, 40) || 'mask';
  const first = all[0];
  return {
    name: `${base}_${what}_seg3d.dcm`, bytes, algorithmType: first.algorithmType, algorithmName: first.algorithm ? `${first.algorithm.name}@${first.algorithm.version}` : null,
    pseudonym: keep ? null : ids.pseudonym, segments: all.map((l) => ({ label: l.label, algorithmType: l.algorithmType })),
  };
}

declare global {
  interface Window {
    /** e2e read-out of the 3-D mask and reference (what the Python SEG check compares against). */
    __vlsmVolumeSeg?: {
      mask(): { shape: [number, number, number]; mask: string; sops: string[]; frameNumbers: (number | null)[]; provenance: string } | null;
      reference(): VolumeReferenceInfo | null;
      references(): VolumeReferenceInfo[];
      /** The i-th 3-D reference's voxels (default the first), base64 of 0/1 bytes (slice order). */
      referencePixels(i?: number): string | null;
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
    references: () => useVolumeReference.getState().references,
    referencePixels: (i = 0) => (pixels?.data[i] ? base64(pixels.data[i].map((v) => (v ? 1 : 0))) : null),
  };
}

// keep the Dice current as the 3-D mask changes (runs, hand edits: setCurrent recomputes the statistics)
useVolumeRun.subscribe((s, prev) => {
  if (s.stats !== prev.stats || s.info !== prev.info) refreshReferenceDice();
});
