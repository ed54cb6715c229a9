// PACS panel state, outside React so it survives collapsing the panel: the server settings, the last
// search and its results, the chosen study's series with thumbnails, and the transfer in progress.
import { create } from 'zustand';
import type { PacsConfig, SeriesSummary, StudyQuery, StudySummary } from '../../pacs/client';
import type { SeriesProgress } from '../../pacs/series';

export interface PacsState {
  config: PacsConfig;
  /** True once the settings were read from IndexedDB. */
  loaded: boolean;
  query: StudyQuery;
  studies: StudySummary[] | null;
  study: StudySummary | null;
  series: SeriesSummary[] | null;
  thumbs: Record<string, string | null>;
  /** The series (UID) being opened and how far it got. */
  transfer: { series: string; label: string; progress: SeriesProgress | null; cancel: () => void } | null;
  /** What the panel is waiting for (search, series list, sending), or null. */
  busy: string | null;
  /** Last failure, in the user's words. */
  error: string | null;
  /** Last success worth saying (e.g. "Sent to the PACS"). */
  info: string | null;
  set(patch: Partial<Omit<PacsState, 'set'>>): void;
}

/** This app's same-origin proxy to the development Orthanc (vite.config.ts, docs/PACS.md). */
export const DEFAULT_URL = '/pacs/dicom-web';

export const usePacs = create<PacsState>((set) => ({
  config: { url: DEFAULT_URL, username: '', password: '' },
  loaded: false,
  query: {},
  studies: null,
  study: null,
  series: null,
  thumbs: {},
  transfer: null,
  busy: null,
  error: null,
  info: null,
  set: (patch) => set(patch),
}));
