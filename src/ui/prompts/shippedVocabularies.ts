// The vocabularies of the bundles shipped with the app (/models/index.json, then each manifest's
// modelCard.vocabulary), read once per page from this origin (precached: works offline). The prompt box uses
// them to say which shipped model knows a word the loaded one does not.
import { useEffect, useState } from 'react';
import type { ModelVocabulary } from './vocabulary';

let cached: Promise<ModelVocabulary[]> | null = null;

async function load(): Promise<ModelVocabulary[]> {
  const base = import.meta.env.BASE_URL;
  const res = await fetch(`${base}models/index.json`).catch(() => null);
  if (!res?.ok) return [];
  const index = (await res.json().catch(() => [])) as { id?: unknown; name?: unknown }[];
  const out: ModelVocabulary[] = [];
  for (const e of Array.isArray(index) ? index : []) {
    if (typeof e.id !== 'string' || !/^[\w.-]+$/.test(e.id)) continue;
    const m = await fetch(`${base}models/${e.id}/manifest.json`).then((r) => (r.ok ? r.json() : null)).catch(() => null) as
      | { modelCard?: { vocabulary?: unknown } }
      | null;
    const vocabulary = m?.modelCard?.vocabulary;
    if (Array.isArray(vocabulary) && vocabulary.every((w) => typeof w === 'string')) {
      out.push({ id: e.id, name: typeof e.name === 'string' ? e.name : e.id, vocabulary });
    }
  }
  return out;
}

export function useShippedVocabularies(): ModelVocabulary[] {
  const [models, setModels] = useState<ModelVocabulary[]>([]);
  useEffect(() => {
    let live = true;
    cached ??= load();
    cached.then((m) => live && setModels(m)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return models;
}
