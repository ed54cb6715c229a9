// Small display helpers for the model panels (byte counts: src/lib/format.ts).
import { formatBytes } from '../../lib/format';

export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '–' : ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** A duration in words: "0.2 s", "1.4 s", "35 ms". */
export function durationWords(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 100) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "Loading model: 7.3 MB of 18.5 MB (40 %)", or the stage when no byte count is known. */
export function loadProgressText(p: { stage: string; loaded?: number; total?: number } | null | undefined): string {
  if (!p) return 'Loading model…';
  if (p.total) {
    const loaded = Math.min(p.loaded ?? 0, p.total);
    return `Loading model: ${formatBytes(loaded)} of ${formatBytes(p.total)} (${Math.round((loaded / p.total) * 100)} %)`;
  }
  if (p.stage === 'session') return 'Preparing the model…';
  if (p.stage === 'verify') return 'Checking the model files…';
  return 'Loading model…';
}
