// Keyboard shortcut registry. Any layer may register a shortcut (panels on mount, the app at start);
// one keydown listener (app/keymap.ts) dispatches, and the `?` overlay lists everything registered here.
import { create } from 'zustand';

export interface Shortcut {
  id: string;
  /** Key combos as written in KeyboardEvent.key, with optional modifiers: 'ArrowLeft', 'Shift+ArrowUp', 'Mod+z', '?'. */
  keys: string[];
  description: string;
  group: string;
  run(e: KeyboardEvent): void;
}

interface KeymapState {
  shortcuts: Shortcut[];
  register(s: Shortcut): () => void;
}

export const useKeymap = create<KeymapState>((set) => ({
  shortcuts: [],
  register: (s) => {
    const clash = useKeymap.getState().shortcuts.find((x) => x.id !== s.id && x.keys.some((k) => s.keys.includes(k)));
    if (clash) console.warn(`Shortcut "${s.id}" reuses a key of "${clash.id}"; the first registered wins.`);
    set((st) => ({ shortcuts: [...st.shortcuts.filter((x) => x.id !== s.id), s] }));
    return () => set((st) => ({ shortcuts: st.shortcuts.filter((x) => x !== s) }));
  },
}));

export const registerShortcut = (s: Shortcut): (() => void) => useKeymap.getState().register(s);

/** Canonical combo for an event: modifiers in order Mod (Ctrl or Cmd), Alt, Shift (Shift only for non-printables). */
export function comboOf(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): string {
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push('Mod');
  if (e.altKey) parts.push('Alt');
  // Printable keys already carry Shift in their character ('?' vs '/', 'A' vs 'a').
  if (e.shiftKey && e.key.length > 1) parts.push('Shift');
  parts.push(e.key === ' ' ? 'Space' : e.key);
  return parts.join('+');
}

export function findShortcut(shortcuts: readonly Shortcut[], combo: string): Shortcut | undefined {
  return shortcuts.find((s) => s.keys.includes(combo));
}
