// Prompt state that belongs to a scan: the text being typed and the selected run. Switching scans saves
// the one left and restores the one opened (nothing leaks from one scan to another); the text also survives
// a reload (settings table, key `prompt:<scanId>`, written after typing pauses).
import { create } from 'zustand';
import { getDb, getSetting, setSetting } from '../../storage';
import { useRuns } from '../../state/runs';

interface ScanPromptState {
  /** Scan whose prompt text is in `text`. */
  scanId: string | null;
  text: string;
  setText(text: string): void;
}

const texts = new Map<string, string>();
const selections = new Map<string, string | null>();
const SAVE_MS = 400;
let saveTimer: ReturnType<typeof setTimeout> | null = null;
let pending: { scanId: string; text: string } | null = null;
const keyOf = (scanId: string) => `prompt:${scanId}`;

/** Writes the text waiting for its debounce now: on switching scans (a new scan's typing must not cancel the
 * last one's save) and when the page is hidden (a reload right after typing keeps the text). */
function flushPromptSave(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  if (!pending) return;
  const { scanId, text } = pending;
  pending = null;
  setSetting(getDb(), keyOf(scanId), text).catch(() => undefined);
}
if (typeof window !== 'undefined') window.addEventListener('pagehide', flushPromptSave);

export const useScanPrompt = create<ScanPromptState>((set, get) => ({
  scanId: null,
  text: '',
  setText: (text) => {
    const { scanId } = get();
    set({ text });
    if (!scanId) return;
    texts.set(scanId, text);
    if (pending && pending.scanId !== scanId) flushPromptSave();
    pending = { scanId, text };
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(flushPromptSave, SAVE_MS);
  },
}));

/** Makes `scanId` the prompt box's scan: its remembered text (memory, else storage), or empty. */
export async function switchPromptScan(scanId: string | null): Promise<void> {
  const st = useScanPrompt.getState();
  if (st.scanId === scanId) return;
  flushPromptSave();
  useScanPrompt.setState({ scanId, text: scanId ? (texts.get(scanId) ?? '') : '' });
  if (!scanId || texts.has(scanId)) return;
  const saved = await getSetting<string>(getDb(), keyOf(scanId)).catch(() => undefined);
  // only if the user has not typed on this scan meanwhile, and it is still the open one
  const now = useScanPrompt.getState();
  if (typeof saved === 'string' && now.scanId === scanId && !texts.has(scanId)) {
    texts.set(scanId, saved);
    useScanPrompt.setState({ text: saved });
  }
}

// The run selected on a scan frame, remembered while the app is open (a reset for another scan or frame
// is not a choice of the user's).
useRuns.subscribe((s, prev) => {
  if (s.scanId && s.scanId === prev.scanId && s.frame === prev.frame && s.selectedId !== prev.selectedId) selections.set(`${s.scanId}#${s.frame}`, s.selectedId);
});

export function rememberedSelection(scanId: string, frame: number): string | null {
  return selections.get(`${scanId}#${frame}`) ?? null;
}

/** A deleted scan's prompt state goes with it. */
export function forgetScanPrompt(scanId: string): void {
  texts.delete(scanId);
  for (const k of [...selections.keys()]) if (k.startsWith(`${scanId}#`)) selections.delete(k);
  setSetting(getDb(), keyOf(scanId), null).catch(() => undefined);
}
