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
  /** What is being read/saved, shown in the status bar; null when idle. */
  busy: string | null;
  /** Cancels the current read, when it can be cancelled. */
  cancelBusy: (() => void) | null;
  setList(list: ScanSummary[]): void;
  setActive(id: string | null, scan: Scan | null): void;
  setBusy(label: string | null, cancel?: () => void): void;
}

export const useScans = create<ScansState>((set) => ({
  list: [],
  activeId: null,
  scan: null,
  busy: null,
  cancelBusy: null,
  setList: (list) => set({ list }),
  setActive: (activeId, scan) => set({ activeId, scan }),
  setBusy: (busy, cancel) => set({ busy, cancelBusy: busy ? (cancel ?? null) : null }),
}));
