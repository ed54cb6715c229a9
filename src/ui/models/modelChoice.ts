// The model the user chose explicitly (Model panel "Use", the prompt box's "use <model>" switch), remembered
// in this browser profile (localStorage) and used for every scan from then on, whatever its kind. Without
// one, the app picks the shipped default for the kind of scan (defaultModel.ts). Compare models' loads are
// not choices: it puts the model that was loaded before back.
import type { BundleRef } from '../../worker/protocol';

const KEY = 'vlsm.modelChoice';

/** This page's copy (undefined: not read yet), so a choice holds even when storage refuses it. */
let onPage: BundleRef | null | undefined;
const listeners = new Set<() => void>();

/** The user's choice, or null; the same object until it changes (a useSyncExternalStore snapshot). */
export function userModelChoice(): BundleRef | null {
  onPage ??= stored();
  return onPage;
}

/** Calls `f` whenever the choice changes on this page; returns the unsubscribe. */
export function onModelChoice(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

function stored(): BundleRef | null {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? 'null') as Partial<{ kind: string; id: unknown; baseUrl: unknown }> | null;
    if ((v?.kind === 'shipped' || v?.kind === 'stored') && typeof v.id === 'string') return { kind: v.kind, id: v.id };
    if (v?.kind === 'url' && typeof v.baseUrl === 'string') return { kind: 'url', baseUrl: v.baseUrl };
  } catch {
    // not JSON: as if none
  }
  return null;
}

export function setUserModelChoice(ref: BundleRef | null): void {
  onPage = ref;
  try {
    if (ref) globalThis.localStorage?.setItem(KEY, JSON.stringify(ref));
    else globalThis.localStorage?.removeItem(KEY);
  } catch {
    // storage refused (private mode, quota): the choice holds for this page only
  }
  listeners.forEach((f) => f());
}

export function sameRef(a: BundleRef | null, b: BundleRef | null): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'url' || b.kind === 'url') return a.kind === b.kind && (a as { baseUrl: string }).baseUrl === (b as { baseUrl: string }).baseUrl;
  return a.kind === b.kind && a.id === b.id;
}
