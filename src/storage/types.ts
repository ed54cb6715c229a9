// Row types of the IndexedDB tables (see schema.ts). Saved rows carry everything needed to rebuild a Scan.
import type { Photometric, ScanDType, ScanFormat, ScanGeometry, WindowLevel } from '../scan/types';

export interface ScanRow {
  id: string;
  name: string;
  format: ScanFormat;
  source: 'file' | 'demo' | 'pacs';
  width: number;
  height: number;
  frames: number;
  shape: number[];
  dtype: ScanDType;
  channels: 1 | 3 | 4;
  spacing: [number, number, number];
  spacingKnown: boolean;
  photometric: Photometric;
  window: WindowLevel;
  range: [number, number];
  modality?: string;
  metadata: Record<string, string | number>;
  geometry?: ScanGeometry;
  /** Size of the pixel buffer in bytes (for the storage read-out). */
  bytes: number;
  /** Small PNG/JPEG data URL for the scan list, or null. */
  thumbnail: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Pixels live apart from the metadata so listing scans never loads them. Legacy (schema v1-v2): one row per scan. */
export interface ScanPixelsRow {
  id: string;
  dtype: ScanDType;
  data: ArrayBuffer;
}

/**
 * Schema v3 on: a scan's pixel bytes in consecutive chunks of at most SCAN_CHUNK_BYTES (chunk `index`
 * follows chunk `index - 1`; rows written before the chunk size became 1 MiB hold 8 MiB chunks, and
 * loading concatenates whatever sizes are stored), so no stored value is ever huge: browsers refuse
 * single values over ~128 MiB, and a 512 x 512 x 300 int16 volume is 150 MiB.
 */
export interface ScanChunkRow {
  scanId: string;
  index: number;
  data: ArrayBuffer;
}

/**
 * Schema v4 on: a run's probabilities (float32, row-major, at the scan's size) in consecutive chunks of at
 * most SCAN_CHUNK_BYTES; the run row holds a StoredRunProbs. An 8000 x 8000 photo's run is 244 MiB, which
 * Chromium refuses (or never finishes) as one value, and serialising it held the page for ~0.4 s.
 */
export interface RunChunkRow {
  runId: string;
  index: number;
  data: ArrayBuffer;
}

/** What a run row says about its probabilities (their bytes are in runChunks). */
export interface StoredRunProbs {
  width: number;
  height: number;
  bytes: number;
  chunks: number;
}

export interface SettingRow {
  key: string;
  value: unknown;
}

/** One prompt run on a scan (filled in by the prompts/results panels). */
export interface RunRow {
  id: string;
  scanId: string;
  frame: number;
  prompt: string;
  modelId: string;
  backend: string;
  threshold: number;
  /** Milliseconds per stage, e.g. {vision: 800, text: 40, decoder: 30}. */
  timings: Record<string, number>;
  /** Scores such as dice/iou against a reference, area fraction, etc. */
  scores: Record<string, number>;
  createdAt: number;
}

export type MaskProvenance = 'model' | 'corrected' | 'reference';
export type MaskEncoding = 'rle' | 'png';

/** A mask attached to a scan frame; corrections are added as MaskVersionRows, never written in place. */
export interface MaskRow {
  id: string;
  scanId: string;
  runId?: string;
  frame: number;
  width: number;
  height: number;
  encoding: MaskEncoding;
  data: Uint8Array | ArrayBuffer | Blob;
  provenance: MaskProvenance;
  label?: string;
  createdAt: number;
}

export interface MaskVersionRow {
  id: string;
  maskId: string;
  version: number;
  encoding: MaskEncoding;
  data: Uint8Array | ArrayBuffer | Blob;
  provenance: MaskProvenance;
  createdAt: number;
}
