// Read-only app state for end-to-end tests (window.__vlsm.getState()), so tests check state, not pixels.
import { useNotices } from '../state/notices';
import { useScans } from '../state/scans';
import { useTools } from '../state/tools';
import { useView } from '../state/view';
import { scanDisplayInfo, type ScanDisplayInfo } from '../viewer/ScanLayer';

export interface TestState {
  scan: { id: string | null; name: string; format: string; width: number; height: number; frames: number; channels: number } | null;
  frame: number;
  window: { center: number; width: number };
  windowPreset: string;
  transform: { scale: number; x: number; y: number };
  cursor: { x: number; y: number; value: string | null } | null;
  scans: { id: string; name: string; frames: number }[];
  notices: { kind: string; title: string; message: string }[];
  busy: string | null;
  tool: string;
  /** The scan is displayed inverted (`i`). */
  invert: boolean;
  /** The bitmap the scan layer shows: the region of the frame in view, sampled to the screen's density. */
  scanDisplay: ScanDisplayInfo | null;
}

export function getTestState(): TestState {
  const s = useScans.getState();
  const v = useView.getState();
  return {
    scan: s.scan && {
      id: s.activeId, name: s.scan.name, format: s.scan.format, width: s.scan.width, height: s.scan.height,
      frames: s.scan.frames, channels: s.scan.channels,
    },
    frame: v.frame,
    window: { ...v.window },
    windowPreset: v.windowPreset,
    transform: { ...v.transform },
    cursor: v.cursor && { ...v.cursor },
    scans: s.list.map((x) => ({ id: x.id, name: x.name, frames: x.frames })),
    notices: useNotices.getState().notices.map(({ kind, title, message }) => ({ kind, title, message })),
    busy: s.busy,
    tool: useTools.getState().activeId,
    invert: v.invert,
    scanDisplay: scanDisplayInfo(),
  };
}

/** The open scan's pixels in brief: dtype, value count, sum (as a float64) and the values at `at`. */
export function scanDigest(at: number[] = []): { dtype: string; values: number; sum: number; samples: number[] } | null {
  const scan = useScans.getState().scan;
  if (!scan) return null;
  const d = scan.data;
  let sum = 0;
  for (let i = 0; i < d.length; i++) sum += d[i];
  return { dtype: scan.dtype, values: d.length, sum, samples: at.map((i) => d[i]) };
}

declare global {
  interface Window {
    __vlsm?: { getState(): TestState; scanDigest: typeof scanDigest };
  }
}

export function installTestHook(): void {
  window.__vlsm = { getState: getTestState, scanDigest };
}
