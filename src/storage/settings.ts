// Key/value settings (last opened scan, UI preferences).
import { guardWrite } from './errors';
import type { WorkbenchDB } from './schema';

export async function getSetting<T>(db: WorkbenchDB, key: string): Promise<T | undefined> {
  return (await db.settings.get(key))?.value as T | undefined;
}

export async function setSetting(db: WorkbenchDB, key: string, value: unknown): Promise<void> {
  await guardWrite('a setting', () => db.settings.put({ key, value }));
}

export const LAST_SCAN_KEY = 'lastScanId';
