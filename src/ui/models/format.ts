// Small display helpers for the model panels (byte counts: src/lib/format.ts).

export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '–' : ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
