// Test helpers: a fresh in-memory database (fake-indexeddb) and a small scan.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { Scan } from '../scan/types';
import { WorkbenchDB } from './schema';

export const freshDbOptions = () => ({ indexedDB: new IDBFactory(), IDBKeyRange });

export const freshDb = (name = 'test'): WorkbenchDB => new WorkbenchDB(name, freshDbOptions());

export function tinyScan(name = 'tiny', frames = 2): Scan {
  const w = 4;
  const h = 3;
  const data = new Int16Array(w * h * frames).map((_, i) => i * 10 - 50);
  return {
    name, format: 'dicom', width: w, height: h, frames, shape: [frames, h, w], channels: 1, dtype: 'int16', data,
    spacing: [0.5, 0.5, 2], spacingKnown: true, photometric: 'MONOCHROME2', window: { center: 40, width: 400 },
    range: [-50, w * h * frames * 10 - 60], modality: 'CT', metadata: { PatientID: 'X' },
  };
}
