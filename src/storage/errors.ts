// Storage errors the user can understand. A full disk (QuotaExceededError, possibly wrapped by Dexie as
// an AbortError's inner error) becomes StorageFullError; any other refusal of a write (a value the
// browser will not store, a closed or broken database, a write cancelled by the user) becomes
// StorageWriteError with a sentence, never the browser's or Dexie's own text (that goes to the console).
// Writes are transactional, so nothing saved before is lost when one fails.
export class StorageFullError extends Error {
  constructor(what: string) {
    super(
      `Browser storage is full: ${what} was not saved. Delete scans you no longer need, then try again. Everything saved earlier is intact.`,
    );
    this.name = 'StorageFullError';
  }
}

export class StorageWriteError extends Error {
  constructor(what: string, why: string) {
    super(`${what[0].toUpperCase()}${what.slice(1)} was not saved: ${why} Everything saved earlier is intact.`);
    this.name = 'StorageWriteError';
  }
}

/** Thrown when the user cancels a save; what was being written is not kept. */
export class SaveCancelled extends Error {
  constructor(what: string) {
    super(`Saving ${what} was cancelled; it is open but not saved.`);
    this.name = 'SaveCancelled';
  }
}

export function isQuotaError(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 4) return false;
  const err = e as { name?: unknown; inner?: unknown; cause?: unknown; code?: unknown };
  if (err.name === 'QuotaExceededError' || err.code === 22) return true;
  return isQuotaError(err.inner, depth + 1) || isQuotaError(err.cause, depth + 1);
}

function names(e: unknown, depth = 0): string[] {
  if (!e || typeof e !== 'object' || depth > 4) return [];
  const err = e as { name?: unknown; inner?: unknown; cause?: unknown };
  return [typeof err.name === 'string' ? err.name : '', ...names(err.inner, depth + 1), ...names(err.cause, depth + 1)];
}

/** Why a write failed, in words, from the error's name (and its wrapped inner errors). */
export function whyWriteFailed(e: unknown): string {
  const n = names(e);
  if (n.includes('DataCloneError')) return 'the browser cannot store this kind of value.';
  if (n.some((x) => /DatabaseClosed|InvalidState|VersionError|Upgrade/.test(x))) {
    return 'the browser closed the database (another tab may be updating it, or the browser is clearing site data). Reload the page and try again.';
  }
  if (n.some((x) => /DataError|Unknown/.test(x))) {
    return 'the browser refused to store it (the value may be too large for this browser profile, or its storage is damaged). Free some space or reload the page and try again.';
  }
  return 'the browser refused the write. Reload the page and try again.';
}

/** Runs a write and maps its failures to StorageFullError or StorageWriteError (SaveCancelled passes). */
export async function guardWrite<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof StorageFullError || e instanceof StorageWriteError || e instanceof SaveCancelled) throw e;
    if (isQuotaError(e)) throw new StorageFullError(what);
    // an error of the app's own (e.g. "That scan no longer exists.") is already a sentence
    if (e instanceof Error && e.constructor === Error) throw e;
    console.error(`Storage write of ${what} failed`, e);
    throw new StorageWriteError(what, whyWriteFailed(e));
  }
}
