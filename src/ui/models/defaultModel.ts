// Which model the app uses when the user has not chosen one: chosen by the kind of scan, from the shipped
// bundles' cards (modelCard.defaultFor), never from ids written here. A 2-D picture gets the bundle whose
// card says 'image' (v1: better on photos, endoscopy, ultrasound); a volume (more than one slice: a series,
// NIfTI/NRRD/MHA, multi-frame DICOM) gets the one whose card says 'volume' (v2: the one trained on
// cross-sectional slices). An explicit choice by the user always wins. Pure: no DOM, no storage; the app
// (InferenceContext) and `npm run bench:volume` both call it.
import type { BundleRef } from '../../worker/protocol';

export type ScanKind = 'image' | 'volume';

/** What the rule reads of a shipped bundle: its id, name and card (manifest.json's modelCard). */
export interface ShippedCard {
  id: string;
  name: string;
  defaultFor?: readonly string[];
  modalities?: readonly string[];
}

export interface DefaultChoice {
  ref: BundleRef;
  /** 'user': the user's explicit choice; 'scan-kind': the shipped card that names this kind; 'first-shipped': no card names it. */
  by: 'user' | 'scan-kind' | 'first-shipped';
  kind: ScanKind;
}

/** Anything with more than one slice is a volume. */
export function scanKindOf(scan: { frames: number } | null | undefined): ScanKind {
  return scan && scan.frames > 1 ? 'volume' : 'image';
}

/** The card fields the rule reads, from a parsed manifest.json (null when it is not one). */
export function shippedCardOf(manifest: unknown): ShippedCard | null {
  if (!manifest || typeof manifest !== 'object') return null;
  const m = manifest as { id?: unknown; name?: unknown; modelCard?: { defaultFor?: unknown; modalities?: unknown } };
  if (typeof m.id !== 'string' || typeof m.name !== 'string') return null;
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  return { id: m.id, name: m.name, defaultFor: strings(m.modelCard?.defaultFor), modalities: strings(m.modelCard?.modalities) };
}

/**
 * The model for a scan of `kind`: the user's choice if any; else the first shipped bundle (in shipping order)
 * whose card names `kind` in defaultFor; else the one that names 'image' (the general default); else the first
 * shipped bundle. Null only when nothing is shipped and the user chose nothing.
 */
export function defaultModelFor(kind: ScanKind, shipped: readonly ShippedCard[], userChoice: BundleRef | null): DefaultChoice | null {
  if (userChoice) return { ref: userChoice, by: 'user', kind };
  const naming = (k: ScanKind) => shipped.find((c) => c.defaultFor?.includes(k));
  const card = naming(kind) ?? naming('image');
  if (card) return { ref: { kind: 'shipped', id: card.id }, by: 'scan-kind', kind };
  return shipped[0] ? { ref: { kind: 'shipped', id: shipped[0].id }, by: 'first-shipped', kind } : null;
}

const CROSS_SECTIONAL = /\b(CT|MR|MRI)\b|computed tomography|magnetic resonance/i;

/** The name up to its parenthesised note: "Compact VLSM v2 (words steer it: …)" → "Compact VLSM v2". */
export function shortName(name: string): string {
  return name.replace(/\s*\(.*$/, '').trim() || name;
}

/**
 * The one line said when a volume got a different model than 2-D pictures do, e.g. "Volume: using Compact
 * VLSM v2 — trained on cardiac MR (short-axis cine) slices; Compact VLSM v1 (the 2-D default) has never seen
 * CT/MR." Null when the choice was the user's, or the volume's model is the 2-D one anyway.
 */
export function volumeDefaultNote(choice: DefaultChoice | null, shipped: readonly ShippedCard[]): string | null {
  if (!choice || choice.by !== 'scan-kind' || choice.kind !== 'volume' || choice.ref.kind !== 'shipped') return null;
  const chosenId = choice.ref.id;
  const chosen = shipped.find((c) => c.id === chosenId);
  const image = defaultModelFor('image', shipped, null);
  const imageCard = image && image.ref.kind === 'shipped' ? shipped.find((c) => c.id === (image.ref as { id: string }).id) : undefined;
  if (!chosen || !imageCard || imageCard.id === chosen.id) return null;
  const seen = (chosen.modalities ?? []).filter((m) => CROSS_SECTIONAL.test(m));
  const trained = seen.length ? ` — trained on ${seen.join(', ')} slices` : '';
  const never = (imageCard.modalities ?? []).some((m) => CROSS_SECTIONAL.test(m)) ? '' : `; ${shortName(imageCard.name)} (the 2-D default) has never seen CT/MR`;
  return `Volume: using ${shortName(chosen.name)}${trained}${never}.`;
}
