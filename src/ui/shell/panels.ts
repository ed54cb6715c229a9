// Opening a right-column panel from elsewhere in the UI (e.g. the prompt box's "Change" to the Model panel):
// the panel (src/app/RightPanel.tsx) listens, opens and scrolls itself into view.
const listeners = new Map<string, Set<() => void>>();

export function openPanel(id: string): void {
  listeners.get(id)?.forEach((f) => f());
}

export function onOpenPanel(id: string, f: () => void): () => void {
  let set = listeners.get(id);
  if (!set) listeners.set(id, (set = new Set()));
  set.add(f);
  return () => set.delete(f);
}
