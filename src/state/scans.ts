// The open scan and the list of saved scans (metadata only). Pixels of the open scan are held by
// reference in `scan`; nothing here copies them.
import { create } from 'zustand';
import type { Scan } from '../scan/types';

export interface ScanSummary {
  id: string;
  name: string;
  format: string;
  width: number;
  height: number;
  frames: number;
  thumbnail: string | null;
  updatedAt: number;
}

export interface ScansState {
  list: ScanSummary[];
  /** Id of the open scan in storage (null when it could not be saved, or nothing is open). */
  activeId: string | null;
  scan: Scan | null;
  /** True while a file is being read/saved. */
  busy: string | null;
  setList(list: ScanSummary[]): void;
  setActive(id: string | null, scan: Scan | null): void;
  setBusy(label: string | null): void;
}

export const useScans = create<ScansState>((set) => ({
  list: [],
  activeId: null,
  scan: null,
  busy: null,
  setList: (list) => set({ list }),
  setActive: (activeId, scan) => set({ activeId, scan }),
  setBusy: (busy) => set({ busy }),
}));
