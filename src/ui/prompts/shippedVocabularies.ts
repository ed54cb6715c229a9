// The vocabularies of the bundles shipped with the app (each manifest's modelCard.vocabulary, read once per
// page: shippedModels.ts). The prompt box uses them to say which shipped model knows a word the loaded one does not.
import { useEffect, useState } from 'react';
import type { ModelVocabulary } from './vocabulary';
import { shippedModels } from '../models/shippedModels';

export function useShippedVocabularies(): ModelVocabulary[] {
  const [models, setModels] = useState<ModelVocabulary[]>([]);
  useEffect(() => {
    let live = true;
    shippedModels()
      .then((all) => live && setModels(all.flatMap((m) => (m.vocabulary ? [{ id: m.card.id, name: m.card.name, vocabulary: m.vocabulary }] : []))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return models;
}
