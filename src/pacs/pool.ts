// A bounded pool: runs `work` on every item with at most `size` in flight, in order of the items. The
// first failure stops new work and rejects (in-flight items are aborted through the shared signal).
export async function runPool<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  const inner = new AbortController();
  const stop = () => inner.abort(signal?.reason);
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop);
  let next = 0;
  let failure: { e: unknown } | null = null;
  const lane = async () => {
    while (!failure && !inner.signal.aborted && next < items.length) {
      const i = next++;
      try {
        out[i] = await work(items[i], i, inner.signal);
      } catch (e) {
        failure ??= { e };
        inner.abort(e);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, lane));
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  if (failure) throw (failure as { e: unknown }).e;
  if (inner.signal.aborted) throw signal?.reason ?? new DOMException('Aborted', 'AbortError');
  return out;
}
