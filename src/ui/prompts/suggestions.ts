// Prompt suggestions: the model's classes, medvlsm attribute prompts built from the current mask
// (correction, else selected run, else reference), and the scan's prompt history.
import { maskAttributes } from '../../mask/attributes';
import { buildPrompts } from '../../mask/prompts';
import { colourWord, meanColour, shapeWord } from '../../mask/appearance';
import { resizeNearest } from '../../mask/resize';
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

export function currentMask(): Mask | null {
  const s = getSession();
  if (s) return s.mask;
  const { selectedId, runs } = useRuns.getState();
  const id = selectedId ?? runs[runs.length - 1]?.id;
  const px = id ? runPixels.get(id) : undefined;
  if (px) return { width: px.width, height: px.height, data: px.mask };
  return referencePixels.current;
}

const GRID = 512;

/** Shape and colour of the current mask (colour only for 8-bit RGB scans). */
export function appearance(mask: Mask): { shape?: string; colour?: string } {
  const f = Math.min(1, GRID / Math.max(mask.width, mask.height));
  const w = Math.max(1, Math.round(mask.width * f));
  const h = Math.max(1, Math.round(mask.height * f));
  const small = f < 1 ? { width: w, height: h, data: resizeNearest(mask.data, mask.width, mask.height, w, h) } : mask;
  const out: { shape?: string; colour?: string } = { shape: shapeWord(small) ?? undefined };
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
  const mask = currentMask();
  if (mask) {
    const attrs = maskAttributes(mask, 512);
    if (!attrs.empty) {
      for (const p of buildPrompts({ className: pickClass(input, classes), ...appearance(mask) }, attrs)) {
        if (p.key !== 'p0' && p.key !== 'p1') add({ text: p.text, kind: 'attributes', label: p.label });
      }
    }
  }
  [...extra, ...history].forEach((h) => add({ text: h, kind: 'history', label: 'history' }));
  const q = input.trim().toLowerCase();
  return q ? out.filter((s) => s.text.toLowerCase().includes(q) || s.kind === 'attributes') : out;
}
