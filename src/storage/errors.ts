// Storage errors the user can understand. A full disk (QuotaExceededError, possibly wrapped by Dexie as
// an AbortError's inner error) becomes StorageFullError; writes are transactional, so nothing saved before
// is lost when one fails.
export class StorageFullError extends Error {
  constructor(what: string) {
    super(
      `Browser storage is full: ${what} was not saved. Delete scans you no longer need, then try again. Everything saved earlier is intact.`,
    );
    this.name = 'StorageFullError';
  }
}

export function isQuotaError(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 4) return false;
  const err = e as { name?: unknown; inner?: unknown; cause?: unknown; code?: unknown };
  if (err.name === 'QuotaExceededError' || err.code === 22) return true;
  return isQuotaError(err.inner, depth + 1) || isQuotaError(err.cause, depth + 1);
}

/** Runs a write and maps quota failures to StorageFullError; other errors pass through unchanged. */
export async function guardWrite<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isQuotaError(e)) throw new StorageFullError(what);
    throw e;
  }
}
