// The bundles shipped with the app (/models/index.json, then each manifest.json), read once per page from
// this origin (precached: works offline). What the app reads of them: the card fields that pick the default
// model for a kind of scan (defaultModel.ts) and the vocabulary the prompt box checks words against.
import { shippedCardOf, type ShippedCard } from './defaultModel';

export interface ShippedModel {
  card: ShippedCard;
  vocabulary: string[] | null;
}

let cached: Promise<ShippedModel[]> | null = null;

async function load(): Promise<ShippedModel[]> {
  const base = import.meta.env.BASE_URL;
  const res = await fetch(`${base}models/index.json`);
  if (!res.ok) throw new Error(`models/index.json: HTTP ${res.status}`);
  const index = (await res.json()) as { id?: unknown }[];
  const out: ShippedModel[] = [];
  for (const e of Array.isArray(index) ? index : []) {
    if (typeof e.id !== 'string' || !/^[\w.-]+$/.test(e.id)) continue;
    const m = (await fetch(`${base}models/${e.id}/manifest.json`).then((r) => (r.ok ? r.json() : null)).catch(() => null)) as
      | { modelCard?: { vocabulary?: unknown } }
      | null;
    const card = shippedCardOf(m);
    if (!card) continue;
    const vocabulary = m?.modelCard?.vocabulary;
    out.push({ card, vocabulary: Array.isArray(vocabulary) && vocabulary.every((w) => typeof w === 'string') ? vocabulary : null });
  }
  return out;
}

/** The shipped bundles in shipping order; a failed read is tried again on the next call. */
export function shippedModels(): Promise<ShippedModel[]> {
  const p = (cached ??= load());
  p.catch(() => {
    if (cached === p) cached = null;
  });
  return p;
}
