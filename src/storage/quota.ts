// Browser storage estimate and persistence request.
export interface StorageUsage {
  usage: number;
  quota: number;
  persisted: boolean;
}

export async function storageUsage(): Promise<StorageUsage | null> {
  const s = globalThis.navigator?.storage;
  if (!s?.estimate) return null;
  const [{ usage = 0, quota = 0 }, persisted] = await Promise.all([s.estimate(), s.persisted?.() ?? Promise.resolve(false)]);
  return { usage, quota, persisted };
}

/** Asks the browser not to evict our data; returns whether storage is persistent. Never throws. */
export async function requestPersist(): Promise<boolean> {
  try {
    const s = globalThis.navigator?.storage;
    if (!s?.persist) return false;
    return (await s.persisted?.()) || (await s.persist());
  } catch {
    return false;
  }
}

