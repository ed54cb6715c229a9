// Prompt suggestions: the model's classes, medvlsm attribute prompts built from the current mask
// (correction, else the selected run or the latest run with words, else reference), and the scan's prompt history.
import { buildPrompts } from '../../mask/prompts';
import { colourWord, gridShape, meanColour } from '../../mask/appearance';
import { maskSuggestion, type MaskSuggestion } from '../../mask/jobs';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import type { Mask } from '../../mask/types';
import { referencePixels, runPixels, useRuns } from '../../state/runs';
import { getSession } from '../../tools/session';

export interface Suggestion {
  text: string;
  kind: 'class' | 'attributes' | 'history';
  label: string;
}

/** The mask suggestions read, with the mask worker's reading of it when it is a run's unchanged mask. */
function currentMaskRead(): { mask: Mask; read?: MaskSuggestion } | null {
  const s = getSession();
  if (s) return { mask: s.mask };
  const { selectedId, runs } = useRuns.getState();
  // the selected run, else the latest run with words: the automatic no-words run (the influence baseline, not
  // drawn unless asked for) is nobody's answer to describe, unless the user selected it
  const id = selectedId ?? runs.filter((r) => r.prompt.trim() !== '').at(-1)?.id;
  const px = id ? runPixels.get(id) : undefined;
  if (px) return { mask: { width: px.width, height: px.height, data: px.mask }, read: px.suggestion };
  return referencePixels.current && { mask: referencePixels.current };
}

export function currentMask(): Mask | null {
  return currentMaskRead()?.mask ?? null;
}

/** Shape and colour of the current mask (colour only for 8-bit RGB scans); `shape` when already known. */
export function appearance(mask: Mask, shape: string | null = gridShape(mask)): { shape?: string; colour?: string } {
  const out: { shape?: string; colour?: string } = { shape: shape ?? undefined };
  const scan = useScans.getState().scan;
  if (scan && scan.dtype === 'uint8' && scan.channels >= 3 && scan.width === mask.width && scan.height === mask.height) {
    const ch = scan.channels as 3 | 4;
    const plane = scan.width * scan.height * ch;
    const frame = Math.min(useView.getState().frame, scan.frames - 1);
    const rgb = meanColour(scan.data.subarray(frame * plane, (frame + 1) * plane), ch, mask);
    if (rgb) out.colour = colourWord(rgb[0], rgb[1], rgb[2]);
  }
  return out;
}

export function pickClass(input: string, classes: readonly string[]): string {
  const lower = input.trim().toLowerCase();
  const named = classes.find((c) => lower.includes(c.toLowerCase()));
  const partial = lower.length >= 3 ? classes.find((c) => c.toLowerCase().includes(lower)) : undefined;
  return named ?? partial ?? classes[0] ?? 'lesion';
}

export function suggestPrompts(input: string, classes: readonly string[], history: readonly string[], extra: readonly string[] = []): Suggestion[] {
  const out: Suggestion[] = [];
  const seen = new Set<string>();
  const add = (s: Suggestion) => {
    if (seen.has(s.text) || s.text.trim() === '') return;
    seen.add(s.text);
    out.push(s);
  };
  classes.forEach((c) => add({ text: c, kind: 'class', label: 'model class' }));
  const current = currentMaskRead();
  if (current) {
    // a run's mask was read in the mask worker as it was made; a correction or reference is read here
    const { mask } = current;
    const { attributes: attrs, shape } = current.read ?? maskSuggestion(mask);
    if (!attrs.empty) {
      for (const p of buildPrompts({ className: pickClass(input, classes), ...appearance(mask, shape) }, attrs)) {
        if (p.key !== 'p0' && p.key !== 'p1') add({ text: p.text, kind: 'attributes', label: p.label });
      }
    }
  }
  [...extra, ...history].forEach((h) => add({ text: h, kind: 'history', label: 'history' }));
  const q = input.trim().toLowerCase();
  return q ? out.filter((s) => s.text.toLowerCase().includes(q) || s.kind === 'attributes') : out;
}
