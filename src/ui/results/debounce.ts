// Per-key debounce for the results panel's slow follow-ups (rescoring, saving a run's display or scores).

export type Timers = Map<string, ReturnType<typeof setTimeout>>;

/** Runs `fn` once `ms` have passed without another call for the same key (an earlier pending call is dropped). */
export function debounce(timers: Timers, key: string, ms: number, fn: () => void): void {
  const pending = timers.get(key);
  if (pending) clearTimeout(pending);
  timers.set(
    key,
    setTimeout(() => {
      timers.delete(key);
      fn();
    }, ms),
  );
}
